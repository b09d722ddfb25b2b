"""Store every crawled page in ``pages``, in batches, and stamp organisations.last_crawled.

Items pass on unchanged to the extraction pipelines that follow. A batch the store
refuses for good is logged and counted, never raised: one bad page must not stop a
crawl, and the pages of other batches are already committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from crawler import models
from crawler.db import get_engine
from crawler.errors import StoreError
from crawler.items import PageItem
from crawler.store import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def page_row(item: PageItem) -> dict[str, Any]:
    return {
        "url": item.url,
        "domain": item.domain,
        "status": item.status,
        "error": item.error,
        "fetched_at": item.fetched_at,
        "etag": item.etag,
        "last_modified": item.last_modified,
        "content_hash": item.content_hash,
        "title": item.title,
        "first_seen": item.fetched_at,
        "last_seen": item.fetched_at,
    }


class PagesPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("DATACITY_PAGES_BATCH", 500)
        self.rows: list[dict[str, Any]] = []
        self.crawled: dict[int, dt.datetime] = {}
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PagesPipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        self.store = Store(get_engine())

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        self.rows.append(page_row(item))
        if item.organisation_id is not None:
            self.crawled[item.organisation_id] = item.fetched_at
        if len(self.rows) >= self.batch_size:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        """Write the pages gathered so far and stamp their organisations."""
        rows, self.rows = self.rows, []
        crawled, self.crawled = self.crawled, {}
        if not rows or self.store is None:
            return

        stats = self.crawler.stats
        try:
            await self.store.upsert_pages(rows)
            stats.inc_value("datacity/pages_stored", len(rows))
        except (StoreError, SQLAlchemyError, OSError):
            stats.inc_value("datacity/pages_store_failed", len(rows))
            logger.exception("Could not store a batch of %d pages", len(rows))

        if crawled:
            await self._stamp(crawled)

    async def _stamp(self, crawled: dict[int, dt.datetime]) -> None:
        assert self.store is not None
        table = models.Organisation.__table__
        when = max(crawled.values())
        statement = (
            update(table).where(table.c.id.in_(list(crawled))).values(last_crawled=when)
        )
        try:
            async with self.store.engine.begin() as conn:
                await conn.execute(statement)
        except (SQLAlchemyError, OSError):
            logger.exception(
                "Could not stamp last_crawled on %d organisations", len(crawled)
            )
