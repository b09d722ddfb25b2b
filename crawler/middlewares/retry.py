"""Retries that back off, and that wait as long as a server's Retry-After asks.

Scrapy's RetryMiddleware re-queues a failed request at once. This subclass waits
first: ``DATACITY_RETRY_BACKOFF * 2**n`` seconds before retry n+1, or the server's
``Retry-After`` (seconds or an HTTP date) on a 429 or 503 when it says so. A
Retry-After beyond ``DATACITY_RETRY_AFTER_MAX`` is not waited for: the page is given
up and recorded as rate limited, rather than holding a download slot for minutes.
Waiting holds the site's download slot, which is the point: the site asked us to.

A failed DNS lookup is not retried: a company's lapsed domain is common and will not
come back within seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError
from twisted.internet.error import DNSLookupError

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(
    value: str | None, *, now: dt.datetime | None = None
) -> float | None:
    """Seconds a Retry-After header value asks for, or None when it is unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.backoff = crawler.settings.getfloat("DATACITY_RETRY_BACKOFF", 1.0)
        middleware.retry_after_max = crawler.settings.getfloat(
            "DATACITY_RETRY_AFTER_MAX", 60.0
        )
        return middleware

    async def process_response(
        self, request: Request, response: Response
    ) -> Request | Response:
        if (
            request.meta.get("dont_retry")
            or response.status not in self.retry_http_codes
        ):
            return response

        asked = None
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After", b"").decode("latin-1")
            asked = retry_after_seconds(header)
        if asked is not None and asked > self.retry_after_max:
            self.crawler.stats.inc_value("datacity/retry/retry_after_too_long")
            logger.info(
                "%s asks to retry after %.0f s, beyond the cap of %.0f s; giving up",
                request.url,
                asked,
                self.retry_after_max,
            )
            return response

        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await self._wait(request, asked)
        return retry

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | None:
        if isinstance(exception, CannotResolveHostError | DNSLookupError):
            return None
        retry = super().process_exception(request, exception)
        if retry is not None:
            await self._wait(request, None)
        return retry

    async def _wait(self, request: Request, asked: float | None) -> None:
        attempt = request.meta.get("retry_times", 0)
        delay = asked if asked is not None else self.backoff * 2**attempt
        if delay > 0:
            self.crawler.stats.inc_value("datacity/retry/waited_s", delay)
            await asyncio.sleep(delay)
