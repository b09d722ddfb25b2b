"""A fetched page, parsed once and read by every extractor.

Each view (visible text, links, JSON-LD, meta tags, script sources) is computed on first
use and cached, so extractors that need the same view do not parse twice.
"""

from __future__ import annotations

import copy
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
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*>")
# lxml.html's own parser picks each element's Python class in a Python callback (form,
# input, label… get their own classes), which is paid for every element an extractor
# touches. No extractor uses those subclasses, so every element is a plain HtmlElement,
# chosen in C; the parse itself is the same libxml2 HTML parse.
_PARSER = etree.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
_TEXT_NODES = etree.XPath("//text()", smart_strings=False)
_TITLE_TEXT = etree.XPath("//title//text()", smart_strings=False)
_JSONLD_SCRIPTS = etree.XPath('//script[@type="application/ld+json"]')


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
        if not self.html or self.html.isspace():
            return None
        # lxml refuses str input that carries an XML encoding declaration.
        declaration = _XML_DECLARATION.match(self.html)
        text = self.html[declaration.end() :] if declaration else self.html
        try:
            return lxml.html.document_fromstring(text, parser=_PARSER)
        except (etree.ParserError, ValueError):
            logger.debug("Unparseable HTML at %s", self.url)
            return None

    @cached_property
    def title(self) -> str:
        if self.tree is None:
            return ""
        return _SPACE.sub(" ", " ".join(_TITLE_TEXT(self.tree))).strip()

    @cached_property
    def text(self) -> str:
        """Visible text: one line per block element, whitespace collapsed.

        Text nodes are joined with spaces, so ``<span>Acme</span><small>Ltd</small>``
        reads "Acme Ltd"; the price is a rare split word where markup cuts one.
        """
        if self.tree is None:
            return ""
        # The walk is done by libxml2 on a private copy, not node by node in Python:
        # an invisible element keeps its tail but its content becomes one line break
        # when it holds a block element (else nothing), and every block element's
        # tail starts with a line break. Then the text nodes, in document order, are
        # the parts: a comment's content is none of them, but the text after it is
        # ("<p>© <!-- -->2025 Acme</p>" reads "© 2025 Acme").
        root = copy.deepcopy(self.tree)
        for element in list(root.iter(*_INVISIBLE)):
            has_block = next(element.iter(*_BLOCK), None) is not None
            element.clear(keep_tail=True)
            element.text = "\n" if has_block else None
        for element in root.iter(*_BLOCK):
            element.tail = f"\n{element.tail}" if element.tail else "\n"
        lines = (
            " ".join(line.split()) for line in " ".join(_TEXT_NODES(root)).split("\n")
        )
        return "\n".join(line for line in lines if line)

    @cached_property
    def links(self) -> list[Link]:
        """Every <a href>, made absolute against the page URL."""
        if self.tree is None:
            return []
        found = []
        # Menus and footers repeat their links: each href is joined once.
        joined: dict[str, str | None] = {}
        for anchor in self.tree.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href:
                continue
            if href not in joined:
                try:
                    joined[href] = urljoin(self.url, href)
                except ValueError:
                    joined[href] = None
            url = joined[href]
            if url is None:
                continue
            text = " ".join(anchor.text_content().split())
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
        for script in _JSONLD_SCRIPTS(self.tree):
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
