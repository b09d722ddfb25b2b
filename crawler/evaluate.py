"""Scoring the extraction against hand-labelled pages and sites.

Two label formats are read (the columns tell them apart):

- **pages**: one row per saved page (``file``, ``emails_visible``, ``emails_hidden_only``,
  ``phones``, ``social_and_profile_links``, ``companies_house_number_on_page``,
  ``is_digital_tech_business``), the HTML files named relative to the labels file;
- **sites**: one row per site (``domain``, ``is_digital``, ``emails``, ``phones``,
  ``socials``, ``company_number``, ``postcode``), each site's pages under
  ``sites/<domain>/`` next to the labels file.

Cells are free text written by people: values are pulled out of them with the same
parsers the extraction uses (phonenumbers for phones, the canonical social URL), so
"+44 7568 296136 (+447568296136)" is one number and notes in brackets are ignored.

Scores are micro-averaged over all items: every (item, value) pair is one decision.
Addresses the labels call "hidden only" (present only in JSON-LD or scripts) are
optional: finding them is not a false positive and missing them is not a miss.

The sites labels list contact points "as a visitor would find them (mailto links and
visible text)" and socials "exactly as linked" (their SOURCES.md), and their notes
name JSON-LD-only items without listing them. So on that set an email, phone or
profile found only in schema.org JSON-LD, on every page where it was found, is
optional in the same way; anything also shown or linked is scored as usual.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
from w3lib.encoding import html_to_unicode

from crawler.extract.contacts import Contact, extract_contacts, site_contacts
from crawler.extract.page import Page
from crawler.extract.postcodes import normalise_postcode
from crawler.extract.socials import canonical_social
from crawler.keys import normalise_company_number

logger = logging.getLogger(__name__)

KINDS = ("email", "phone", "social", "company_number", "postcode")
PAGE_COLUMNS = {"file", "emails_visible", "phones", "social_and_profile_links"}
SITE_COLUMNS = {"domain", "is_digital", "emails", "phones", "socials"}
# The sites labels list profiles on these platforms only (TikTok and Bluesky appear
# in their notes, WhatsApp not at all), so only these are scored on that set.
SITE_PLATFORMS = {"linkedin", "x", "facebook", "instagram", "github", "youtube"}
HTML_SUFFIXES = {".html", ".htm"}

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s;,]+")
_NUMBER = re.compile(r"\b(?:[A-Z]{2}\d{6}|\d{6,8})\b")


class LabelsError(ValueError):
    """A labels file that cannot be read: names the file and what is wrong."""


@dataclass
class Item:
    """One labelled unit (a page or a whole site) and what the labels say of it."""

    name: str
    pages: list[Page]
    truth: dict[str, set[str]]
    optional: dict[str, set[str]] = field(default_factory=dict)
    is_digital: str = ""  # yes | no | borderline
    platforms: set[str] | None = None  # social platforms the labels cover
    visible_only: bool = False  # labels list only what a visitor sees or clicks


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else None

    def as_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Error:
    item: str
    kind: str
    outcome: str  # false_positive | false_negative
    value: str
    where: str = ""  # the page a false positive came from


@dataclass
class Report:
    labels: Path
    format: str
    items: int
    pages: int
    scores: dict[str, Score]
    exact: dict[str, tuple[int, int]]  # kind -> (items exactly right, items)
    errors: list[Error]
    is_digital: Score | None = None
    is_digital_abstained: int = 0
    is_digital_errors: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "labels": str(self.labels),
            "format": self.format,
            "items": self.items,
            "pages": self.pages,
            "scores": {kind: score.as_dict() for kind, score in self.scores.items()},
            "exact": {k: {"right": r, "of": n} for k, (r, n) in self.exact.items()},
            "is_digital": self.is_digital.as_dict() if self.is_digital else None,
            "is_digital_abstained": self.is_digital_abstained,
            "errors": [error.__dict__ for error in self.errors],
            "is_digital_errors": [
                {"item": i, "label": label, "predicted": p}
                for i, label, p in self.is_digital_errors
            ],
        }


def load_items(labels: Path) -> tuple[str, list[Item]]:
    """Read *labels* in either format: (format name, items)."""
    try:
        with labels.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise LabelsError(f"cannot read labels file {labels}: {error}") from None
    columns = set(rows[0]) if rows else set()
    if columns >= PAGE_COLUMNS:
        return "pages", [
            _page_item(labels.parent, row, n) for n, row in _numbered(rows)
        ]
    if columns >= SITE_COLUMNS:
        return "sites", [
            _site_item(labels.parent, row, n) for n, row in _numbered(rows)
        ]
    raise LabelsError(
        f"{labels}: columns {sorted(columns)} match neither label format "
        f"(pages needs {sorted(PAGE_COLUMNS)}; sites needs {sorted(SITE_COLUMNS)})"
    )


def _numbered(rows: list[dict]) -> Iterable[tuple[int, dict]]:
    return enumerate(rows, start=2)  # line numbers as a spreadsheet shows them


def _page_item(root: Path, row: dict, line: int) -> Item:
    path = root / row["file"]
    site = (row.get("site") or "").split()
    url = site[0] if site and site[0].startswith("http") else None
    url = url or f"https://{site[0] if site else 'unknown.invalid'}/{path.name}"
    return Item(
        name=row["file"],
        pages=[_read_page(path, url, line)],
        truth={
            "email": emails_in(row.get("emails_visible", "")),
            "phone": phones_in(row.get("phones", "")),
            "social": socials_in(row.get("social_and_profile_links", "")),
            "company_number": numbers_in(row.get("companies_house_number_on_page", "")),
        },
        optional={"email": emails_in(row.get("emails_hidden_only", ""))},
        is_digital=(row.get("is_digital_tech_business") or "").strip().lower(),
    )


def _site_item(root: Path, row: dict, line: int) -> Item:
    domain = row["domain"].strip()
    folder = root / "sites" / domain
    if not folder.is_dir():
        raise LabelsError(f"line {line}: no folder {folder} for domain {domain!r}")
    pages = [
        _read_page(
            path, f"https://{domain}/{path.relative_to(folder).as_posix()}", line
        )
        for path in sorted(folder.rglob("*"))
        if path.suffix.lower() in HTML_SUFFIXES and path.is_file()
    ]
    return Item(
        name=domain,
        pages=pages,
        truth={
            "email": emails_in(row.get("emails", "")),
            "phone": phones_in(row.get("phones", "")),
            "social": socials_in(row.get("socials", "")),
            "company_number": numbers_in(row.get("company_number", "")),
            "postcode": postcodes_in(row.get("postcode", "")),
        },
        is_digital=(row.get("is_digital") or "").strip().lower(),
        platforms=SITE_PLATFORMS,
        visible_only=True,
    )


def _read_page(path: Path, url: str, line: int) -> Page:
    try:
        body = path.read_bytes()
    except OSError as error:
        raise LabelsError(f"line {line}: cannot read page {path}: {error}") from None
    _, html = html_to_unicode(None, body)
    return Page(url=url, html=html)


def emails_in(cell: str) -> set[str]:
    return {match.lower() for match in _EMAIL.findall(cell or "")}


def phones_in(cell: str) -> set[str]:
    """E.164 numbers written in a cell (British unless a country code is given)."""
    found = set()
    for match in phonenumbers.PhoneNumberMatcher(cell or "", "GB"):
        found.add(
            phonenumbers.format_number(
                match.number, phonenumbers.PhoneNumberFormat.E164
            )
        )
    return found


def socials_in(cell: str) -> set[str]:
    found = set()
    for url in _URL.findall(cell or ""):
        social = canonical_social(url.rstrip(").,"))
        if social:
            found.add(social[0])
    return found


def numbers_in(cell: str) -> set[str]:
    return {normalise_company_number(n) for n in _NUMBER.findall(cell or "")}


def postcodes_in(cell: str) -> set[str]:
    found = set()
    for part in re.split(r"[;,]", cell or ""):
        value = normalise_postcode(part)
        if value:
            found.add(value)
    return found


def evaluate(
    labels: Path,
    *,
    analyse: Callable[[list[Page]], object] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Score contacts (and, given *analyse*, is_digital) against *labels*."""
    format_name, items = load_items(labels)
    kinds = [k for k in KINDS if any(k in item.truth for item in items)]
    scores = {kind: Score() for kind in kinds}
    exact = {kind: [0, 0] for kind in kinds}
    errors: list[Error] = []
    digital = Score()
    abstained = 0
    digital_errors: list[tuple[str, str, str]] = []

    for done, item in enumerate(items, start=1):
        found, hidden = _predict(item)
        for kind, values in hidden.items():
            item.optional[kind] = item.optional.get(kind, set()) | values
        for kind in kinds:
            if kind not in item.truth:
                continue
            right = _score(item, kind, found.get(kind, {}), scores[kind], errors)
            exact[kind][0] += right
            exact[kind][1] += 1
        if analyse is not None:
            verdict = _is_digital(analyse(item.pages))
            abstained += verdict is None
            _score_digital(item, verdict, digital, digital_errors)
        if progress:
            progress(done, len(items))

    return Report(
        labels=labels,
        format=format_name,
        items=len(items),
        pages=sum(len(item.pages) for item in items),
        scores=scores,
        exact={k: (r, n) for k, (r, n) in exact.items()},
        errors=errors,
        is_digital=digital if analyse is not None else None,
        is_digital_abstained=abstained,
        is_digital_errors=digital_errors,
    )


def _predict(
    item: Item,
) -> tuple[dict[str, dict[str, Contact]], dict[str, set[str]]]:
    """What the extraction finds for the item: kind → value → first sighting; and,
    when the labels list only visible contacts, kind → values found only in JSON-LD.
    """
    per_page = [extract_contacts(page) for page in item.pages]
    hidden: dict[str, set[str]] = {}
    if item.visible_only:
        shown = {
            (c.kind, c.value) for cs in per_page for c in cs if c.source != "jsonld"
        }
        for contacts in per_page:
            for c in contacts:
                if (c.kind, c.value) not in shown:
                    hidden.setdefault(c.kind, set()).add(c.value)
    found: dict[str, dict[str, Contact]] = {}
    for contact in site_contacts(per_page):
        if contact.kind == "social" and item.platforms is not None:
            social = canonical_social(contact.value)
            if social is None or social[1] not in item.platforms:
                continue
        found.setdefault(contact.kind, {}).setdefault(contact.value, contact)
    return found, hidden


def _score(
    item: Item,
    kind: str,
    found: dict[str, Contact],
    score: Score,
    errors: list[Error],
) -> bool:
    truth = item.truth[kind]
    optional = item.optional.get(kind, set()) - truth
    predicted = set(found) - optional
    score.tp += len(predicted & truth)
    for value in sorted(predicted - truth):
        score.fp += 1
        errors.append(Error(item.name, kind, "false_positive", value, found[value].url))
    for value in sorted(truth - predicted):
        score.fn += 1
        errors.append(Error(item.name, kind, "false_negative", value))
    return predicted == truth


def _is_digital(verdict: object) -> bool | None:
    if isinstance(verdict, dict):
        return verdict.get("is_digital")
    return getattr(verdict, "is_digital", None)


def _score_digital(
    item: Item,
    predicted: bool | None,
    score: Score,
    errors: list[tuple[str, str, str]],
) -> None:
    """Borderline labels count as "no": the strict reading the labels recommend."""
    truth = item.is_digital == "yes"
    shown = {True: "yes", False: "no", None: "abstain"}[predicted]
    if predicted and truth:
        score.tp += 1
    elif predicted and not truth:
        score.fp += 1
        errors.append((item.name, item.is_digital, shown))
    elif truth:
        score.fn += 1
        errors.append((item.name, item.is_digital, shown))
