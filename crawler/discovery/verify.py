"""Is this candidate site the organisation's own? A score from evidence on its pages.

UK trading-disclosure rules make a company's website print its registered number, so
the organisation's own number on the site is near-certain proof, and another company's
number is strong proof against. Sites that print no number are judged on weaker,
independent facts: the name the site gives itself, the registered postcode, and where
the candidate came from. One fact of these is not enough; two agreeing ones are.

Weights (summed, then clipped to 0..1):

==========================  =======  ==============================================
reason                      weight   when
==========================  =======  ==============================================
``company_number``          +1.00    the organisation's own number is printed
``other_company_number``    -1.00    only other companies' numbers are printed
``name``                    +0.45*s  the site's name (title, og:site_name, JSON-LD,
                                     footer, the legal name in the text) matches the
                                     organisation's with similarity s ≥ 0.85
``postcode``                +0.30    the registered office postcode is printed
``registry``                +0.40    the URL came from registry or seed data
``email_domain``            +0.30    an address in registry data uses the domain
``link``                    +0.20    a verified site of the organisation links to it
``domain_name``             +0.15    the domain reads like the organisation's name
``parked``                  -0.50    a parked, for-sale or web-server default page
==========================  =======  ==============================================

A platform domain (see :mod:`crawler.discovery.platforms`), a site that could not be
fetched, or one that redirects to a platform scores 0. Verdicts: ``verified`` from
0.70, ``candidate`` from 0.30 (kept for a person or a later run to settle),
``rejected`` below; "no match" is a valid outcome.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from crawler.discovery import names
from crawler.discovery.candidates import Candidate, name_labels
from crawler.discovery.platforms import platform_of, registrable_domain
from crawler.extract.company_numbers import find_company_numbers
from crawler.extract.page import Page

VERIFIED_AT = 0.70
CANDIDATE_AT = 0.30

WEIGHTS: dict[str, float] = {
    "company_number": 1.0,
    "other_company_number": -1.0,
    "name": 0.45,
    "postcode": 0.30,
    "domain_name": 0.15,
    "parked": -0.50,
}
# Where the candidate came from; a domain guessed from the name gains nothing here
# (it earns ``domain_name`` instead).
SOURCE_WEIGHTS: dict[str, float] = {
    "registry": 0.40,
    "email_domain": 0.30,
    "link": 0.20,
}
NAME_SIMILARITY = 0.85
DOMAIN_SIMILARITY = 90  # rapidfuzz ratio between the domain label and a name label

# Reasons that come from the site's pages, mapped to the websites.match_method they
# give when they decide the verdict; otherwise the candidate's source is the method.
_PAGE_METHODS = {
    "company_number": "company_number",
    "other_company_number": "company_number",
    "name": "name",
    "postcode": "postcode",
}

# Lapsed domains show a registrar's holding page; fresh servers show their default,
# recognised by its title only, since "it works!" may be ordinary prose.
_PARKED = re.compile(
    r"domain (?:name )?(?:is|may be) for sale|buy this domain|this domain is parked"
    r"|parked free|domain parking|this domain has (?:recently )?been registered",
    re.IGNORECASE,
)
_SERVER_DEFAULT = re.compile(
    r"^(?:welcome to nginx|apache2? .*default page|index of /|it works"
    r"|future home of something quite cool|default web site page)",
    re.IGNORECASE,
)
_LEGAL_FORM = "(?:" + "|".join(" ".join(form) for form in names.LEGAL_FORMS) + ")"
# A title that is only a hostname ("smithandjones.co.uk") is the domain, not a name.
_HOSTNAME = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
_TITLE_SEPARATORS = re.compile(r"\s[|\-\u2013\u2014:\u00b7\u2022\u00bb\u00ab]\s|\|")
_COPYRIGHT = re.compile(r"(?:\u00a9|\(c\)|copyright)", re.IGNORECASE)
_COPYRIGHT_NOISE = re.compile(
    r"\u00a9|\(c\)|copyright|all rights reserved\.?|\b(?:19|20)\d{2}\b|[-\u2013]",
    re.IGNORECASE,
)
# JSON-LD types whose "name" is not the site owner's.
_NOT_OWNER_TYPES = {
    "webpage", "breadcrumblist", "listitem", "article", "blogposting", "newsarticle",
    "imageobject", "videoobject", "product", "offer", "faqpage", "question", "answer",
    "person", "event", "searchaction", "readaction", "review", "rating",
    "aggregaterating", "howto", "recipe", "jobposting", "service",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    """What the register knows about an organisation that a site can confirm."""

    name: str
    company_number: str | None = None
    postcode: str | None = None
    previous_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence, its weight, and where it was seen."""

    reason: str
    weight: float
    detail: str = ""


@dataclass(slots=True)
class Verdict:
    """The outcome for one candidate: score, verification, method and reasons."""

    score: float
    verification: str
    method: str
    reasons: list[Reason] = field(default_factory=list)
    # The page the site answered with (after redirects), and every page read.
    url: str | None = None
    pages: list[str] = field(default_factory=list)

    def evidence(self) -> dict[str, Any]:
        """The reasons as stored in ``websites.evidence``."""
        return {
            "score": self.score,
            "reasons": [
                {"reason": r.reason, "weight": r.weight, "detail": r.detail}
                for r in self.reasons
            ],
            "thresholds": {"verified": VERIFIED_AT, "candidate": CANDIDATE_AT},
            "pages": list(self.pages),
        }


def verify(
    organisation: OrganisationFacts,
    candidate: Candidate,
    pages: Sequence[Page],
    *,
    error: str | None = None,
) -> Verdict:
    """Score *candidate* for *organisation* from its fetched *pages*.

    *pages* are the home page first, then any legal, contact or about pages read;
    *error* names why nothing could be fetched (``dns``, ``timeout``, ``http_404``…).
    """
    if candidate.platform:
        reason = Reason("platform", 0.0, candidate.platform)
        return _verdict([reason], candidate, rejected=True)

    if not pages:
        reason = Reason("unreachable", 0.0, error or "no page")
        return _verdict([reason], candidate, rejected=True)

    landed = registrable_domain(pages[0].url) or candidate.domain
    platform = platform_of(pages[0].url)
    if platform:
        reason = Reason("platform", 0.0, f"redirected to {landed} ({platform})")
        return _verdict([reason], candidate, pages, rejected=True)

    reasons: list[Reason] = []
    if landed != candidate.domain:
        reasons.append(Reason("redirect", 0.0, f"redirected to {pages[0].url}"))
    reasons += company_number_reasons(organisation, pages)
    reasons += name_reasons(organisation, pages)
    reasons += postcode_reasons(organisation, pages)
    reasons += source_reasons(candidate)
    reasons += domain_reasons(organisation, candidate.domain)
    reasons += parked_reasons(pages)
    return _verdict(reasons, candidate, pages)


def company_number_reasons(
    organisation: OrganisationFacts, pages: Sequence[Page]
) -> list[Reason]:
    """Own number printed: near-certain; only other numbers printed: strongly against."""
    own = organisation.company_number
    where: dict[str, str] = {}
    for page in pages:
        for number in find_company_numbers(page.text):
            where.setdefault(number, page.url)

    if not where:
        return []
    if own and own in where:
        reasons = [
            Reason(
                "company_number", WEIGHTS["company_number"], f"{own} on {where[own]}"
            )
        ]
        others = sorted(set(where) - {own})
        if others:
            # Group sites list their sister companies; the own number decides.
            reasons.append(Reason("other_company_number", 0.0, ", ".join(others)))
        return reasons
    if own:
        shown = ", ".join(f"{n} on {u}" for n, u in where.items())
        return [Reason("other_company_number", WEIGHTS["other_company_number"], shown)]
    # No number on record: a printed one cannot be compared.
    return [Reason("company_number_unknown", 0.0, ", ".join(where))]


def name_reasons(
    organisation: OrganisationFacts, pages: Sequence[Page]
) -> list[Reason]:
    """The best match between the organisation's names and the names the site shows."""
    wanted = [organisation.name, *organisation.previous_names]
    best, seen_as, where = 0.0, "", ""
    for page in pages:
        for field_name, shown in site_names(page):
            similarity = max(name_similarity(w, shown) for w in wanted)
            if similarity > best:
                best, seen_as, where = similarity, shown, f"{field_name} on {page.url}"
        legal = legal_name_in_text(wanted, page)
        if legal and best < 1.0:
            best, seen_as, where = 1.0, legal, f"text on {page.url}"

    if best < NAME_SIMILARITY:
        return []
    weight = round(WEIGHTS["name"] * best, 3)
    return [Reason("name", weight, f"{seen_as!r} ({where}, similarity {best:.2f})")]


def postcode_reasons(
    organisation: OrganisationFacts, pages: Sequence[Page]
) -> list[Reason]:
    """The registered office postcode printed anywhere on the pages read."""
    postcode = (organisation.postcode or "").upper().replace(" ", "")
    if len(postcode) < 5:
        return []
    # Any spacing: "LS1 4AP", "LS14AP", "LS1  4AP".
    pattern = re.compile(
        rf"\b{re.escape(postcode[:-3])}\s*{re.escape(postcode[-3:])}\b", re.IGNORECASE
    )
    for page in pages:
        if pattern.search(page.text):
            return [
                Reason(
                    "postcode",
                    WEIGHTS["postcode"],
                    f"{organisation.postcode} on {page.url}",
                )
            ]
    return []


def source_reasons(candidate: Candidate) -> list[Reason]:
    """The strongest of the places the candidate came from, other than a name guess."""
    for source in candidate.sources:
        if source in SOURCE_WEIGHTS:
            return [Reason(source, SOURCE_WEIGHTS[source], candidate.url)]
    return []


def domain_reasons(organisation: OrganisationFacts, domain: str) -> list[Reason]:
    """The domain's label reads like one of the organisation's names."""
    label = domain.split(".", 1)[0]
    for name in (organisation.name, *organisation.previous_names):
        for wanted in name_labels(name):
            if label == wanted or fuzz.ratio(label, wanted) >= DOMAIN_SIMILARITY:
                return [
                    Reason("domain_name", WEIGHTS["domain_name"], f"{label} ~ {name}")
                ]
    return []


def parked_reasons(pages: Sequence[Page]) -> list[Reason]:
    """A registrar's parking page or a web server's default page on the home page."""
    home = pages[0]
    match = _PARKED.search(
        f"{home.title}\n{home.text[:5000]}"
    ) or _SERVER_DEFAULT.search(home.title)
    if match:
        return [Reason("parked", WEIGHTS["parked"], match.group(0))]
    return []


def site_names(page: Page) -> list[tuple[str, str]]:
    """What the page calls its owner: (where, name) pairs from title, meta, JSON-LD
    and footer copyright lines."""
    found: list[tuple[str, str]] = []
    for segment in _TITLE_SEPARATORS.split(page.title):
        found.append(("title", segment))
    for key in ("og:site_name", "application-name", "og:title"):
        if page.meta.get(key):
            found.append((key, page.meta[key]))
    for item in page.jsonld:
        if _owner_type(item):
            for key in ("name", "legalName", "alternateName"):
                value = item.get(key)
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str):
                        found.append((f"json-ld {key}", text))
    for line in _footer_lines(page):
        if _COPYRIGHT.search(line):
            found.append(("copyright", _COPYRIGHT_NOISE.sub(" ", line)))
    return [
        (where, text.strip())
        for where, text in found
        if text and text.strip() and not _HOSTNAME.match(text.strip())
    ]


def name_similarity(name: str, shown: str) -> float:
    """0..1: how closely *shown* (from a site) reads as the organisation *name*.

    Legal forms are ignored on both sides, words may come in any order, and spacing
    may differ ("CirroCloud" = "Cirro Cloud"). A site name that contains the whole
    name as a phrase ("Smith & Jones | Solicitors in Leeds") scores at least 0.9.
    """
    ours, theirs = names.core(name), names.core(shown)
    if not ours or not theirs:
        return 0.0
    score = max(
        fuzz.token_sort_ratio(ours, theirs),
        fuzz.ratio(ours.replace(" ", ""), theirs.replace(" ", "")),
    )
    if len(ours) >= 4 and re.search(rf"\b{re.escape(ours)}\b", theirs):
        score = max(score, 90.0)
    return score / 100


def legal_name_in_text(wanted: Iterable[str], page: Page) -> str | None:
    """A registered name printed with a legal form ("Smith & Jones Ltd") in the text.

    Any legal form counts, since sites write "Ltd" for a registered "LIMITED".
    """
    text = " ".join(names.words(page.text))
    for name in wanted:
        core = names.core(name)
        if not core:
            continue
        match = re.search(rf"\b{re.escape(core)} {_LEGAL_FORM}\b", text)
        if match:
            return match.group(0)
    return None


def _footer_lines(page: Page) -> list[str]:
    if page.tree is None:
        return []
    lines: list[str] = []
    for element in page.tree.xpath(
        "//footer | //*[contains(@id, 'footer') or contains(@class, 'footer')]"
    ):
        text = element.text_content()
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
    # Sites without a footer element still print the copyright line near the end.
    lines.extend(
        line for line in page.text.splitlines()[-15:] if _COPYRIGHT.search(line)
    )
    return lines


def _owner_type(item: dict[str, Any]) -> bool:
    kinds = item.get("@type") or []
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return not any(str(k).lower() in _NOT_OWNER_TYPES for k in kinds)


def _verdict(
    reasons: list[Reason],
    candidate: Candidate,
    pages: Sequence[Page] = (),
    *,
    rejected: bool = False,
) -> Verdict:
    score = 0.0 if rejected else min(1.0, max(0.0, sum(r.weight for r in reasons)))
    score = round(score, 3)
    if rejected or score < CANDIDATE_AT:
        verification = "rejected"
    elif score >= VERIFIED_AT:
        verification = "verified"
    else:
        verification = "candidate"
    method = _method(reasons, candidate)
    url = pages[0].url if pages else None
    return Verdict(score, verification, method, reasons, url, [p.url for p in pages])


def _method(reasons: list[Reason], candidate: Candidate) -> str:
    """The page reason that weighed most, else where the candidate came from."""
    decisive = [r for r in reasons if r.reason in _PAGE_METHODS and r.weight]
    if decisive:
        strongest = max(decisive, key=lambda r: abs(r.weight))
        return _PAGE_METHODS[strongest.reason]
    return candidate.source
