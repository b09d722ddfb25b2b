"""Retries wait with backoff, honour Retry-After up to a cap, and skip dead domains."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.retry import BackoffRetryMiddleware, retry_after_seconds

NOW = dt.datetime(2026, 12, 3, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param("120", 120.0, id="seconds"),
        pytest.param(" 0 ", 0.0, id="zero"),
        pytest.param("Thu, 03 Dec 2026 12:00:30 GMT", 30.0, id="http-date"),
        pytest.param("Thu, 03 Dec 2026 11:00:00 GMT", 0.0, id="date-in-the-past"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("-5", None, id="negative"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    """Retry-After is read as delta-seconds or an HTTP date; anything else is ignored."""
    assert retry_after_seconds(value, now=NOW) == seconds


def middleware(**settings: object) -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, settings_dict=settings)
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def too_many(retry_after: str) -> Response:
    return Response("http://a.test/", status=429, headers={"Retry-After": retry_after})


@pytest.mark.asyncio
async def test_waits_as_long_as_retry_after_asks() -> None:
    """A 429 with Retry-After: 1 is retried after about one second, not at once."""
    retry = middleware(DATACITY_RETRY_BACKOFF=0)
    started = time.monotonic()
    result = await retry.process_response(Request("http://a.test/"), too_many("1"))
    assert isinstance(result, Request)
    assert result.meta["retry_times"] == 1
    assert time.monotonic() - started >= 0.95


@pytest.mark.asyncio
async def test_gives_up_when_retry_after_is_beyond_the_cap() -> None:
    """A Retry-After longer than DATACITY_RETRY_AFTER_MAX is not waited for."""
    retry = middleware(DATACITY_RETRY_AFTER_MAX=5)
    started = time.monotonic()
    response = too_many("3600")
    assert await retry.process_response(Request("http://a.test/"), response) is response
    assert time.monotonic() - started < 0.5
    assert retry.crawler.stats.get_value("datacity/retry/retry_after_too_long") == 1


@pytest.mark.asyncio
async def test_backoff_doubles_between_attempts() -> None:
    """Without Retry-After the wait is backoff * 2**attempt."""
    retry = middleware(DATACITY_RETRY_BACKOFF=0.1)
    request = Request("http://a.test/", meta={"retry_times": 1})
    started = time.monotonic()
    result = await retry.process_exception(request, DownloadTimeoutError("slow"))
    assert isinstance(result, Request)
    assert time.monotonic() - started >= 0.19


@pytest.mark.asyncio
async def test_dead_domains_and_exhausted_retries_are_not_retried() -> None:
    """A DNS failure is final at once; after RETRY_TIMES the response goes through."""
    retry = middleware(DATACITY_RETRY_BACKOFF=0, RETRY_TIMES=2)
    dns = CannotResolveHostError("no such host")
    assert await retry.process_exception(Request("http://gone.test/"), dns) is None

    spent = Request("http://a.test/", meta={"retry_times": 2})
    response = Response("http://a.test/", status=503)
    assert await retry.process_response(spent, response) is response
