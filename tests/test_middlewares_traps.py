"""Trap rules, site identity and error kinds used by the sites spider."""

from __future__ import annotations

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.middlewares.domains import registrable_domain
from crawler.middlewares.errors import RobotsUnavailable, error_kind, status_kind
from crawler.middlewares.traps import trap_reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        pytest.param("http://a.test/about/", None, id="plain"),
        pytest.param("http://a.test/blog/2024/05/launch", None, id="dated-post"),
        pytest.param("http://a.test/news/post-12/", None, id="numbered"),
        pytest.param("http://a.test/calendar/2026/12/", "calendar", id="calendar-path"),
        pytest.param("http://a.test/events/2026/12/03", "calendar", id="calendar-day"),
        pytest.param(
            "http://a.test/events?month=2026-12", "calendar", id="calendar-query"
        ),
        pytest.param("http://a.test/about/about/", "repeated_segment", id="repeat"),
        pytest.param(
            "http://a.test/a/team/b/team", "repeated_segment", id="repeat-apart"
        ),
        pytest.param(
            "http://a.test/s?a=1&b=2&c=3&d=4&e=5", "query_parameters", id="facets"
        ),
        pytest.param("http://a.test/" + "x" * 600, "url_length", id="long"),
    ],
)
def test_trap_reason(url: str, reason: str | None) -> None:
    """Endless URL shapes are recognised and ordinary pages pass."""
    assert trap_reason(url) == reason


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.shop.example.co.uk", "example.co.uk"),
        ("Example.COM.", "example.com"),
        ("acme.github.io", "acme.github.io"),
        ("www.redirect-offsite.test", "redirect-offsite.test"),
        ("10.0.0.1", "10.0.0.1"),
    ],
)
def test_registrable_domain(host: str, domain: str) -> None:
    """A site is its registrable domain, private suffixes such as github.io included."""
    assert registrable_domain(host) == domain


def http_error(status: int) -> HttpError:
    return HttpError(Response("http://a.test/", status=status), "not ok")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (CannotResolveHostError("x"), "dns"),
        (DownloadTimeoutError("x"), "timeout"),
        (DownloadCancelledError("x"), "too_large"),
        (DownloadConnectionRefusedError("x"), "connection"),
        (http_error(404), "not_found"),
        (http_error(403), "client_error"),
        (http_error(429), "rate_limited"),
        (http_error(503), "server_error"),
        (RobotsUnavailable("x", kind="dns"), "dns"),
        (IgnoreRequest("max redirections reached"), "redirect_loop"),
        (ValueError("x"), "other"),
    ],
)
def test_error_kind(error: BaseException, kind: str) -> None:
    """Each failure maps to the error kind stored on the page."""
    assert error_kind(error) == kind


def test_status_kind_of_success_is_none() -> None:
    """Successful and redirect statuses are not errors."""
    assert status_kind(200) is None and status_kind(301) is None
