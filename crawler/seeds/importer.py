"""The import loop: sources → records → batched upserts, recorded as a crawl run.

Records are written in batches of ``batch_size`` organisations, each batch followed by
its SIC signals and registry websites. A batch is committed before the next is read,
so an interrupted import (Ctrl-C) leaves every batch before it in place, and running
the same import again only moves ``last_seen``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from crawler import models
from crawler.errors import DatacityError
from crawler.seeds import bulk, chapi, opencorporates, plain, search_export, sic
from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import Tally
from crawler.seeds.filters import Filters
from crawler.seeds.formats import Format, Source, UnknownFormatError, detect, open_text
from crawler.seeds.records import Record
from crawler.seeds.websites import registrable_domain
from crawler.store import Store

logger = logging.getLogger(__name__)

JOB = "seed"
DEFAULT_BATCH = 5_000
# Ids per SELECT … IN (…): far below the bind-parameter limits of both databases.
_LOOKUP_CHUNK = 5_000

Reader = Callable[[Source, TextIO, Filters, BadRows, Tally], Iterator[Record | None]]
READERS: dict[Format, Reader] = {
    Format.BULK: bulk.read,
    Format.SEARCH_EXPORT: search_export.read,
    Format.CH_API: chapi.read,
    Format.OPENCORPORATES: opencorporates.read,
    Format.PLAIN: plain.read,
}

# What each `datacity seed` command takes.
COMMAND_FORMATS: dict[str, tuple[Format, ...]] = {
    "companies-house": (Format.BULK, Format.SEARCH_EXPORT, Format.CH_API),
    "opencorporates": (Format.OPENCORPORATES,),
    "csv": (Format.PLAIN,),
}
_COMMAND_OF = {
    fmt: command for command, fmts in COMMAND_FORMATS.items() for fmt in fmts
}


class SourceReadError(DatacityError):
    """A file that failed part-way through (truncated zip, disk error)."""


@dataclass
class ImportResult:
    """What an import did; ``outcome`` is ``completed``, ``interrupted`` or ``failed``."""

    tally: Tally = field(default_factory=Tally)
    bad: BadRows = field(default_factory=BadRows)
    organisations: int = 0
    signals: int = 0
    websites: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    outcome: str = "completed"
    run_id: int | None = None

    @property
    def rate(self) -> float:
        return self.tally.read / self.seconds if self.seconds else 0.0

    def stats(self) -> dict[str, Any]:
        return {
            "rows_read": self.tally.read,
            "rows_kept": self.tally.kept,
            "organisations": self.organisations,
            "signals": self.signals,
            "websites": self.websites,
            "bad_rows": self.bad.as_dict(),
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "rows_per_second": round(self.rate),
        }

    def summary(self) -> str:
        return (
            f"{self.tally.read:,} rows read, {self.tally.kept:,} kept,"
            f" {self.bad.total:,} bad; {self.organisations:,} organisations,"
            f" {self.signals:,} SIC signals, {self.websites:,} websites"
            f" in {self.seconds:.1f} s ({self.rate:,.0f} rows/s)"
        )


def plan(paths: Sequence[Path], command: str) -> list[Source]:
    """Detect every path before anything is imported; the first unusable one fails.

    Raises UnknownFormatError naming the file and what *command* expects.
    """
    accepted = COMMAND_FORMATS[command]
    expected = " or ".join(str(fmt) for fmt in accepted)
    sources = []
    for path in paths:
        try:
            found = detect(path)
        except UnknownFormatError as error:
            msg = f"{error}; `datacity seed {command}` expects {expected}"
            raise UnknownFormatError(msg) from None
        for source in found:
            if source.format not in accepted:
                other = _COMMAND_OF[source.format]
                msg = (
                    f"{source.name} is {source.format}, not {expected};"
                    f" import it with `datacity seed {other}`"
                )
                raise UnknownFormatError(msg)
        sources.extend(found)
    return sources


# Called at each heartbeat with the running totals and the current source's progress.
OnProgress = Callable[[Tally, Source, float], None]


async def run_import(
    store: Store,
    sources: Sequence[Source],
    filters: Filters,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_progress: OnProgress | None = None,
    args: dict[str, Any] | None = None,
) -> ImportResult:
    """Import *sources* into *store*, recording the run in ``crawl_runs``."""
    result = ImportResult()
    run_args = {
        "sources": [{"name": s.name, "format": str(s.format)} for s in sources],
        "filters": filters.as_dict(),
        "batch_size": batch_size,
        **(args or {}),
    }
    result.run_id = await store.start_run(JOB, run_args)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        await _import(store, sources, filters, batch_size, on_progress, result)
    except BaseException as error:
        # Ctrl-C arrives as CancelledError (inside asyncio.run) or KeyboardInterrupt.
        interrupted = isinstance(error, asyncio.CancelledError | KeyboardInterrupt)
        result.outcome = "interrupted" if interrupted else "failed"
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = time.process_time() - cpu_started
        stats = {**result.stats(), "error": repr(error)[:500]}
        await store.finish_run(result.run_id, outcome=result.outcome, stats=stats)
        logger.warning("Seed import %s: %s", result.outcome, result.summary())
        raise

    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_started
    await store.finish_run(result.run_id, outcome=result.outcome, stats=result.stats())
    logger.info("Seed import completed: %s", result.summary())
    return result


async def _import(
    store: Store,
    sources: Sequence[Source],
    filters: Filters,
    batch_size: int,
    on_progress: OnProgress | None,
    result: ImportResult,
) -> None:
    writer = _Writer(store, result)
    batch: list[Record] = []
    try:
        for source in sources:
            with open_text(source) as text:
                raw = text.buffer
                items = READERS[source.format](
                    source, text, filters, result.bad, result.tally
                )
                for item in _guarded(source, items):
                    if item is None:
                        if on_progress:
                            on_progress(result.tally, source, _fraction(raw, source))
                        # Lets a Ctrl-C (task cancellation) in between long runs.
                        await asyncio.sleep(0)
                        continue
                    batch.append(item)
                    await writer.step()
                    if len(batch) >= batch_size:
                        await writer.write(batch)
                        batch = []
                if on_progress:
                    on_progress(result.tally, source, 1.0)
        await writer.write(batch)
        await writer.wait()
    finally:
        await writer.abandon()


class _Writer:
    """Writes one batch in the background while the reader fills the next.

    Reading is synchronous, so the write task only moves when the loop awaits:
    :meth:`step`, called per record, yields to it every couple of milliseconds while
    it is in flight. Batches are written one after the other, never two at once.
    """

    _STEP_SECONDS = 0.002

    def __init__(self, store: Store, result: ImportResult) -> None:
        self.store = store
        self.result = result
        self.pending: asyncio.Task[None] | None = None
        self.stepped = time.monotonic()

    async def step(self) -> None:
        if self.pending is None or self.pending.done():
            return
        now = time.monotonic()
        if now - self.stepped > self._STEP_SECONDS:
            self.stepped = now
            await asyncio.sleep(0)

    async def write(self, batch: list[Record]) -> None:
        await self.wait()
        if batch:
            self.pending = asyncio.create_task(
                write_batch(self.store, batch, self.result)
            )

    async def wait(self) -> None:
        """Until the batch in flight is committed; its error, if any, is raised here."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            await pending

    async def abandon(self) -> None:
        """On the way out after an error: the batch in flight is let finish.

        Cancelling it would not stop the database driver's thread mid-statement
        (aiosqlite runs it in one), and the write it still holds then locks out the
        run's closing record; a batch that finishes is simply one more kept.
        """
        if self.pending is not None and not self.pending.done():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.shield(self.pending)
        self.pending = None


def _guarded(source: Source, items: Iterator[Record | None]) -> Iterator[Record | None]:
    """The reader's items; a file that cannot be read on fails naming the file.

    A truncated zip or a disk error ends the import (the batches written stay);
    errors of the database, raised outside this generator, keep their own types.
    """
    try:
        yield from items
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        msg = f"{source.name}: cannot read the file any further ({error})"
        raise SourceReadError(msg) from error


def _fraction(raw: Any, source: Source) -> float:
    try:
        return min(raw.tell() / source.size, 1.0) if source.size else 0.0
    except (OSError, ValueError):
        return 0.0


async def write_batch(store: Store, batch: list[Record], result: ImportResult) -> None:
    """Organisations, then their SIC signals and registry websites, of one batch."""
    ids = await store.upsert_organisations(r.organisation for r in batch)
    result.organisations += len(ids)

    signals = await _signal_rows(store, batch, ids)
    if signals:
        await store.upsert_signals(signals)
        result.signals += sum(1 for row in signals if row["active"])

    websites = await _website_rows(store, batch, ids)
    if websites:
        await store.upsert_websites(websites)
        result.websites += len(websites)


async def _signal_rows(
    store: Store, batch: list[Record], ids: dict[str, int]
) -> list[dict[str, Any]]:
    """SIC signals of the batch, and the switching off of those a newer file dropped."""
    known = [r for r in batch if r.organisation.get("sic_codes") is not None]
    rows: list[dict[str, Any]] = []
    for record in known:
        organisation_id = ids[record.organisation["key"]]
        rows.extend(
            sic.signal_rows(
                organisation_id, record.organisation["sic_codes"], record.evidence_url
            )
        )

    current = {(r["organisation_id"], r["value"], r["source_url"]) for r in rows}
    cited = {(ids[r.organisation["key"]], r.evidence_url) for r in known}
    table = models.Signal.__table__
    stored = await _lookup(
        store,
        select(table.c.organisation_id, table.c.value, table.c.source_url).where(
            table.c.kind == "sic", table.c.active.is_(True)
        ),
        table.c.organisation_id,
        {organisation_id for organisation_id, _ in cited},
    )
    for organisation_id, value, source_url in stored:
        key = (organisation_id, value, source_url)
        if (organisation_id, source_url) in cited and key not in current:
            rows.append(
                {
                    "organisation_id": organisation_id,
                    "kind": "sic",
                    "value": value,
                    "source_url": source_url,
                    "weight": 1.0,
                    "ruleset_version": sic.RULESET_VERSION,
                    "active": False,
                }
            )
    return rows


async def _website_rows(
    store: Store, batch: list[Record], ids: dict[str, int]
) -> list[dict[str, Any]]:
    """Registry websites as candidates, keeping what discovery decided about them.

    A new row carries no ``match_score``: discovery scores every candidate, and an
    unscored row is how it tells a registry hint from a domain it has checked. A
    website already stored is written back with its stored verdict and method, so a
    re-import never turns discovery's method back into ``registry``.
    """
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for record in batch:
        organisation_id = ids[record.organisation["key"]]
        for url in record.websites:
            domain = registrable_domain(url)
            if domain and (organisation_id, domain) not in wanted:
                wanted[(organisation_id, domain)] = {
                    "organisation_id": organisation_id,
                    "domain": domain,
                    "url": url,
                    "match_method": "registry",
                    "evidence": {
                        "reasons": [
                            {
                                "reason": "registry",
                                "weight": 1.0,
                                "source": record.organisation.get("source"),
                            }
                        ]
                    },
                }
    if not wanted:
        return []

    table = models.Website.__table__
    stored = await _lookup(
        store,
        select(
            table.c.organisation_id,
            table.c.domain,
            table.c.verification,
            table.c.match_method,
        ),
        table.c.organisation_id,
        {organisation_id for organisation_id, _ in wanted},
    )
    for organisation_id, domain, verification, method in stored:
        if (organisation_id, domain) in wanted:
            wanted[(organisation_id, domain)] = {
                "organisation_id": organisation_id,
                "domain": domain,
                "verification": verification,
                "match_method": method,
            }
    return list(wanted.values())


async def _lookup(
    store: Store, query: Any, column: Any, values: Iterable[int]
) -> list[tuple[Any, ...]]:
    values = sorted(values)
    rows: list[tuple[Any, ...]] = []
    if not values:
        return rows
    async with store.engine.connect() as conn:
        for start in range(0, len(values), _LOOKUP_CHUNK):
            chunk = values[start : start + _LOOKUP_CHUNK]
            result = await conn.execute(query.where(column.in_(chunk)))
            rows.extend(tuple(row) for row in result)
    return rows
