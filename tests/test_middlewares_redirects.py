"""Redirect policy: loops, off-site moves and private targets are refused with a kind."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.errors import CrawlRefused, error_kind
from crawler.middlewares.redirects import RedirectPolicyMiddleware


def redirect(url: str, location: str, chain: list[str] | None = None) -> str | None:
    """The error kind raised for a 302 from *url* to *location*, or None if followed."""
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 5})
    middleware = RedirectPolicyMiddleware.from_crawler(crawler)
    request = Request(url, meta={"redirect_urls": chain or []})
    response = Response(url, status=302, headers={"Location": location})
    try:
        assert middleware.process_response(request, response) is response
    except CrawlRefused as refused:
        return error_kind(refused)
    return None


@pytest.mark.parametrize(
    ("url", "location", "chain", "kind"),
    [
        pytest.param(
            "http://acme.co.uk/", "https://www.acme.co.uk/", None, None, id="www-https"
        ),
        pytest.param("http://acme.co.uk/a", "/b", None, None, id="relative"),
        pytest.param(
            "http://acme.co.uk/b",
            "/a",
            ["http://acme.co.uk/a"],
            "redirect_loop",
            id="loop",
        ),
        pytest.param("http://acme.co.uk/a", "/a", None, "redirect_loop", id="self"),
        pytest.param(
            "http://acme.co.uk/",
            "http://other.com/",
            None,
            "redirect_offsite",
            id="offsite",
        ),
        pytest.param(
            "http://www.acme.co.uk/x",
            "http://evil.com/",
            ["http://acme.co.uk/"],
            "redirect_offsite",
            id="offsite-later",
        ),
        pytest.param(
            "http://acme.co.uk/",
            "http://169.254.169.254/latest/",
            None,
            "blocked",
            id="metadata",
        ),
        pytest.param(
            "http://acme.co.uk/", "http://10.0.0.1/", None, "blocked", id="private"
        ),
    ],
)
def test_redirect_policy(
    url: str, location: str, chain: list[str] | None, kind: str | None
) -> None:
    """Each redirect is followed or refused with the kind the spider records."""
    assert redirect(url, location, chain) == kind


def test_long_chains_count_as_loops() -> None:
    """A chain longer than REDIRECT_MAX_TIMES is a loop even with fresh URLs."""
    chain = [f"http://acme.co.uk/{n}" for n in range(6)]
    assert redirect("http://acme.co.uk/6", "/7", chain) == "redirect_loop"


def test_non_redirects_pass_untouched() -> None:
    """A 200 with a Location header is not a redirect."""
    middleware = RedirectPolicyMiddleware.from_crawler(get_crawler())
    response = Response("http://a.test/", status=200, headers={"Location": "/x"})
    assert middleware.process_response(Request("http://a.test/"), response) is response
