"""URL helpers shared by the contact extractors."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """The lower-case host of *url*, or "" when the URL is malformed (``http://[::1``)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
