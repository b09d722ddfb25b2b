"""robots.txt with RFC 9309 semantics, and Crawl-delay honoured up to a cap.

Scrapy's RobotsTxtMiddleware treats a robots.txt it could not fetch as "allow all".
RFC 9309 (section 2.3.1) asks the opposite for a server error or an unreachable host:
assume complete disallow. A 4xx (no robots.txt) still means no rules. This subclass
keeps Scrapy's fetching and parsing (Protego) and changes only those outcomes, and
applies the ``Crawl-delay`` it finds to the site's download slot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.middlewares.errors import RobotsForbidden, RobotsUnavailable, error_kind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Stands in for a parser when robots.txt could not be read."""

    kind: str
    reason: str


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_delay = crawler.settings.getfloat("DATACITY_CRAWL_DELAY_MAX", 10.0)
        self._delays: dict[str, float] = {}

    def process_request_2(
        self, rp: RobotParser | Unavailable | None, request: Request
    ) -> None:
        if isinstance(rp, Unavailable):
            self._stats.inc_value("datacity/robots/unavailable")
            raise RobotsUnavailable(
                f"robots.txt unavailable ({rp.reason}): {request.url} not fetched",
                kind=rp.kind,
            )
        if rp is None:
            return

        useragent = self._robotstxt_useragent or request.headers.get(
            b"User-Agent", self._default_useragent
        )
        if not rp.allowed(request.url, useragent):
            self._stats.inc_value("robotstxt/forbidden")
            raise RobotsForbidden(f"Forbidden by robots.txt: {request.url}")

        delay = self._delays.get(urlparse_cached(request).netloc)
        if delay:
            self._slow_down(request, delay)

    async def robot_parser(self, request: Request) -> RobotParser | Unavailable | None:
        """Scrapy's own, except that a failed fetch is logged at DEBUG: a dead
        domain is routine in a register of companies, and is recorded as an error
        kind on the page instead."""
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)
                await self._parse_robots(response, netloc, request)
            except Exception as error:
                logger.debug("Could not fetch %s: %r", robots.url, error)
                self._robots_error(error, netloc)
            self._stats.inc_value("robotstxt/request_count")

        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _parse_robots(
        self, response: Response, netloc: str, request: Request
    ) -> None:
        if response.status >= 500:
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._settle(
                netloc, Unavailable("robots_unavailable", f"HTTP {response.status}")
            )
            return
        if response.status >= 400:
            # No robots.txt (or not ours to read): no rules, per RFC 9309.
            response = response.replace(body=b"")

        await super()._parse_robots(response, netloc, request)
        rp = self._parsers[netloc]
        useragent = self._robotstxt_useragent or self._default_useragent
        delay = rp.crawl_delay(useragent) if rp is not None else None
        if delay:
            if delay > self.max_delay:
                logger.info(
                    "%s asks for Crawl-delay %s s; using the cap of %s s",
                    netloc,
                    delay,
                    self.max_delay,
                )
            self._delays[netloc] = min(float(delay), self.max_delay)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        key = f"robotstxt/exception_count/{type(exc)}"
        self._stats.inc_value(key)
        self._settle(netloc, Unavailable(error_kind(exc), type(exc).__name__))

    def _settle(self, netloc: str, outcome: Unavailable) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = outcome  # type: ignore[assignment]
        if isinstance(waiting, Deferred):
            waiting.callback(outcome)

    def _slow_down(self, request: Request, delay: float) -> None:
        """Make the site's download slot wait *delay* seconds between requests."""
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            downloader.per_slot_settings[key] = {
                "concurrency": 1,
                "delay": delay,
                "jitter": 0,
            }
            return
        slot.concurrency = 1
        slot.delay = max(slot.delay, delay)
        slot.jitter = 0
