"""The verdict on one organisation's website: is it digital, why, and how to reach it.

``analyse_page`` does the per-page work once (signals, contacts, amount of text);
``verdict_of`` folds the pages of one site into a :class:`Verdict`; ``analyse_site``
does both. The CLI (``datacity analyse``), the evaluation and the Scrapy pipelines
share these, so a page is judged the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.classify import classify
from crawler.extract.contacts import Contact, extract_contacts, site_contacts
from crawler.extract.page import Page
from crawler.extract.signals import Signal, extract_signals, taxonomy, word_count


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What one page says: its signals, its contacts and how many words it has."""

    url: str
    signals: list[Signal]
    contacts: list[Contact]
    words: int


@dataclass
class Verdict:
    """The organisation-level result of analysing a site's pages."""

    is_digital: bool | None
    digital_score: float | None
    sectors: list[str]
    evidence: list[Signal]
    contacts: list[Contact]
    technologies: list[str]
    pages: int
    words: int
    ruleset_version: str
    signals: list[Signal] = field(default_factory=list, repr=False)

    def values(self, kind: str) -> list[str]:
        """The distinct normalised contact values of *kind*, in order of discovery."""
        return list(dict.fromkeys(c.value for c in self.contacts if c.kind == kind))

    def to_json(self) -> dict[str, Any]:
        return {
            "is_digital": self.is_digital,
            "digital_score": self.digital_score,
            "sectors": self.sectors,
            "emails": self.values("email"),
            "phones": self.values("phone"),
            "socials": self.values("social"),
            "company_numbers": self.values("company_number"),
            "postcodes": self.values("postcode"),
            "addresses": self.values("address"),
            "technologies": self.technologies,
            "evidence": [s.to_json() for s in self.evidence],
            "contacts": [
                {
                    "kind": c.kind,
                    "value": c.value,
                    "shown": c.shown,
                    "url": c.url,
                    "is_personal": c.is_personal,
                }
                for c in self.contacts
            ],
            "pages": self.pages,
            "words": self.words,
            "ruleset_version": self.ruleset_version,
        }


def analyse_page(page: Page, *, technologies: bool = True) -> PageAnalysis:
    """Signals, contacts and word count of one page."""
    return PageAnalysis(
        page.url,
        extract_signals(page, technologies=technologies),
        extract_contacts(page),
        word_count(page),
    )


def verdict_of(analyses: Sequence[PageAnalysis]) -> Verdict:
    """The verdict on one organisation from the analyses of its pages."""
    signals = [s for a in analyses for s in a.signals]
    words = sum(a.words for a in analyses)
    result = classify(signals, words=words)
    return Verdict(
        is_digital=result.is_digital,
        digital_score=result.score,
        sectors=result.sectors,
        evidence=result.evidence,
        contacts=site_contacts([a.contacts for a in analyses]),
        technologies=sorted({s.value for s in signals if s.kind == "technology"}),
        pages=len(analyses),
        words=words,
        ruleset_version=taxonomy().version,
        signals=signals,
    )


def analyse_site(pages: Iterable[Page], *, technologies: bool = True) -> Verdict:
    """Analyse every page of one organisation's site and return the verdict."""
    return verdict_of([analyse_page(p, technologies=technologies) for p in pages])
