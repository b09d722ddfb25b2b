"""Shared fixtures: a throw-away PostgreSQL database per session, SQLite per test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.engine import URL, make_url

from crawler import migrations
from crawler.config import database_url_from
from crawler.db import create_engine
from crawler.store import Store

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEFAULT_TEST_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own database and proxies out of every test."""
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "DATACITY_LOCALWEB",
        "http_proxy",
        "https_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test when the folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"shared sample data not present at {path} (only in the dev workspace)"
        )
    return path


def isolated(function, *args):
    """Run *function* in its own thread, so that it may start an event loop even
    when a fixture is set up from inside pytest-asyncio's running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


async def _admin(url: URL, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
        timeout=5,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[URL]:
    """A new, uniquely named PostgreSQL database at head; dropped after the session.

    Skipped when no server answers, except in CI (CI=true), where that is a failure.
    """
    admin = make_url(os.environ.get("DATABASE_TEST_URL", DEFAULT_TEST_URL))
    name = f"datacity_test_{uuid.uuid4().hex[:12]}"
    try:
        isolated(asyncio.run, _admin(admin, f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError) as error:
        message = f"PostgreSQL at {admin.render_as_string()} is unreachable: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)

    url = database_url_from(
        admin.set(database=name).render_as_string(hide_password=False)
    )
    isolated(migrations.upgrade, url)
    yield url
    isolated(
        asyncio.run, _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> URL:
    """A new SQLite database file at head."""
    url = database_url_from(f"sqlite:///{tmp_path / 'datacity.db'}")
    isolated(migrations.upgrade, url)
    return url


async def _truncate(store: Store) -> None:
    from sqlalchemy import text

    async with store.engine.begin() as conn:
        await conn.execute(
            text(
                "TRUNCATE organisations, websites, pages, signals, contacts, profiles,"
                " crawl_runs RESTART IDENTITY CASCADE"
            )
        )


@pytest_asyncio.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """A Store on an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("postgres_url")

    store = Store(create_engine(url), retry_wait_max=0.5)
    if request.param == "postgresql":
        await _truncate(store)
    yield store
    await store.close()
