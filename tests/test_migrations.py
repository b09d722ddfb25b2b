"""Alembic migrations: upgrade from empty on both databases, and no drift."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect

from crawler import migrations
from crawler.config import database_url_from
from crawler.db import create_engine
from crawler.models import Base
from tests.conftest import isolated

TABLES = {
    "organisations",
    "websites",
    "pages",
    "signals",
    "contacts",
    "profiles",
    "crawl_runs",
}


async def _tables(url) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


def tables_of(url) -> set[str]:
    return isolated(asyncio.run, _tables(url))


def test_upgrade_from_empty_sqlite_is_repeatable(tmp_path) -> None:
    """A new SQLite file gets every table, and a second upgrade is a no-op."""
    url = database_url_from(f"sqlite:///{tmp_path / 'new.db'}")

    migrations.upgrade(url)
    first = migrations.current(url)
    migrations.upgrade(url)

    assert tables_of(url) >= TABLES
    assert first == migrations.current(url)
    assert first.endswith("(head)")


@pytest.mark.postgres
def test_upgrade_from_empty_postgres(postgres_url) -> None:
    """The session database was upgraded from empty; upgrading again changes nothing."""
    before = migrations.current(postgres_url)

    isolated(migrations.upgrade, postgres_url)

    assert tables_of(postgres_url) >= TABLES
    assert migrations.current(postgres_url) == before


def test_models_and_migrations_agree_on_sqlite(tmp_path) -> None:
    """Autogenerate finds nothing to add: the models and migrations have not drifted."""
    url = database_url_from(f"sqlite:///{tmp_path / 'check.db'}")
    migrations.upgrade(url)

    migrations.check(url)


@pytest.mark.postgres
def test_models_and_migrations_agree_on_postgres(postgres_url) -> None:
    """The same drift check on PostgreSQL, where types are stricter."""
    isolated(migrations.check, postgres_url)


def test_metadata_has_naming_convention() -> None:
    """Constraint names are deterministic, so later migrations can drop them by name."""
    assert Base.metadata.naming_convention["uq"].startswith("uq_")
