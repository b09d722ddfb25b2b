"""Record each crawl in ``crawl_runs``: its arguments, how it ended and its statistics.

The row is written when the spider opens (so a crawl that dies still leaves a trace
with no ``finished_at``) and completed when it closes, with a summary: pages (all,
fetched), errors by kind, sites (all, done, failed), requests, traps avoided, retries
and the elapsed time. Scrapy's full stats are kept under ``scrapy``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.db import dispose_engines, get_engine
from crawler.store import Store

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Spider arguments worth keeping with the run.
RECORDED_ARGS = ("org", "limit", "seeds")


def summarise(stats: dict[str, Any], elapsed: float) -> dict[str, Any]:
    """The run's headline figures from Scrapy's stats."""

    def grouped(prefix: str) -> dict[str, int]:
        return {
            key.removeprefix(prefix): value
            for key, value in sorted(stats.items())
            if key.startswith(prefix)
        }

    pages = stats.get("datacity/pages", 0)
    return {
        "pages": pages,
        "pages_ok": stats.get("datacity/pages_ok", 0),
        "pages_stored": stats.get("datacity/pages_stored", 0),
        "errors": grouped("datacity/errors/"),
        "sites": stats.get("datacity/sites", 0),
        "sites_done": stats.get("datacity/sites_done", 0),
        "sites_failed": stats.get("datacity/sites_failed", 0),
        "requests": stats.get("downloader/request_count", 0),
        "retries": stats.get("retry/count", 0),
        "traps": grouped("datacity/traps/"),
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        "blocked_addresses": stats.get("datacity/blocked_address", 0),
        "elapsed_seconds": round(elapsed, 3),
        "pages_per_second": round(pages / elapsed, 2) if elapsed > 0 else None,
        "scrapy": stats,
    }


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("DATACITY_CRAWL_RUNS", True):
            raise NotConfigured
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    async def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.store = Store(get_engine())
        args = {
            name: str(getattr(spider, name))
            for name in RECORDED_ARGS
            if getattr(spider, name, None) is not None
        }
        args["page_budget"] = self.crawler.settings.getint("DATACITY_PAGE_BUDGET", 20)
        self.run_id = await self.store.start_run(f"crawl:{spider.name}", args)
        logger.info("Crawl run %d started", self.run_id)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None or self.run_id is None:
            return
        summary = summarise(
            self.crawler.stats.get_stats(), time.monotonic() - self.started
        )
        try:
            await self.store.finish_run(self.run_id, outcome=reason, stats=summary)
            logger.info(
                "Crawl run %d %s: %d pages (%d fetched), %d of %d sites done, errors %s",
                self.run_id,
                reason,
                summary["pages"],
                summary["pages_ok"],
                summary["sites_done"],
                summary["sites"],
                summary["errors"] or "none",
            )
        finally:
            # The last writer of the process: close the pools so it can exit.
            await dispose_engines()
