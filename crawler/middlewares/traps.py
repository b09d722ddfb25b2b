"""Crawler traps: URLs that a site can generate without end.

The sites spider asks :func:`trap_reason` before it schedules a link (it keeps its
own per-site page budget, the last defence, and must know of every request it makes,
so the check is a function it calls rather than a filter that drops requests).

Rules, each cheap and each seen on real sites:

- a URL longer than the limit (session ids, faceted search, broken templates);
- a path segment repeated (``/about/about/``, relative links on a page with no
  trailing slash); dates and numbers are allowed to repeat;
- a calendar page: the path ends in a year and month (and maybe day), or the query
  names a day, month, year or date; an events calendar links to next month forever.
  Blog posts under ``/2024/05/title`` are not calendar pages and pass;
- a query string with many parameters (faceted search).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

MAX_QUERY_PARAMETERS = 4
CALENDAR_QUERY_KEYS = {"day", "month", "year", "date", "week", "calendar", "ical"}
_YEAR = re.compile(r"^(19|20|21)\d\d$")
_SMALL_NUMBER = re.compile(r"^\d{1,2}$")


def trap_reason(url: str, *, max_length: int = 512) -> str | None:
    """Why *url* looks like a crawler trap, or None when it may be crawled."""
    if len(url) > max_length:
        return "url_length"

    parts = urlsplit(url)
    segments = [s for s in parts.path.lower().split("/") if s]
    words = [s for s in segments if not s.isdigit()]
    if len(set(words)) < len(words):  # some word appears more than once
        return "repeated_segment"

    if _ends_in_date(segments):
        return "calendar"
    if not parts.query:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.lower() in CALENDAR_QUERY_KEYS for key, _ in query):
        return "calendar"
    if len(query) > MAX_QUERY_PARAMETERS:
        return "query_parameters"
    return None


def _ends_in_date(segments: list[str]) -> bool:
    """True for paths ending .../YYYY/MM or .../YYYY/MM/DD."""
    for size in (2, 3):
        tail = segments[-size:]
        if (
            len(tail) == size
            and _YEAR.match(tail[0])
            and all(_SMALL_NUMBER.match(s) for s in tail[1:])
        ):
            return True
    return False
