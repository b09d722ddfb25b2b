"""
The storage model: organisations and the evidence gathered about them.

Every table has a natural key so that re-running a seed or a crawl updates rows in
place instead of adding new ones. ``first_seen`` is written once and never moved;
``last_seen`` moves forward every time the same thing is seen again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that migrations can refer to them on any dialect.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact); SQLite keeps JSON as text.
Json = JSON().with_variant(JSONB(), "postgresql")

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid, so BIGINT ids
# would never autoincrement there.
Id = BigInteger().with_variant(Integer(), "sqlite")

Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {
        dict[str, Any]: Json,
        list[str]: Json,
        list[Any]: Json,
    }


class Seen:
    """First and last time a row was observed; the store layer keeps first_seen."""

    first_seen: Mapped[dt.datetime] = mapped_column(Timestamp)
    last_seen: Mapped[dt.datetime] = mapped_column(Timestamp)


class Organisation(Seen, Base):
    """A company or other organisation, from a registry or from its website.

    ``key`` is ``<jurisdiction>:<company number>`` where it has a number (``gb`` is
    Companies House, as in OpenCorporates jurisdiction codes, so both sources meet),
    otherwise ``domain:<primary domain>``; see :func:`crawler.keys.organisation_key`.
    """

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(40))
    company_number: Mapped[str | None] = mapped_column(String(20))
    primary_domain: Mapped[str | None] = mapped_column(String(253), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(60))
    company_type: Mapped[str | None] = mapped_column(Text)
    sic_codes: Mapped[list[str] | None] = mapped_column(Json)
    previous_names: Mapped[list[Any] | None] = mapped_column(Json)
    registered_address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    post_town: Mapped[str | None] = mapped_column(Text)
    incorporated_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(60))
    digital_score: Mapped[float | None] = mapped_column(Float)
    is_digital: Mapped[bool | None] = mapped_column(Boolean)
    sectors: Mapped[list[str] | None] = mapped_column(Json)
    last_crawled: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class Website(Seen, Base):
    """A candidate or verified website of an organisation (many-to-many via domain)."""

    __tablename__ = "websites"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    domain: Mapped[str] = mapped_column(String(253), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    match_score: Mapped[float | None] = mapped_column(Float)
    match_method: Mapped[str | None] = mapped_column(String(60))
    verification: Mapped[str] = mapped_column(String(20), default="candidate")
    evidence: Mapped[dict[str, Any] | None] = mapped_column(Json)

    __table_args__ = (UniqueConstraint("organisation_id", "domain"),)


class Page(Seen, Base):
    """One fetched URL and what the fetch said about it."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(60))
    fetched_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)


class Signal(Seen, Base):
    """A piece of evidence that an organisation makes or sells digital products."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float)
    snippet: Mapped[str | None] = mapped_column(Text)
    ruleset_version: Mapped[str] = mapped_column(String(40))
    # A re-crawl that no longer finds the signal on its page switches it off
    # instead of deleting it, so the history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "value", "source_url"),
    )


class Contact(Seen, Base):
    """A way to reach an organisation: email, phone, postcode, address or social link."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(Text)
    shown: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    # UK GDPR: a named person's address is personal data, a role mailbox is not.
    is_personal: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("organisation_id", "kind", "value"),)


class Profile(Seen, Base):
    """A public profile page (company page, code-hosting organisation) and its fields."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    platform: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text, unique=True)
    fields: Mapped[dict[str, Any] | None] = mapped_column(Json)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class CrawlRun(Base):
    """One run of a job (seed import, crawl, classification) and how it ended."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    args: Mapped[dict[str, Any] | None] = mapped_column(Json)
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    outcome: Mapped[str | None] = mapped_column(String(40))
    stats: Mapped[dict[str, Any] | None] = mapped_column(Json)


class DcmsDigitalSic(Base):
    """One of the 36 four-digit SIC 2007 classes of the DCMS digital sector.

    Reference data, seeded by migration 0002 together with the register views that
    use it: an organisation is digital by SIC when the first four digits of any of
    its codes are one of these classes (62012 falls under 6201).
    """

    __tablename__ = "dcms_digital_sic"

    sic_class: Mapped[str] = mapped_column(String(4), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
