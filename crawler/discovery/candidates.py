"""Candidate websites for an organisation with no verified one.

Candidates come from four places, recorded as their *source*:

- ``registry``: a URL given in registry or seed data (the organisation said so, but
  such URLs go stale: the domain lapses and is parked or resold);
- ``email_domain``: the domain of an address in registry data, unless it is a shared
  mail provider;
- ``link``: a domain linked from a verified site whose name resembles the organisation;
- ``name``: domains guessed from the organisation's name: legal form removed, ``&``
  read as "and", words joined and hyphenated, under the TLDs small UK organisations use.

A candidate on a platform (social network, directory, site builder's shared host,
marketplace, link-in-bio page) is kept, so that its rejection is stored, but never
fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from crawler.discovery import names
from crawler.discovery.platforms import (
    hostname_of,
    is_shared_mail,
    platform_of,
    registrable_domain,
)

# In the order they are tried: the UK's own first, then the common generic ones and the
# newer TLDs that digital businesses favour.
TLDS: tuple[str, ...] = (
    "co.uk",
    "com",
    "uk",
    "io",
    "tech",
    "digital",
    "org.uk",
    "net",
    "ltd",
)

# The source of a candidate, strongest first; a domain found twice keeps both.
SOURCES: tuple[str, ...] = ("registry", "email_domain", "link", "name")

MAX_LABEL = 63  # RFC 1035: the longest DNS label
MIN_LABEL = 2
LINK_SIMILARITY = 85  # rapidfuzz ratio a linked domain needs to count as the org's


@dataclass(frozen=True, slots=True)
class Candidate:
    """A domain that may be an organisation's website, and where to start reading it."""

    domain: str
    url: str
    sources: tuple[str, ...]
    # Set when the domain is a platform: the category, and the candidate is not fetched.
    platform: str | None = None

    @property
    def source(self) -> str:
        return self.sources[0]


def name_labels(name: str) -> list[str]:
    """Domain labels a business called *name* might register, likeliest first.

    "Smith & Jones Ltd" gives smithandjones, smith-and-jones, smithjones, smith-jones;
    descriptive words ("Group", "UK", "Holdings", a leading "The") are also dropped
    for a second set, and a name of three or more words adds its initials.
    """
    full = names.core_words(name)
    short = names.strip_descriptive(full)

    labels: list[str] = []
    for tokens in (full, short):
        without_and = [t for t in tokens if t != "and"]
        for variant in (tokens, without_and):
            if not variant:
                continue
            labels.append("".join(variant))
            if len(variant) > 1:
                labels.append("-".join(variant))

    significant = [t for t in short if t not in names.STOPWORDS]
    if len(significant) >= 3:
        labels.append("".join(t[0] for t in significant))

    return [label for label in _unique(labels) if _valid_label(label)]


def from_name(
    name: str, *, previous_names: Iterable[str] = (), tlds: Iterable[str] = TLDS
) -> list[Candidate]:
    """Candidates guessed from *name* (and then from *previous_names*) under *tlds*."""
    tlds = tuple(tlds)
    found: list[Candidate] = []
    for each in (name, *previous_names):
        for label in name_labels(each):
            for tld in tlds:
                domain = f"{label}.{tld}"
                found.append(
                    Candidate(
                        domain, f"http://{domain}/", ("name",), platform_of(domain)
                    )
                )
    return found


def from_urls(urls: Iterable[str], *, source: str = "registry") -> list[Candidate]:
    """Candidates from website URLs in registry or seed data (bare hosts accepted).

    The home page of the host given is fetched, so ``www.`` or a subdomain the
    organisation named is kept; what is recorded is the registrable domain.
    """
    found = []
    for raw in urls:
        raw = (raw or "").strip()
        if not raw:
            continue
        if "://" not in raw:
            raw = f"http://{raw}"
        parts = urlsplit(raw)
        if parts.scheme not in {"http", "https"}:
            continue
        host = hostname_of(raw)
        domain = registrable_domain(host)
        if domain is None:
            continue
        found.append(
            Candidate(domain, f"{parts.scheme}://{host}/", (source,), platform_of(host))
        )
    return found


def from_emails(emails: Iterable[str]) -> list[Candidate]:
    """Candidates from the domains of email addresses, shared mail providers skipped."""
    found = []
    for email in emails:
        if "@" not in (email or ""):
            continue
        host = hostname_of(email)
        domain = registrable_domain(host)
        if domain is None or is_shared_mail(domain):
            continue
        found.append(
            Candidate(domain, f"http://{domain}/", ("email_domain",), platform_of(host))
        )
    return found


def from_links(links: Iterable[str], name: str, *, own_domain: str) -> list[Candidate]:
    """Candidates from links on a verified site: other domains named like the org.

    A site links to many domains (suppliers, partners, tools); only those whose label
    reads like the organisation's name, such as its shop or its old brand, qualify.
    """
    wanted = set(name_labels(name))
    found = []
    for link in links:
        host = hostname_of(link)
        domain = registrable_domain(host)
        if domain is None or domain == own_domain or platform_of(host):
            continue
        label = domain.split(".", 1)[0]
        if label in wanted or any(
            fuzz.ratio(label, want) >= LINK_SIMILARITY for want in wanted
        ):
            found.append(Candidate(domain, f"http://{host}/", ("link",)))
    return found


def merge(*groups: Iterable[Candidate], limit: int | None = None) -> list[Candidate]:
    """One candidate per domain, strongest source first, keeping every source seen.

    The URL of the strongest source is kept, so a registry URL beats a guessed one.
    *limit* caps the number of candidates that will be fetched; platforms are always
    kept, since recording them costs no request.
    """
    by_domain: dict[str, Candidate] = {}
    for group in groups:
        for candidate in group:
            earlier = by_domain.get(candidate.domain)
            if earlier is None:
                by_domain[candidate.domain] = candidate
                continue
            sources = tuple(
                s for s in SOURCES if s in earlier.sources + candidate.sources
            )
            stronger = min(earlier, candidate, key=lambda c: SOURCES.index(c.source))
            by_domain[candidate.domain] = Candidate(
                stronger.domain, stronger.url, sources, stronger.platform
            )

    ordered = sorted(
        by_domain.values(), key=lambda c: SOURCES.index(c.source)
    )  # stable: guessed names keep their likeliest-first order
    kept: list[Candidate] = []
    fetched = 0
    for candidate in ordered:
        if candidate.platform is None:
            if limit is not None and fetched >= limit:
                continue
            fetched += 1
        kept.append(candidate)
    return kept


def _valid_label(label: str) -> bool:
    return (
        MIN_LABEL <= len(label) <= MAX_LABEL
        and not label.startswith("-")
        and not label.endswith("-")
    )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
