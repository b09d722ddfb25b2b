"""Items that spiders hand to the pipelines.

These are plain dataclasses (Scrapy accepts them through itemadapter) so that the
core library, the pipelines and tests share one contract without importing Scrapy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(slots=True)
class PageItem:
    """One fetched page of an organisation's website, with what extraction needs."""

    url: str
    domain: str
    status: int
    fetched_at: dt.datetime
    organisation_id: int | None = None
    # Lowercased header name → every value received, as decoded text.
    headers: dict[str, list[str]] = field(default_factory=dict)
    html: str = ""
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    # What the crawler took the page to be: home, about, contact, careers, legal, …
    page_kind: str | None = None
    depth: int = 0
    # Set, with status 0 or the HTTP status, when the fetch failed: timeout, dns, …
    error: str | None = None
