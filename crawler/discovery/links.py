"""Which pages of a candidate site to read after its home page.

Trading disclosures (the registered number and office) are printed in the footer or
on the legal pages: privacy, terms, legal notice, company information. Contact and
about pages carry the address and the name as the organisation writes it. Discovery
reads at most a couple of these, the likeliest first, so an organisation with thirty
candidate domains costs few requests.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.discovery.platforms import registrable_domain
from crawler.extract.page import Page

# Kinds of page in the order they are worth reading; matched on the URL path and
# the link text.
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "legal",
        re.compile(
            r"privacy|terms|legal|imprint|impressum|disclaimer|company[-_ ]?info"
            r"|disclosure|conditions|cookie|gdpr",
            re.IGNORECASE,
        ),
    ),
    ("contact", re.compile(r"contact|get[-_ ]in[-_ ]touch|find[-_ ]us", re.IGNORECASE)),
    ("about", re.compile(r"about|who[-_ ]we[-_ ]are|our[-_ ]story", re.IGNORECASE)),
)

_NOT_PAGES = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|svg|webp|zip|docx?|xlsx?|pptx?|mp4|mp3|css|js|xml)$",
    re.IGNORECASE,
)


def evidence_links(page: Page, *, limit: int = 2) -> list[tuple[str, str]]:
    """Up to *limit* (kind, url) pairs on *page*'s own site, likeliest to carry
    the company number first; one page per kind before a second of any kind."""
    site = registrable_domain(page.url)
    found: dict[str, list[str]] = {kind: [] for kind, _ in KINDS}
    seen = {page.url.split("#", 1)[0]}

    for link in page.links:
        url = link.url.split("#", 1)[0]
        parts = urlsplit(url)
        if (
            url in seen
            or parts.scheme not in {"http", "https"}
            or registrable_domain(parts.hostname or "") != site
            or _NOT_PAGES.search(parts.path)
        ):
            continue
        for kind, pattern in KINDS:
            if pattern.search(parts.path) or pattern.search(link.text):
                found[kind].append(url)
                seen.add(url)
                break

    ordered: list[tuple[str, str]] = []
    rounds = max((len(urls) for urls in found.values()), default=0)
    for index in range(rounds):
        for kind, _ in KINDS:
            if index < len(found[kind]):
                ordered.append((kind, found[kind][index]))
    return ordered[:limit]
