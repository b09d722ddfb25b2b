"""
The store layer: batched, idempotent upserts into every table of the register.

Rows are plain dicts keyed by column name. A batch is checked before anything is
written, rows that share a natural key are merged, and the rest goes to the database
in chunks, one transaction each. On PostgreSQL a chunk is copied into a temporary
table with binary COPY and merged with ``INSERT … SELECT … ON CONFLICT``, which is the
fastest path PostgreSQL offers; SQLite gets ``INSERT … ON CONFLICT`` per chunk.

Upsert rules, the same on both databases:

- ``first_seen`` is written once and then kept; ``last_seen`` only moves forward;
- a column the batch does not mention is left alone, and a ``None`` does not erase a
  stored value, except in the columns a table lists as *overwrite* (a classifier that
  abstains must be able to clear an earlier verdict).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import itertools
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import JSON, Column, MetaData, Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateTable
from tenacity import (
    AsyncRetrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from crawler import models
from crawler.db import get_engine
from crawler.errors import StoreValueError

logger = logging.getLogger(__name__)

Row = dict[str, Any]

# SQLSTATEs worth a second try: serialisation failure, deadlock, shutdown in
# progress, too many connections, and the connection-exception class.
_TRANSIENT_SQLSTATES = {"40001", "40P01", "57P01", "57P02", "57P03", "53300"}


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How one table is upserted: its natural key and its special columns."""

    table: Table
    conflict: tuple[str, ...]
    overwrite: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.table.name

    def required(self) -> set[str]:
        """Columns a new row cannot do without."""
        return {
            c.name
            for c in self.table.columns
            if not c.nullable and not c.primary_key and c.name not in self.defaults
        }


SPECS: dict[str, TableSpec] = {
    "organisations": TableSpec(
        models.Organisation.__table__,
        ("key",),
        overwrite=frozenset({"digital_score", "is_digital", "sectors"}),
    ),
    "websites": TableSpec(
        models.Website.__table__,
        ("organisation_id", "domain"),
        defaults={"verification": "candidate"},
    ),
    "pages": TableSpec(
        models.Page.__table__,
        ("url",),
        overwrite=frozenset({"error", "etag", "last_modified"}),
    ),
    "signals": TableSpec(
        models.Signal.__table__,
        ("organisation_id", "kind", "value", "source_url"),
        defaults={"active": True},
    ),
    "contacts": TableSpec(
        models.Contact.__table__,
        ("organisation_id", "kind", "value"),
        defaults={"is_personal": False},
    ),
    "profiles": TableSpec(models.Profile.__table__, ("url",)),
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_transient(error: BaseException) -> bool:
    """True for database errors that a retry of the same transaction may cure."""
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        if sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith("08"):
            return True
        # SQLite reports lock contention as an OperationalError with no code.
        return isinstance(error, OperationalError) and "locked" in str(error.orig)
    return isinstance(error, InterfaceError)


def _check_nested(spec: TableSpec, column: str, value: Any, key: object) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise StoreValueError(spec.name, column, key, "contains a NUL byte (\\x00)")
    elif isinstance(value, dict):
        for inner in itertools.chain(value.keys(), value.values()):
            _check_nested(spec, column, inner, key)
    elif isinstance(value, list | tuple):
        for inner in value:
            _check_nested(spec, column, inner, key)


def _check_values(spec: TableSpec, rows: list[Row]) -> None:
    """Refuse unknown columns, and values no column can keep: NUL in text or JSON.

    PostgreSQL text and jsonb cannot hold NUL at all; refusing it on SQLite too keeps
    the two databases interchangeable. Text columns are checked a column at a time
    with one joined string, which keeps the per-value cost in C for large imports.
    """
    named = _named(rows)
    unknown = named - set(spec.table.columns.keys())
    if unknown:
        column = sorted(unknown)[0]
        key = next(_key_of(spec, row) for row in rows if column in row)
        raise StoreValueError(spec.name, column, key, "no such column")

    for column in _columns_of(spec, named):
        values = [row.get(column) for row in rows]
        if isinstance(spec.table.c[column].type, JSON):
            # The encoder escapes NUL as \u0000: one C-speed pass finds the rare
            # column worth walking value by value.
            if "\\u0000" in json.dumps(values, default=str):
                for row, value in zip(rows, values, strict=True):
                    _check_nested(spec, column, value, _key_of(spec, row))
            continue

        if "\x00" not in "".join([v for v in values if type(v) is str]):
            continue
        for row, value in zip(rows, values, strict=True):
            if isinstance(value, str) and "\x00" in value:
                reason = "contains a NUL byte (\\x00)"
                raise StoreValueError(spec.name, column, _key_of(spec, row), reason)


def _key_of(spec: TableSpec, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple([row.get(c) for c in spec.conflict])


def prepare(spec: TableSpec, rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Check *rows* and merge those sharing a natural key; the input is not modified.

    Raises StoreValueError before anything is written when a row names an unknown
    column, lacks a required one, or holds a value the database cannot keep.
    """
    required = [c for c in spec.required() if c not in {"first_seen", "last_seen"}]
    merged: dict[tuple[Any, ...], Row] = {}

    for raw in rows:
        key = _key_of(spec, raw)
        for column in required:
            if raw.get(column) is None:
                raise StoreValueError(spec.name, column, key, "is required")

        earlier = merged.get(key)
        merged[key] = raw if earlier is None else _merge(spec, earlier, raw)  # type: ignore[assignment]

    prepared = list(merged.values())
    _check_values(spec, prepared)
    return prepared


def _merge(
    spec: TableSpec, earlier: Mapping[str, Any], later: Mapping[str, Any]
) -> Row:
    """Fold two rows with one natural key the way the database upsert would."""
    row = dict(earlier)
    for column, value in later.items():
        if value is not None or column in spec.overwrite:
            row[column] = value
    for column, pick in (("first_seen", min), ("last_seen", max)):
        seen = [v for v in (earlier.get(column), later.get(column)) if v is not None]
        row[column] = pick(seen, key=_as_utc) if seen else None
    return row


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _columns_of(spec: TableSpec, named: frozenset[str]) -> list[str]:
    """The columns a batch writes, in table order: those it names, plus defaults."""
    written = named | {"first_seen", *spec.defaults}
    return [c for c in spec.table.columns.keys() if c in written]  # noqa: SIM118


def _named(rows: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """Columns some row of *rows* gives a value for: the only ones an update may touch."""
    named: set[str] = {"last_seen"}
    for row in rows:
        named.update(row)
    return frozenset(named)


def _by_defaulted_columns(spec: TableSpec, rows: list[Row]) -> list[list[Row]]:
    """Split *rows* by which defaulted columns they give.

    A defaulted column a row leaves out must keep the stored value on update (a
    re-sighted website stays verified), yet must get its default on insert. One
    statement cannot do both for different rows, so such rows are written apart.
    """
    if not spec.defaults:
        return [rows]
    groups: dict[tuple[bool, ...], list[Row]] = {}
    for row in rows:
        shape = tuple(row.get(column) is not None for column in spec.defaults)
        groups.setdefault(shape, []).append(row)
    return list(groups.values())


def _update_set(
    spec: TableSpec,
    columns: Sequence[str],
    named: frozenset[str],
    excluded: Any,
    *,
    dialect: str,
) -> dict[str, Any]:
    table = spec.table
    values: dict[str, Any] = {}
    for column in columns:
        if column in spec.conflict or column in {"id", "first_seen"}:
            continue
        if column not in named:
            continue
        new, old = excluded[column], table.c[column]
        if column == "last_seen":
            # greatest() on PostgreSQL, the two-argument scalar max() on SQLite
            pick = func.greatest if dialect == "postgresql" else func.max
            values[column] = pick(old, new)
        elif column in spec.overwrite:
            values[column] = new
        else:
            values[column] = func.coalesce(new, old)
    return values


class Store:
    """Writes to the register. One per process or job; call :meth:`close` at the end."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        batch_size: int = 10_000,
        concurrency: int | None = None,
        retry_attempts: int = 5,
        retry_wait_max: float = 8.0,
    ) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.retry_attempts = retry_attempts
        self.retry_wait_max = retry_wait_max
        self.dialect = engine.dialect.name
        # Two PostgreSQL connections keep both ends busy: while the server merges one
        # chunk, this process encodes and copies the next. Chunks of one batch never
        # share a key, so they cannot deadlock. SQLite has one writer at a time.
        if concurrency is None:
            concurrency = 2 if self.dialect == "postgresql" else 1
        self.concurrency = concurrency

    @classmethod
    def from_url(cls, url: Any = None, **options: Any) -> Store:
        return cls(get_engine(url), **options)

    async def close(self) -> None:
        await self.engine.dispose()

    async def upsert(
        self, table: str, rows: Iterable[Mapping[str, Any]]
    ) -> dict[tuple[Any, ...], int]:
        """Upsert *rows* into *table*; returns the id of each natural key written."""
        spec = SPECS[table]
        now = utcnow()
        prepared = prepare(spec, rows)
        chunks = [
            group[start : start + self.batch_size]
            for group in _by_defaulted_columns(spec, prepared)
            for start in range(0, len(group), self.batch_size)
        ]
        written: dict[tuple[Any, ...], int] = {}
        slots = asyncio.Semaphore(self.concurrency)

        async def write(chunk: list[Row]) -> None:
            async with slots:
                written.update(
                    await self._retrying(self._write_chunk, spec, chunk, now)
                )

        # A chunk that fails for good leaves the chunks already committed in place;
        # the error still reaches the caller once the others have finished.
        results = await asyncio.gather(
            *(write(c) for c in chunks), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

        logger.debug("Upserted %d rows into %s", len(prepared), table)
        return written

    async def upsert_organisations(
        self, rows: Iterable[Mapping[str, Any]]
    ) -> dict[str, int]:
        """Upsert organisations; returns their ids by key."""
        written = await self.upsert("organisations", rows)
        return {key: id_ for (key,), id_ in written.items()}

    async def upsert_websites(
        self, rows: Iterable[Mapping[str, Any]]
    ) -> dict[Any, int]:
        return await self.upsert("websites", rows)

    async def upsert_pages(self, rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
        """Upsert fetched pages; returns their ids by URL."""
        return {url: id_ for (url,), id_ in (await self.upsert("pages", rows)).items()}

    async def upsert_signals(self, rows: Iterable[Mapping[str, Any]]) -> dict[Any, int]:
        return await self.upsert("signals", rows)

    async def upsert_contacts(
        self, rows: Iterable[Mapping[str, Any]]
    ) -> dict[Any, int]:
        return await self.upsert("contacts", rows)

    async def upsert_profiles(
        self, rows: Iterable[Mapping[str, Any]]
    ) -> dict[Any, int]:
        return await self.upsert("profiles", rows)

    async def start_run(self, job: str, args: Mapping[str, Any] | None = None) -> int:
        """Record the start of a job; returns the run id for :meth:`finish_run`."""
        table = models.CrawlRun.__table__
        statement = insert(table).values(
            job=job, args=dict(args or {}), started_at=utcnow()
        )

        async def write() -> int:
            async with self.engine.begin() as conn:
                result = await conn.execute(statement.returning(table.c.id))
                return int(result.scalar_one())

        return await self._retrying(write)

    async def finish_run(
        self, run_id: int, *, outcome: str, stats: Mapping[str, Any] | None = None
    ) -> None:
        """Record how run *run_id* ended and its statistics."""
        table = models.CrawlRun.__table__
        statement = (
            update(table)
            .where(table.c.id == run_id)
            .values(outcome=outcome, stats=_jsonable(stats or {}), finished_at=utcnow())
        )

        async def write() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(statement)

        await self._retrying(write)

    async def _retrying(self, operation: Any, *args: Any) -> Any:
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.retry_attempts),
            wait=wait_exponential(multiplier=0.1, max=self.retry_wait_max),
            before_sleep=before_sleep_log(logger, logging.WARNING),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await operation(*args)
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def _write_chunk(
        self, spec: TableSpec, chunk: list[Row], now: dt.datetime
    ) -> dict[tuple[Any, ...], int]:
        if self.dialect == "postgresql":
            async with self.engine.connect() as conn:
                raw = (await conn.get_raw_connection()).driver_connection
                # The transaction is asyncpg's own: SQLAlchemy would only open one
                # lazily, at its first statement, and the COPY does not go through it.
                async with raw.transaction():
                    return await _copy_merge(raw, spec, chunk, now)

        async with self.engine.begin() as conn:
            return await _insert_on_conflict(conn, spec, chunk, now)


def _jsonable(stats: Mapping[str, Any]) -> dict[str, Any]:
    """Scrapy stats hold datetimes; keep them readable in a JSON column."""
    return json.loads(json.dumps(dict(stats), default=str))


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _defaults(spec: TableSpec, now: dt.datetime) -> dict[str, Any]:
    """Values for columns a row leaves empty; a row without sightings is seen now."""
    return {**spec.defaults, "first_seen": now, "last_seen": now}


def _returning(spec: TableSpec) -> list[Any]:
    return [spec.table.c.id, *(spec.table.c[c] for c in spec.conflict)]


def _ids_by_key(result: Any) -> dict[tuple[Any, ...], int]:
    return {tuple(row[1:]): row[0] for row in result.all()}


async def _insert_on_conflict(
    conn: AsyncConnection, spec: TableSpec, chunk: list[Row], now: dt.datetime
) -> dict[tuple[Any, ...], int]:
    named = _named(chunk)
    columns = _columns_of(spec, named)
    defaults = _defaults(spec, now)
    params = [
        {c: _or_default(row.get(c), defaults.get(c)) for c in columns} for row in chunk
    ]

    statement = sqlite.insert(spec.table)
    statement = statement.on_conflict_do_update(
        index_elements=list(spec.conflict),
        set_=_update_set(spec, columns, named, statement.excluded, dialect="sqlite"),
    ).returning(*_returning(spec), sort_by_parameter_order=True)

    return _ids_by_key(await conn.execute(statement, params))


@functools.lru_cache(maxsize=256)
def _merge_sql(
    table: str, columns: tuple[str, ...], named: frozenset[str]
) -> tuple[str, str]:
    """The DDL of the staging table and the merge statement, compiled once per shape.

    Compiling through SQLAlchemy once and running the text on the raw asyncpg
    connection keeps SQLAlchemy's per-row result handling off the hot path.
    """
    spec = SPECS[table]
    source = spec.table.c
    stage = Table(
        f"_stage_{spec.name}",
        MetaData(),
        *(Column(c, source[c].type) for c in columns),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    statement = postgresql.insert(spec.table).from_select(list(columns), select(stage))
    statement = statement.on_conflict_do_update(
        index_elements=list(spec.conflict),
        set_=_update_set(
            spec, columns, named, statement.excluded, dialect="postgresql"
        ),
    ).returning(*_returning(spec))

    dialect = postgresql.asyncpg.dialect()
    create = str(CreateTable(stage).compile(dialect=dialect))
    merge = str(statement.compile(dialect=dialect))
    return create, merge


async def _copy_merge(
    raw: asyncpg.Connection, spec: TableSpec, chunk: list[Row], now: dt.datetime
) -> dict[tuple[Any, ...], int]:
    """Binary COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT."""
    named = _named(chunk)
    columns = tuple(_columns_of(spec, named))
    create, merge = _merge_sql(spec.name, columns, named)

    # The temporary table goes at commit, so a retried chunk starts from nothing.
    await raw.execute(create)
    await raw.copy_records_to_table(
        f"_stage_{spec.name}",
        records=_records(spec, columns, chunk, now),
        columns=columns,
    )
    return {tuple(row[1:]): row[0] for row in await raw.fetch(merge)}


def _records(
    spec: TableSpec, columns: Sequence[str], chunk: list[Row], now: dt.datetime
) -> list[tuple[Any, ...]]:
    """Rows as COPY tuples in *columns* order, defaults filled, JSON as text."""
    records = [list(map(row.get, columns)) for row in chunk]
    defaults = _defaults(spec, now)

    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for index, column in enumerate(columns):
        default = defaults.get(column)
        # asyncpg's binary COPY takes JSON as text; SQLAlchemy's codec is bypassed.
        is_json = isinstance(spec.table.c[column].type, JSON)
        if default is None and not is_json:
            continue
        for record in records:
            value = record[index]
            if value is None:
                record[index] = default
            elif is_json:
                record[index] = dumps(value)
    return [tuple(record) for record in records]
