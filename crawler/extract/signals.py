"""Tech signals: evidence on one page that an organisation makes or sells digital things.

Every signal has a kind, a value, a weight, the page URL and a short snippet of the
evidence. Kinds (shared with the ``signals`` table):

- ``keyword``: a phrase of the taxonomy (``crawler/data/taxonomy.toml``); producer
  phrases weigh for, phrases of other sectors (bakery, electrician) against;
- ``sector``: a sub-sector the page's producer phrases point to, weighted by them;
- ``technology``: a technology the site is built with (weight 0: using is not making);
- ``careers``: a technical role on a careers page;
- ``code_hosting``: a link to the organisation's own space on GitHub, GitLab, …;
- ``schema_org``: a schema.org type the page declares for itself.

The taxonomy is data, loaded once. Phrases are found in one Aho-Corasick pass over the
page's text. A producer phrase inside a user-context span ("book online", "website
designed by …", "powered by …") is ignored, so a bakery that takes payments online or
credits its web designer is not counted as a web designer.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ahocorasick

from crawler.extract.page import Page
from crawler.extract.technologies import detect_technologies

TAXONOMY = Path(__file__).resolve().parent.parent / "data" / "taxonomy.toml"
SNIPPET_WIDTH = 60
# A credit line ("Website designed by Acme Web Design") runs to the end of its line;
# this caps how far a context span reaches when the line is long.
_CREDIT_REACH = 100
# Spaces are left out: each would be replaced by itself, and they are most of the
# replacements a page's text would cost.
_NON_WORD = re.compile(r"[^\w+# ]|_")
_SPACES = re.compile(r" +")


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence found on a page."""

    kind: str
    value: str
    weight: float
    url: str
    snippet: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    role: str  # producer | context | other | careers
    sector: str = ""
    weight: float = 0.0


@dataclass
class Taxonomy:
    """The keyword taxonomy, compiled for matching."""

    version: str
    sectors: dict[str, str]
    classifier: dict[str, float]
    careers_weight: float
    careers_page_words: tuple[str, ...]
    code_hosts: frozenset[str]
    code_link: re.Pattern[str]
    code_reserved: frozenset[str]
    code_weight: float
    schema_producer: frozenset[str]
    schema_other: frozenset[str]
    schema_producer_weight: float
    schema_other_weight: float
    phrases: dict[str, list[_Phrase]]
    automaton: ahocorasick.Automaton

    def sector_of(self, phrase: str) -> str:
        meanings = self.phrases.get(normalise(phrase).strip(), [])
        return next((m.sector for m in meanings if m.sector), "")


@functools.cache
def taxonomy() -> Taxonomy:
    """The taxonomy shipped with the project, loaded and compiled once per process."""
    return load_taxonomy(TAXONOMY)


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and compile a taxonomy file; a malformed file raises ValueError naming it."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
        return _compile(data)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"cannot load the keyword taxonomy {path}: {error}") from error


def _compile(data: dict[str, Any]) -> Taxonomy:
    phrases: dict[str, list[_Phrase]] = {}

    def add(raw: str, role: str, sector: str = "", weight: float = 0.0) -> None:
        text = _SPACES.sub(" ", normalise(raw)).strip()
        meanings = phrases.setdefault(text, [])
        # A phrase may be a producer phrase and a role, but has one meaning per role
        # (the first one listed).
        if text and all(m.role != role for m in meanings):
            meanings.append(_Phrase(text, role, sector, weight))

    for phrase in data["context"]["phrases"]:
        add(phrase, "context")
    weak_weight = float(data["weak_weight"])
    for key, sector in data["sectors"].items():
        for phrase in sector["phrases"]:
            add(phrase, "producer", key, float(sector["weight"]))
        for phrase in sector.get("weak", []):
            add(phrase, "producer", key, weak_weight)
    for phrase in data["other"]["phrases"]:
        add(phrase, "other", "", float(data["other"]["weight"]))
    careers = data["careers"]
    for phrase in careers["roles"]:
        add(phrase, "careers", "", float(careers["weight"]))

    automaton = ahocorasick.Automaton()
    for text in phrases:
        automaton.add_word(f" {text} ", text)
    automaton.make_automaton()

    code, schema = data["code_hosting"], data["schema_org"]
    return Taxonomy(
        version=str(data["version"]),
        sectors={key: s["label"] for key, s in data["sectors"].items()},
        classifier={k: float(v) for k, v in data["classifier"].items()},
        careers_weight=float(careers["weight"]),
        careers_page_words=tuple(w.lower() for w in careers["page_words"]),
        code_hosts=frozenset(code["hosts"]),
        code_link=re.compile(
            r"https?://(?:{})[:/]".format("|".join(map(re.escape, code["hosts"]))),
            re.IGNORECASE,
        ),
        code_reserved=frozenset(code["reserved"]),
        code_weight=float(code["weight"]),
        schema_producer=frozenset(schema["producer_types"]),
        schema_other=frozenset(schema["other_types"]),
        schema_producer_weight=float(schema["producer_weight"]),
        schema_other_weight=float(schema["other_weight"]),
        phrases=phrases,
        automaton=automaton,
    )


def normalise(text: str) -> str:
    """Lower case, every non-word character a space; the length is kept, so that a
    position in the result is the same position in *text*."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters lower-case to two ("İ"); keep those as they are.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _NON_WORD.sub(" ", lowered)


def extract_signals(page: Page, *, technologies: bool = True) -> list[Signal]:
    """Every signal on *page*: keywords and sectors, careers, code hosting, schema.org
    types and, unless *technologies* is False, the technologies it is built with."""
    tax = taxonomy()
    text = page_text(page)
    found = _keyword_signals(page.url, text, tax, careers=_is_careers_page(page, tax))
    found += _code_hosting_signals(page, tax)
    found += _schema_org_signals(page, tax)
    if technologies:
        found += [
            Signal("technology", tech.name, 0.0, page.url, tech.evidence)
            for tech in detect_technologies(page)
        ]
    return found


def page_text(page: Page) -> str:
    """What keywords are read from: title, descriptions, visible text, schema.org text."""
    parts = [page.title, page.meta.get("description", "")]
    parts.append(page.meta.get("og:description", ""))
    for item in page.jsonld:
        for key in ("description", "slogan", "knowsAbout", "serviceType"):
            value = item.get(key)
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, list):
                parts.extend(v for v in value if isinstance(v, str))
    parts.append(page.text)
    return "\n".join(p for p in parts if p)


def word_count(page: Page) -> int:
    return len(page_text(page).split())


def _keyword_signals(
    url: str, text: str, tax: Taxonomy, *, careers: bool
) -> list[Signal]:
    padded = f" {normalise(text)} "
    matches: list[tuple[int, int, _Phrase]] = []
    for last, key in tax.automaton.iter(padded):
        # " phrase " ends at index *last* of the padded text, which is one longer
        # at the front than the text, so the phrase starts len + 1 before it.
        start = last - len(key) - 1
        for phrase in tax.phrases[key]:
            matches.append((start, start + len(key), phrase))

    blocked = _context_spans(text, matches)
    signals: dict[tuple[str, str], Signal] = {}
    sector_weight: dict[str, float] = {}
    for start, end, phrase in matches:
        if phrase.role == "context" or (phrase.role == "careers" and not careers):
            continue
        if phrase.role == "producer" and any(s < end and start < e for s, e in blocked):
            continue
        kind = "careers" if phrase.role == "careers" else "keyword"
        if (kind, phrase.text) in signals:
            continue
        snippet = _snippet(text, start, end)
        signals[kind, phrase.text] = Signal(
            kind, phrase.text, phrase.weight, url, snippet
        )
        if phrase.role == "producer":
            sector_weight[phrase.sector] = (
                sector_weight.get(phrase.sector, 0.0) + phrase.weight
            )

    found = list(signals.values())
    for sector, weight in sorted(sector_weight.items()):
        found.append(Signal("sector", tax.sectors[sector], round(weight, 3), url))
    return found


def _context_spans(
    text: str, matches: list[tuple[int, int, _Phrase]]
) -> list[tuple[int, int]]:
    """Spans of user-context phrases; a credit ("… by", "… with") runs on to the end
    of its line, so the designer's name that follows is covered too."""
    spans = []
    for start, end, phrase in matches:
        if phrase.role != "context":
            continue
        if phrase.text.endswith((" by", " with")):
            line_end = text.find("\n", end)
            end = min(len(text) if line_end < 0 else line_end, end + _CREDIT_REACH)
        spans.append((start, end))
    return spans


def _snippet(text: str, start: int, end: int) -> str:
    before = text[max(0, start - SNIPPET_WIDTH) : start]
    after = text[end : end + SNIPPET_WIDTH]
    snippet = f"{before}{text[start:end]}{after}"
    return " ".join(snippet.split())


def _is_careers_page(page: Page, tax: Taxonomy) -> bool:
    path = urlsplit(page.url).path.lower()
    title = page.title.lower()
    return any(word in path or word in title for word in tax.careers_page_words)


def _code_hosting_signals(page: Page, tax: Taxonomy) -> list[Signal]:
    found: dict[str, Signal] = {}
    for link in page.links:
        # A cheap test first: most links go nowhere near a code host.
        if not tax.code_link.match(link.url):
            continue
        parts = urlsplit(link.url)
        host = (parts.hostname or "").lower()
        if host not in tax.code_hosts:
            continue
        segments = [s for s in parts.path.split("/") if s]
        if not segments or segments[0].lower() in tax.code_reserved:
            continue
        owner = segments[0].lower()
        # npm and PyPI put the package after a fixed first segment.
        if host in {"npmjs.com", "www.npmjs.com", "pypi.org"} and len(segments) > 1:
            owner = f"{owner}/{segments[1].lower()}"
        value = f"https://{host.removeprefix('www.')}/{owner}"
        if value not in found:
            found[value] = Signal(
                "code_hosting", value, tax.code_weight, page.url, link.text[:120]
            )
    return list(found.values())


def _schema_org_signals(page: Page, tax: Taxonomy) -> list[Signal]:
    found: dict[str, Signal] = {}
    for item in page.jsonld:
        kinds = item.get("@type")
        for kind in kinds if isinstance(kinds, list) else [kinds]:
            if not isinstance(kind, str) or kind in found:
                continue
            kind = kind.removeprefix("http://schema.org/").removeprefix(
                "https://schema.org/"
            )
            if kind in tax.schema_producer:
                weight = tax.schema_producer_weight
            elif kind in tax.schema_other:
                weight = tax.schema_other_weight
            elif kind in _ORGANISATION_TYPES:
                weight = 0.0
            else:
                continue
            name = item.get("name")
            snippet = f"{kind}: {name}" if isinstance(name, str) else kind
            found[kind] = Signal("schema_org", kind, weight, page.url, snippet[:160])
    return list(found.values())


# Types an organisation declares for itself that say nothing of its sector.
_ORGANISATION_TYPES = frozenset(
    {
        "Organization",
        "Corporation",
        "LocalBusiness",
        "ProfessionalService",
        "OnlineBusiness",
        "NGO",
    }
)
