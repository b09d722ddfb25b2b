"""robots.txt outcomes per RFC 9309: 4xx allows, 5xx and network errors disallow."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Response, TextResponse
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from crawler.middlewares.errors import RobotsForbidden, RobotsUnavailable
from crawler.middlewares.robots import RobotsPolicyMiddleware

AGENT = "datacity/test (+https://example.org/)"


def middleware() -> RobotsPolicyMiddleware:
    crawler = get_crawler(
        settings_dict={
            "ROBOTSTXT_OBEY": True,
            "USER_AGENT": AGENT,
            "DATACITY_CRAWL_DELAY_MAX": 5,
        }
    )
    return RobotsPolicyMiddleware.from_crawler(crawler)


async def parsed(robots: Response) -> RobotsPolicyMiddleware:
    """A middleware that has read *robots* for a.test, as after its fetch."""
    mw = middleware()
    mw._parsers["a.test"] = Deferred()
    await mw._parse_robots(robots, "a.test", Request("http://a.test/"))
    return mw


def check(mw: RobotsPolicyMiddleware, url: str) -> None:
    mw.process_request_2(mw._parsers["a.test"], Request(url))


@pytest.mark.asyncio
async def test_missing_robots_txt_allows_everything() -> None:
    """A 404 means no rules, even when the error page's body looks like rules."""
    body = b"User-agent: *\nDisallow: /\n"
    mw = await parsed(Response("http://a.test/robots.txt", status=404, body=body))
    check(mw, "http://a.test/about")


@pytest.mark.asyncio
async def test_server_error_disallows_everything() -> None:
    """A 5xx robots.txt disallows the whole site, recorded as robots_unavailable."""
    mw = await parsed(Response("http://a.test/robots.txt", status=503))
    with pytest.raises(RobotsUnavailable) as refused:
        check(mw, "http://a.test/")
    assert refused.value.kind == "robots_unavailable"


@pytest.mark.asyncio
async def test_unreachable_robots_txt_keeps_the_network_error_kind() -> None:
    """A domain that does not resolve is disallowed and recorded as dns."""
    mw = middleware()
    mw._parsers["a.test"] = Deferred()
    mw._robots_error(CannotResolveHostError("no such host"), "a.test")
    with pytest.raises(RobotsUnavailable) as refused:
        check(mw, "http://a.test/")
    assert refused.value.kind == "dns"


@pytest.mark.asyncio
async def test_rules_and_crawl_delay_are_read_with_a_cap() -> None:
    """Disallowed paths are refused, and a Crawl-delay beyond the cap is capped."""
    robots = TextResponse(
        "http://a.test/robots.txt",
        body=b"User-agent: *\nDisallow: /private/\nCrawl-delay: 60\n",
    )
    mw = await parsed(robots)
    with pytest.raises(RobotsForbidden):
        check(mw, "http://a.test/private/x")
    assert mw._delays["a.test"] == 5
