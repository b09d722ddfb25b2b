"""Item pipelines: extract signals and contacts from each page, then score organisations.

Registered after the page store (``pipelines.pages``, 300)::

    ITEM_PIPELINES = {
        "pipelines.pages.PagePipeline": 300,
        "pipelines.extract.ExtractPipeline": 400,   # validate → extract → store
        "pipelines.extract.ScorePipeline": 500,     # organisation digital score
    }

``ExtractPipeline`` checks that an item is a fetched HTML page, analyses it
(:func:`crawler.analyse.analyse_page`) and queues its signals and contacts; rows go to
the store in batches. Re-crawls are idempotent: a signal or contact seen again only
moves ``last_seen``, and a signal no longer found on a re-fetched page is switched off
(``active = false``) rather than deleted. ``ScorePipeline`` recomputes an
organisation's digital score from all its active signals (the registry's ``sic``
signal excepted) once its pages stop arriving, and for every organisation touched
when the spider closes.

Both share one :class:`ExtractionWriter` per crawler. Settings:
``DATACITY_EXTRACT_BATCH_PAGES`` (50 pages per write), ``DATACITY_SCORE_IDLE`` (30 s
without a page before an organisation is scored), ``DATACITY_EXTRACT_WORKERS`` (0:
analyse in the crawl process).

Idle organisations are looked for at most once a second and scored by one round at a
time, each taken off the waiting list before its signals are read. A crawl spreads
its requests over every site at once, so with many sites an organisation waits
longer than ``DATACITY_SCORE_IDLE`` between two of its pages and many are idle
together: when every item started its own round for every idle organisation, the
rounds overlapped, each organisation was scored again by each concurrent item, and
their result sets piled up (75 ms of CPU per page and 1.9 GB at 1,000 sites).

A failure on one item is logged
with its URL and counted; it never stops the crawl, and a batch that the database
refuses is written again page by page so that the other pages' rows are kept.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import time
import weakref
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, select, update

from crawler import models
from crawler.analyse import PageAnalysis, analyse_page
from crawler.classify import classify
from crawler.db import get_engine
from crawler.extract.page import Page
from crawler.extract.signals import taxonomy
from crawler.items import PageItem
from crawler.keys import organisation_key
from crawler.store import Store

logger = logging.getLogger(__name__)

# Pages larger than this are not analysed: they are data dumps, not company pages.
MAX_HTML_CHARS = 3_000_000
DEFAULT_BATCH_PAGES = 50
# An organisation none of whose pages arrived for this long is scored.
DEFAULT_SCORE_IDLE = 30.0
# Seconds between two looks for idle organisations (the look scans every waiting one).
DEFAULT_IDLE_CHECK = 1.0
# Organisations per scoring query: bounds the signal rows held at once.
_SCORE_CHUNK = 200

_signals = models.Signal.__table__
_organisations = models.Organisation.__table__


@dataclass
class _Pending:
    """One analysed page waiting for the next batch."""

    item_url: str
    organisation_id: int
    fetched_at: dt.datetime
    signals: list[dict[str, Any]]
    contacts: list[dict[str, Any]]


class ExtractionWriter:
    """Buffers what pages yield, writes it in batches and scores organisations."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        batch_pages: int = DEFAULT_BATCH_PAGES,
        score_idle: float = DEFAULT_SCORE_IDLE,
        idle_check: float = DEFAULT_IDLE_CHECK,
        stats: Any = None,
    ) -> None:
        self.store = store
        self.batch_pages = batch_pages
        self.score_idle = score_idle
        self.idle_check = idle_check
        self.stats = stats
        self.pending: list[_Pending] = []
        # Words of text seen per organisation in this crawl (for the abstain rule),
        # and when each organisation waiting to be scored last had a page.
        self.words: dict[int, int] = {}
        self.unscored: dict[int, float] = {}
        self.organisation_ids: dict[str, int] = {}
        self.ruleset = taxonomy().version
        self._lock = asyncio.Lock()
        self._scoring = False
        self._last_idle_check = -float("inf")
        self._users = 0
        self.pages_analysed = 0

    async def open(self) -> None:
        self._users += 1
        if self.store is None:
            self.store = Store(get_engine())

    async def close(self) -> None:
        """Flush and score when the last pipeline sharing this writer closes."""
        self._users -= 1
        if self._users > 0:
            return
        await self.flush()
        # The engine is the process's (crawler.db.get_engine), shared with the page
        # pipeline, so it is not disposed here.
        await self.score(self._take(list(self.unscored)))
        logger.info(
            "Extraction: %d pages analysed, %d organisations scored",
            self.pages_analysed,
            len(self.words),
        )

    def count(self, key: str, amount: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"extract/{key}", amount)

    async def organisation_for(self, item: PageItem) -> int:
        """The item's organisation id; an unmatched site gets a domain-keyed one."""
        if item.organisation_id is not None:
            return item.organisation_id
        key = organisation_key(domain=item.domain)
        if key not in self.organisation_ids:
            assert self.store is not None
            ids = await self.store.upsert_organisations(
                [{"key": key, "primary_domain": item.domain.lower(), "source": "crawl"}]
            )
            self.organisation_ids[key] = ids[key]
        return self.organisation_ids[key]

    def add(self, item: PageItem, organisation_id: int, analysis: PageAnalysis) -> None:
        seen = item.fetched_at
        signals = [
            {
                "organisation_id": organisation_id,
                "kind": s.kind,
                "value": _clean(s.value),
                "source_url": item.url,
                "weight": s.weight,
                "snippet": _clean(s.snippet) or None,
                "ruleset_version": self.ruleset,
                "active": True,
                "first_seen": seen,
                "last_seen": seen,
            }
            for s in analysis.signals
        ]
        contacts = [
            {
                "organisation_id": organisation_id,
                "kind": c.kind,
                "value": _clean(c.value),
                "shown": _clean(c.shown) or None,
                "source_url": item.url,
                "is_personal": c.is_personal,
                "first_seen": seen,
                "last_seen": seen,
            }
            for c in analysis.contacts
        ]
        self.pending.append(
            _Pending(item.url, organisation_id, seen, signals, contacts)
        )

        self.pages_analysed += 1
        self.words[organisation_id] = (
            self.words.get(organisation_id, 0) + analysis.words
        )
        self.unscored[organisation_id] = time.monotonic()

    async def maybe_flush(self) -> None:
        if len(self.pending) >= self.batch_pages:
            await self.flush()
        await self.score_idle_organisations()

    def idle_organisations(self) -> list[int]:
        now = time.monotonic()
        return [
            org for org, last in self.unscored.items() if now - last >= self.score_idle
        ]

    async def score_idle_organisations(self) -> None:
        """Score the organisations idle for ``score_idle`` seconds, one round at a time.

        Called for every item, so it looks at most every ``idle_check`` seconds, and
        returns at once while another round runs: that round's organisations are
        already off the waiting list, so a second one would only score them again.
        """
        now = time.monotonic()
        if self._scoring or now - self._last_idle_check < self.idle_check:
            return
        self._last_idle_check = now
        idle = self.idle_organisations()
        if not idle:
            return

        self._scoring = True
        try:
            taken = self._take(idle)
            # Their rows still waiting in the batch must be stored before scoring.
            if any(p.organisation_id in taken for p in self.pending):
                await self.flush()
            await self.score(taken)
        finally:
            self._scoring = False

    def _take(self, organisation_ids: list[int]) -> dict[int, float]:
        """Take *organisation_ids* off the waiting list, with when each last had a page."""
        return {org: self.unscored.pop(org) for org in organisation_ids}

    async def flush(self) -> None:
        """Write every queued page's rows; a refused batch is retried page by page."""
        async with self._lock:
            batch, self.pending = self.pending, []
            if not batch:
                return
            try:
                await self._write(batch)
            except Exception as error:
                # One page's rows can sink a whole batch (a value the database
                # refuses, an organisation deleted meanwhile): write each page alone
                # so that only that page is lost.
                logger.warning(
                    "A batch of %d pages was refused (%s); writing them one by one",
                    len(batch),
                    type(error).__name__,
                )
                stored = 0
                for page in batch:
                    stored += await self._write_one(page)
                self.count("pages_stored", stored)
                return
            self.count("pages_stored", len(batch))

    async def _write_one(self, page: _Pending) -> int:
        try:
            await self._write([page])
        except Exception:
            logger.exception("Could not store the extraction of %s", page.item_url)
            self.count("store_errors")
            return 0
        return 1

    async def _write(self, batch: list[_Pending]) -> None:
        assert self.store is not None
        await self.store.upsert_signals(row for p in batch for row in p.signals)
        await self.store.upsert_contacts(row for p in batch for row in p.contacts)
        await self._deactivate_missing(batch)

    async def _deactivate_missing(self, batch: list[_Pending]) -> None:
        """Switch off the signals of each page that this fetch did not find again.

        Everything found now was just written with last_seen = the fetch time, so
        an active signal of the same page with an older last_seen has disappeared.
        The registry's ``sic`` signal is not a page's, so it is never touched.
        """
        assert self.store is not None
        statement = (
            update(_signals)
            .where(
                and_(
                    _signals.c.organisation_id == bindparam("o"),
                    _signals.c.source_url == bindparam("u"),
                    _signals.c.last_seen < bindparam("t"),
                    _signals.c.active.is_(True),
                    _signals.c.kind != "sic",
                )
            )
            .values(active=False)
        )
        params = [
            {"o": p.organisation_id, "u": p.item_url, "t": p.fetched_at} for p in batch
        ]
        async with self.store.engine.begin() as conn:
            await conn.execute(statement, params)

    async def score(self, organisation_ids: Iterable[int]) -> None:
        """Recompute and store the digital score of each organisation.

        An organisation whose score could not be stored goes back on the waiting
        list (a page that arrived meanwhile keeps its newer time), to be tried again.
        """
        waited = (
            organisation_ids
            if isinstance(organisation_ids, dict)
            else dict.fromkeys(organisation_ids, time.monotonic())
        )
        ids = sorted(waited)
        for start in range(0, len(ids), _SCORE_CHUNK):
            chunk = ids[start : start + _SCORE_CHUNK]
            if not await self._score(chunk):
                for org in chunk:
                    self.unscored.setdefault(org, waited[org])

    async def _score(self, ids: list[int]) -> bool:
        assert self.store is not None
        try:
            async with self.store.engine.connect() as conn:
                result = await conn.execute(
                    select(
                        _signals.c.organisation_id,
                        _signals.c.kind,
                        _signals.c.value,
                        _signals.c.weight,
                        _signals.c.source_url,
                        _signals.c.snippet,
                    ).where(
                        _signals.c.organisation_id.in_(ids),
                        _signals.c.active.is_(True),
                        _signals.c.kind != "sic",
                    )
                )
                rows = result.all()
            by_organisation: dict[int, list[Any]] = {org: [] for org in ids}
            for row in rows:
                by_organisation[row.organisation_id].append(row)

            updates = []
            for org, signals in by_organisation.items():
                verdict = classify(signals, words=self.words.get(org, 0))
                updates.append(
                    {
                        "id_": org,
                        "digital_score": verdict.score,
                        "is_digital": verdict.is_digital,
                        "sectors": verdict.sectors,
                    }
                )
            async with self.store.engine.begin() as conn:
                await conn.execute(
                    update(_organisations)
                    .where(_organisations.c.id == bindparam("id_"))
                    .values(
                        digital_score=bindparam("digital_score"),
                        is_digital=bindparam("is_digital"),
                        sectors=bindparam("sectors"),
                    ),
                    updates,
                )
        except Exception:
            logger.exception("Could not score %d organisations", len(ids))
            self.count("score_errors", len(ids))
            return False
        self.count("organisations_scored", len(ids))
        logger.debug("Scored %d organisations", len(ids))
        return True


_writers: weakref.WeakKeyDictionary[Any, ExtractionWriter] = weakref.WeakKeyDictionary()


def writer_for(crawler: Any) -> ExtractionWriter:
    """The writer shared by this crawler's extraction pipelines."""
    if crawler not in _writers:
        settings = crawler.settings
        _writers[crawler] = ExtractionWriter(
            batch_pages=settings.getint(
                "DATACITY_EXTRACT_BATCH_PAGES", DEFAULT_BATCH_PAGES
            ),
            score_idle=settings.getfloat("DATACITY_SCORE_IDLE", DEFAULT_SCORE_IDLE),
            stats=crawler.stats,
        )
    return _writers[crawler]


class ExtractPipeline:
    """Validate each page item, extract its signals and contacts, queue them.

    With *workers* > 0 (setting ``DATACITY_EXTRACT_WORKERS``) the analysis runs in
    that many worker processes, so that it can use cores the crawl process leaves idle;
    with 0, the default, it runs inline. On the busy 2-core development machine one
    worker made a 15-second crawl slower (start-up, no idle core), hence the default.
    """

    def __init__(self, writer: ExtractionWriter, *, workers: int = 0) -> None:
        self.writer = writer
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        workers = crawler.settings.getint("DATACITY_EXTRACT_WORKERS", 0)
        return cls(writer_for(crawler), workers=workers)

    async def open_spider(self) -> None:
        await self.writer.open()
        if self.workers > 0:
            # spawn, not fork: the crawl process holds sockets and an event loop
            # that a forked child must not share.
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)

    async def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        await self.writer.close()

    async def analyse(self, item: PageItem) -> PageAnalysis:
        """The page's analysis, in a worker process when there are workers."""
        if self.pool is None:
            return analyse_html(item.url, item.html, item.headers)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self.pool, analyse_html, item.url, item.html, item.headers
            )
        except BrokenProcessPool:
            logger.error("Extraction workers died; analysing in the crawl process")
            self.pool = None
            return analyse_html(item.url, item.html, item.headers)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        problem = invalid(item)
        if problem:
            logger.debug("Not analysing %s: %s", item.url, problem)
            self.writer.count(f"skipped/{problem}")
            return item

        try:
            organisation_id = await self.writer.organisation_for(item)
            self.writer.add(item, organisation_id, await self.analyse(item))
            self.writer.count("pages")
        except Exception:
            logger.exception("Extraction failed for %s", item.url)
            self.writer.count("errors")
            return item

        await self.writer.maybe_flush()
        return item


class ScorePipeline:
    """Score organisations once their pages stop arriving, and all at the end."""

    def __init__(self, writer: ExtractionWriter) -> None:
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScorePipeline:
        return cls(writer_for(crawler))

    async def open_spider(self) -> None:
        await self.writer.open()

    async def close_spider(self) -> None:
        await self.writer.close()

    async def process_item(self, item: Any) -> Any:
        await self.writer.score_idle_organisations()
        return item


def analyse_html(url: str, html: str, headers: dict[str, list[str]]) -> PageAnalysis:
    """Analyse one page from its parts (a module-level function, so workers can run it)."""
    return analyse_page(Page(url, html, headers))


def invalid(item: PageItem) -> str:
    """Why *item* cannot be analysed ("" when it can)."""
    if item.error:
        return "fetch_error"
    if not 200 <= item.status < 300:
        return "status"
    if not item.html or not item.html.strip():
        return "empty"
    if len(item.html) > MAX_HTML_CHARS:
        return "too_large"
    if not item.url.startswith(("http://", "https://")):
        return "not_web"
    return ""


def _clean(text: str) -> str:
    """Text the database can hold: PostgreSQL rejects NUL characters."""
    return text.replace("\x00", "")
