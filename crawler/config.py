"""Configuration read from the environment, twelve-factor style."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from crawler.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///./datacity.db"

# Plain driver names a user is likely to type, mapped to the async driver we use.
_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


@dataclass(frozen=True, slots=True)
class Settings:
    """What the process needs to know about its surroundings."""

    database_url: URL


def database_url_from(raw: str, *, variable: str = "DATABASE_URL") -> URL:
    """Parse *raw* into an async SQLAlchemy URL, or raise ConfigError naming *variable*."""
    try:
        url = make_url(raw)
    except ArgumentError:
        msg = "not a database URL; expected e.g. postgresql://user@host/db or sqlite:///path.db"
        raise ConfigError(variable, raw, msg) from None

    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        supported = "postgresql://, sqlite:///"
        raise ConfigError(
            variable, raw, f"unsupported database; use one of {supported}"
        )

    return url.set(drivername=driver)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from *environ* (default: the process environment)."""
    env = os.environ if environ is None else environ
    raw = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    return Settings(database_url=database_url_from(raw))
