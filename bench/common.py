"""Helpers shared by the benchmarks: scratch databases, timing and peak memory."""

from __future__ import annotations

import os
import resource
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import URL, make_url

from crawler import migrations
from crawler.config import database_url_from

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> URL:
    return make_url(os.environ.get("DATABASE_TEST_URL", DEFAULT_ADMIN_URL))


async def _admin_execute(statement: str) -> None:
    url = admin_url()
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[URL]:
    """A new PostgreSQL database at the newest migration, dropped afterwards."""
    name = f"datacity_bench_{uuid.uuid4().hex[:10]}"
    await _admin_execute(f'CREATE DATABASE "{name}"')
    url = database_url_from(
        admin_url().set(database=name).render_as_string(hide_password=False)
    )
    try:
        # Alembic's env.py starts its own event loop, so it runs in a worker thread.
        import asyncio

        await asyncio.to_thread(migrations.upgrade, url)
        yield url
    finally:
        await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Timer:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Timer:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
