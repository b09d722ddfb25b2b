"""The async engine: created once per process per database, disposed on close."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from crawler.config import load_settings

logger = logging.getLogger(__name__)

_engines: dict[str, AsyncEngine] = {}


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (reports, the web view) run while a crawl writes; the busy
    # timeout turns short lock waits into waits instead of "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(url: URL) -> AsyncEngine:
    """Build a new engine for *url*; most callers want :func:`get_engine` instead."""
    options: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        options.update(pool_size=5, max_overflow=5, pool_pre_ping=True)

    engine = create_async_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _tune_sqlite)

    logger.debug("Created engine for %s", url.render_as_string(hide_password=True))
    return engine


def get_engine(url: URL | None = None) -> AsyncEngine:
    """Return this process's engine for *url* (default: ``DATABASE_URL``)."""
    url = url or load_settings().database_url
    name = url.render_as_string(hide_password=False)
    if name not in _engines:
        _engines[name] = create_engine(url)
    return _engines[name]


async def dispose_engines() -> None:
    """Close every pooled connection of every engine this process created."""
    while _engines:
        _, engine = _engines.popitem()
        await engine.dispose()
