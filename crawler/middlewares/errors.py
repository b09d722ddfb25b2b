"""Why a page was not fetched: refusal exceptions and the error kinds we record.

Error kinds (``pages.error`` and the ``errors`` of a crawl run's stats):

    dns                 the hostname does not resolve (or the local web has no such site)
    timeout             no complete answer within DOWNLOAD_TIMEOUT
    connection          refused, reset or broken connection
    too_large           the body passed DOWNLOAD_MAXSIZE (or never ended)
    not_found           HTTP 404 or 410
    client_error        any other HTTP 4xx
    rate_limited        HTTP 429 after the retries it allowed
    server_error        HTTP 5xx after retries
    not_html            fetched, but not an HTML page
    robots              robots.txt disallows the page
    robots_unavailable  robots.txt answered 5xx, so everything is disallowed
    blocked             the address is loopback, private, link-local or metadata
    redirect_loop       a redirect back to a URL already visited, or too many
    redirect_offsite    a redirect to another site (not followed)
    other               anything else (logged with its traceback)
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error


class CrawlRefused(IgnoreRequest):
    """Raised by a datacity middleware that refuses a request; ``kind`` says why."""

    kind = "other"

    def __init__(self, message: str, *, kind: str | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class BlockedAddress(CrawlRefused):
    """The request would reach a loopback, private, link-local or metadata address."""

    kind = "blocked"


class RobotsForbidden(CrawlRefused):
    """robots.txt disallows the URL for our user agent."""

    kind = "robots"


class RobotsUnavailable(CrawlRefused):
    """robots.txt could not be read (5xx or a network error): RFC 9309 says disallow.

    ``kind`` is ``robots_unavailable`` for a 5xx, or the network error's own kind
    (``dns``, ``timeout``, …) so that a dead domain is recorded as one.
    """

    kind = "robots_unavailable"


class RedirectLoop(CrawlRefused):
    """A redirect leads back to a URL already visited, or the chain is too long."""

    kind = "redirect_loop"


class OffsiteRedirect(CrawlRefused):
    """A redirect leads to another site; the crawl stays on the organisation's site."""

    kind = "redirect_offsite"


_NETWORK_KINDS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns"),
    (
        (DownloadTimeoutError, TimeoutError, tx_error.TimeoutError),
        "timeout",
    ),
    ((DownloadCancelledError,), "too_large"),
    (
        (
            DownloadConnectionRefusedError,
            DownloadFailedError,
            ResponseDataLossError,
            ConnectionError,
            tx_error.ConnectError,
            tx_error.ConnectionLost,
            tx_error.ConnectionDone,
        ),
        "connection",
    ),
]


def status_kind(status: int) -> str | None:
    """The error kind of an HTTP status, or None for a success."""
    if status < 400:
        return None
    if status in (404, 410):
        return "not_found"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    return "client_error"


def error_kind(error: BaseException) -> str:
    """The error kind for an exception a request failed with."""
    if isinstance(error, CrawlRefused):
        return error.kind
    if isinstance(error, HttpError):
        return status_kind(error.response.status) or "other"
    for classes, kind in _NETWORK_KINDS:
        if isinstance(error, classes):
            return kind
    if isinstance(error, IgnoreRequest) and "redirections" in str(error):
        # RedirectMiddleware's own give-up ("max redirections reached").
        return "redirect_loop"
    return "other"
