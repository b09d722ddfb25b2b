"""Websites named in seed data: the URL as given and its registrable domain."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import tldextract


@functools.cache
def _extract() -> tldextract.TLDExtract:
    # The public suffix list snapshot bundled with tldextract: an import must not
    # depend on fetching the live list over the network.
    return tldextract.TLDExtract(suffix_list_urls=())


def website_url(raw: str | None) -> str | None:
    """``"www.Example.co.uk/about"`` → ``"https://www.example.co.uk/about"``; None if no host."""
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    if "://" not in raw:
        raw = f"https://{raw.lstrip('/')}"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if registrable_domain(raw) is None:
        return None
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def registrable_domain(url: str) -> str | None:
    """The domain an organisation registers: ``https://www.shop.example.co.uk`` → ``example.co.uk``."""
    try:
        result = _extract()(url)
    except ValueError:
        return None
    if not result.domain or not result.suffix:
        return None
    return f"{result.domain}.{result.suffix}".lower()
