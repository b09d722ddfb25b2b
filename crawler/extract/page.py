"""A fetched page, parsed once and read by every extractor.

Each view (visible text, links, JSON-LD, meta tags, script sources) is computed on first
use and cached, so extractors that need the same view do not parse twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urljoin

import lxml.html
from lxml import etree

logger = logging.getLogger(__name__)

_INVISIBLE = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCK = {
    "p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "footer", "header", "section", "article", "nav", "ul", "ol", "table", "address",
    "blockquote", "dd", "dt", "form", "main", "aside", "option",
}  # fmt: skip
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str
    rel: str = ""


@dataclass
class Page:
    """One page: its URL, response headers (lowercased name → values) and HTML."""

    url: str
    html: str
    headers: Mapping[str, list[str]] = field(default_factory=dict)

    @cached_property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The parsed document, or None when the body is not HTML at all."""
        if not self.html or not self.html.strip():
            return None
        # lxml refuses str input that carries an XML encoding declaration.
        text = re.sub(r"^\s*<\?xml[^>]*>", "", self.html, count=1)
        try:
            return lxml.html.document_fromstring(text)
        except (etree.ParserError, ValueError):
            logger.debug("Unparseable HTML at %s", self.url)
            return None

    @cached_property
    def title(self) -> str:
        if self.tree is None:
            return ""
        return _SPACE.sub(" ", " ".join(self.tree.xpath("//title//text()"))).strip()

    @cached_property
    def text(self) -> str:
        """Visible text: one line per block element, whitespace collapsed.

        Text nodes are joined with spaces, so ``<span>Acme</span><small>Ltd</small>``
        reads "Acme Ltd"; the price is a rare split word where markup cuts one.
        """
        if self.tree is None:
            return ""
        parts: list[str] = []
        hidden = 0
        for event, element in etree.iterwalk(self.tree, events=("start", "end")):
            tag = element.tag if isinstance(element.tag, str) else None
            invisible = tag is None or tag in _INVISIBLE
            if event == "start":
                if invisible:
                    hidden += 1
                elif not hidden and element.text:
                    parts.append(element.text)
            else:
                if invisible:
                    hidden -= 1
                if tag in _BLOCK:
                    parts.append("\n")
                if not hidden and element.tail:
                    parts.append(element.tail)
        lines = (_SPACE.sub(" ", line).strip() for line in " ".join(parts).split("\n"))
        return "\n".join(line for line in lines if line)

    @cached_property
    def links(self) -> list[Link]:
        """Every <a href>, made absolute against the page URL."""
        if self.tree is None:
            return []
        found = []
        for anchor in self.tree.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href:
                continue
            try:
                url = urljoin(self.url, href)
            except ValueError:
                continue
            text = _SPACE.sub(" ", anchor.text_content()).strip()
            found.append(Link(url, text, (anchor.get("rel") or "").lower()))
        return found

    @cached_property
    def meta(self) -> dict[str, str]:
        """<meta> content by lowercased name or property (first one wins)."""
        if self.tree is None:
            return {}
        found: dict[str, str] = {}
        for tag in self.tree.iter("meta"):
            name = (
                tag.get("name") or tag.get("property") or tag.get("http-equiv") or ""
            ).lower()
            if name and name not in found:
                found[name] = tag.get("content") or ""
        return found

    @cached_property
    def script_sources(self) -> list[str]:
        if self.tree is None:
            return []
        return [
            urljoin(self.url, s.get("src"))
            for s in self.tree.iter("script")
            if s.get("src")
        ]

    @cached_property
    def jsonld(self) -> list[dict]:
        """schema.org JSON-LD objects, @graph flattened; broken blocks are skipped."""
        if self.tree is None:
            return []
        objects: list[dict] = []
        for script in self.tree.xpath('//script[@type="application/ld+json"]'):
            try:
                data = json.loads(script.text or "")
            except ValueError:
                continue
            objects.extend(_flatten(data))
        return objects

    def header(self, name: str) -> list[str]:
        return list(self.headers.get(name.lower(), []))


def _flatten(data: object) -> list[dict]:
    if isinstance(data, list):
        return [item for part in data for item in _flatten(part)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *_flatten(graph)] if graph else [data]
    return []
