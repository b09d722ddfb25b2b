"""
Reading the register: the queries behind ``datacity report`` and ``datacity export``.

Everything here reads the views of migration 0002 (``register``, ``district_counts``,
``sector_counts``), so a report's numbers are the numbers an analyst gets from the
same views in SQL. The views are described here as Core tables of their own
metadata, apart from the models, so that Alembic's autogenerate never sees them and
results come back typed alike on both databases (booleans, JSON lists, timestamps).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crawler import models

logger = logging.getLogger(__name__)

views = MetaData()

register = Table(
    "register",
    views,
    Column("organisation_id", Integer, primary_key=True),
    Column("key", String),
    Column("jurisdiction", String),
    Column("company_number", String),
    Column("name", Text),
    Column("status", String),
    Column("sic_codes", models.Json),
    Column("digital_sic_codes", Text),
    Column("digital_by_sic", Boolean),
    Column("digital_by_web", Boolean),
    Column("digital_basis", String),
    Column("is_digital", Boolean),
    Column("digital_score", Float),
    Column("sectors", models.Json),
    Column("top_evidence", Text),
    Column("primary_domain", String),
    Column("website", Text),
    Column("website_matched", Boolean),
    Column("website_verified", Boolean),
    Column("role_emails", Text),
    Column("role_phones", Text),
    Column("postcode", String),
    Column("postcode_district", String),
    Column("postcode_area", String),
    Column("post_town", Text),
    Column("incorporated_on", Date),
    Column("last_crawled", models.Timestamp),
    Column("first_seen", models.Timestamp),
    Column("last_seen", models.Timestamp),
)

sector_counts = Table(
    "sector_counts",
    views,
    Column("sector", Text),
    Column("postcode_area", String),
    Column("postcode_district", String),
    Column("organisations", Integer),
)

# The headline counts, in report order: columns of the views district_counts and
# digital_comparison (which is the sum of district_counts).
HEADLINE = (
    "organisations",
    "websites_matched",
    "websites_verified",
    "digital_by_sic",
    "digital_by_web",
    "digital_by_both",
    "sic_only",
    "web_only",
    "digital_either",
    "web_verdict_unknown",
)

district_counts = Table(
    "district_counts",
    views,
    Column("postcode_area", String),
    Column("postcode_district", String),
    *(Column(name, Integer) for name in HEADLINE),
)

# Per-district columns of the report: the few that tell districts apart.
DISTRICT_COLUMNS = (
    "organisations",
    "websites_verified",
    "digital_by_sic",
    "digital_by_web",
    "digital_by_both",
    "digital_either",
)

_r = register.c


@dataclass(frozen=True, slots=True)
class Area:
    """The organisations a report or export covers, by registered postcode.

    Empty means the whole register. Areas are postcode areas (``LS``), districts
    are outward codes (``LS1``); give one or the other.
    """

    areas: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()

    @classmethod
    def parse(cls, area: str | None = None, district: str | None = None) -> Area:
        """Read comma-separated ``--area`` / ``--district`` values; ValueError if bad."""
        if area and district:
            msg = "give --area or --district, not both"
            raise ValueError(msg)
        areas = _codes(
            area, "--area", "LS", lambda code: code.isalpha() and len(code) <= 2
        )
        districts = _codes(
            district,
            "--district",
            "LS1",
            lambda code: 2 <= len(code) <= 4 and code[0].isalpha() and code.isalnum(),
        )
        return cls(areas=areas, districts=districts)

    def condition(self, table: Table) -> ColumnElement[bool] | None:
        """The WHERE clause selecting this area's rows of *table*, or None for all."""
        if self.areas:
            return table.c.postcode_area.in_(self.areas)
        if self.districts:
            return table.c.postcode_district.in_(self.districts)
        return None

    def describe(self) -> str:
        if self.areas:
            return "postcode area " + ", ".join(self.areas)
        if self.districts:
            return "postcode district " + ", ".join(self.districts)
        return "all organisations"


def _codes(
    raw: str | None, option: str, example: str, valid: Callable[[str], bool]
) -> tuple[str, ...]:
    if not raw:
        return ()
    codes = tuple(dict.fromkeys(c.strip().upper() for c in raw.split(",") if c.strip()))
    bad = [code for code in codes if not valid(code)]
    if bad or not codes:
        what = option.lstrip("-")
        msg = f"{option} {raw!r}: not a postcode {what} (e.g. {example})"
        raise ValueError(msg)
    return codes


@dataclass(slots=True)
class Report:
    """The headline counts, digital organisations by sector, and counts by district."""

    area: Area
    headline: dict[str, int]
    sectors: list[tuple[str, int]] = field(default_factory=list)
    districts: list[dict[str, Any]] = field(default_factory=list)


@contextlib.asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reading the views.

    PostgreSQL's planner prices the register view's per-organisation subqueries
    high enough to JIT-compile every query, which costs seconds per statement and
    saves nothing on queries that each take milliseconds, so JIT is off here.
    """
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SET LOCAL jit = off"))
        yield conn


def _where(statement: Any, condition: ColumnElement[bool] | None) -> Any:
    return statement if condition is None else statement.where(condition)


def district_query(area: Area) -> Any:
    counts = district_counts.c
    statement = select(counts.postcode_district, *(counts[n] for n in HEADLINE))
    return _where(statement, area.condition(district_counts)).order_by(
        counts.organisations.desc(), counts.postcode_district
    )


def sector_query(area: Area) -> Any:
    total = func.sum(sector_counts.c.organisations)
    statement = select(sector_counts.c.sector, total.label("organisations"))
    statement = _where(statement, area.condition(sector_counts))
    return statement.group_by(sector_counts.c.sector).order_by(
        total.desc(), sector_counts.c.sector
    )


async def build_report(engine: AsyncEngine, area: Area | None = None) -> Report:
    """Count the register for *area* (default: everything) from the views.

    The headline is the sum of the area's rows of district_counts, which is how the
    view digital_comparison is defined too.
    """
    area = area or Area()
    async with reading(engine) as conn:
        districts = (await conn.execute(district_query(area))).mappings().all()
        sectors = (await conn.execute(sector_query(area))).all()

    report = Report(
        area=area,
        headline={name: sum(int(row[name]) for row in districts) for name in HEADLINE},
        sectors=[(sector, int(count)) for sector, count in sectors],
        districts=[
            {
                "district": row["postcode_district"] or "(none)",
                **{c: int(row[c]) for c in DISTRICT_COLUMNS},
            }
            for row in districts
        ],
    )
    logger.info(
        "Report for %s: %d organisations, %d digital by SIC or web evidence",
        area.describe(),
        report.headline["organisations"],
        report.headline["digital_either"],
    )
    return report


# -- export ---------------------------------------------------------------------

EXPORT_COLUMNS = (
    "organisation_id",
    "key",
    "name",
    "company_number",
    "status",
    "website",
    "primary_domain",
    "digital_basis",
    "digital_by_sic",
    "digital_sic_codes",
    "digital_by_web",
    "is_digital",
    "digital_score",
    "sectors",
    "top_evidence",
    "postcode",
    "postcode_district",
    "post_town",
    "first_seen",
    "last_seen",
)

# Contacts that go into an export, by kind; signals left out of evidence as in the
# register view (the SIC and sector signals have their own columns).
EXPORT_CONTACT_KINDS = ("email", "phone", "social", "postcode", "geo")
EVIDENCE_EXCLUDED = ("sic", "sector")
TOP_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class ExportOptions:
    area: Area = field(default_factory=Area)
    digital_only: bool = True
    personal: bool = True
    page_size: int = 1000


async def register_records(
    engine: AsyncEngine, options: ExportOptions
) -> AsyncIterator[dict[str, Any]]:
    """Yield the register's organisations with their contacts and top evidence.

    Pages through the view by id (keyset), so memory stays flat however large the
    register; each page's contacts and signals come in one query each.
    """
    after = 0
    while True:
        async with reading(engine) as conn:
            rows = (await conn.execute(_page_query(options, after))).mappings().all()
            if not rows:
                return
            ids = [row["organisation_id"] for row in rows]
            contacts = await _contacts(conn, ids, personal=options.personal)
            evidence = await _evidence(conn, ids)

        for row in rows:
            org_id = row["organisation_id"]
            record = {column: row[column] for column in EXPORT_COLUMNS}
            record["digital_sic_codes"] = _split(row["digital_sic_codes"])
            record["sectors"] = list(row["sectors"] or [])
            found = contacts.get(org_id, {})
            record["emails"] = found.get("email", [])
            record["phones"] = found.get("phone", [])
            record["socials"] = found.get("social", [])
            record["site_postcodes"] = found.get("postcode", [])
            record["geo"] = found.get("geo", [])
            record["evidence"] = evidence.get(org_id, [])
            yield record
        after = ids[-1]


async def count_records(engine: AsyncEngine, options: ExportOptions) -> int:
    """How many organisations :func:`register_records` will yield for *options*."""
    statement = _selection(select(func.count()).select_from(register), options)
    async with reading(engine) as conn:
        return int((await conn.execute(statement)).scalar_one())


def _selection(statement: Any, options: ExportOptions) -> Any:
    if options.digital_only:
        statement = statement.where(or_(_r.digital_by_sic, _r.digital_by_web))
    return _where(statement, options.area.condition(register))


def _page_query(options: ExportOptions, after: int) -> Any:
    # Only the exported columns: each view column not asked for is a subquery the
    # database need not run (the role contacts come from the contacts query).
    statement = _selection(select(*(_r[c] for c in EXPORT_COLUMNS)), options)
    return (
        statement.where(_r.organisation_id > after)
        .order_by(_r.organisation_id)
        .limit(options.page_size)
    )


async def _contacts(
    conn: Any, ids: list[int], *, personal: bool
) -> dict[int, dict[str, list[str]]]:
    contacts = models.Contact.__table__.c
    statement = select(contacts.organisation_id, contacts.kind, contacts.value).where(
        contacts.organisation_id.in_(ids), contacts.kind.in_(EXPORT_CONTACT_KINDS)
    )
    if not personal:
        statement = statement.where(contacts.is_personal == false())
    statement = statement.order_by(
        contacts.organisation_id, contacts.kind, contacts.value
    )

    found: dict[int, dict[str, list[str]]] = {}
    for org_id, kind, value in await conn.execute(statement):
        found.setdefault(org_id, {}).setdefault(kind, []).append(value)
    return found


async def _evidence(conn: Any, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The strongest active signals per organisation, one per kind and value."""
    signals = models.Signal.__table__.c
    statement = (
        select(
            signals.organisation_id,
            signals.kind,
            signals.value,
            signals.weight,
            signals.source_url,
            signals.snippet,
        )
        .where(
            signals.organisation_id.in_(ids),
            signals.active,
            signals.kind.not_in(EVIDENCE_EXCLUDED),
        )
        .order_by(
            signals.organisation_id,
            signals.weight.desc(),
            signals.kind,
            signals.value,
            signals.source_url,
        )
    )

    found: dict[int, list[dict[str, Any]]] = {}
    seen: set[tuple[int, str, str]] = set()
    for org_id, kind, value, weight, url, snippet in await conn.execute(statement):
        top = found.setdefault(org_id, [])
        if len(top) >= TOP_EVIDENCE or (org_id, kind, value) in seen:
            continue
        seen.add((org_id, kind, value))
        top.append(
            {
                "kind": kind,
                "value": value,
                "weight": weight,
                "url": url,
                "snippet": snippet,
            }
        )
    return found


def _split(joined: str | None) -> list[str]:
    return [part for part in (joined or "").split("; ") if part]


async def postcodes_in(engine: AsyncEngine, options: ExportOptions) -> set[str]:
    """Every postcode an export may need a centroid for: registered and on sites."""
    contacts = models.Contact.__table__.c
    selected = _selection(select(_r.organisation_id), options)
    registered = _selection(select(_r.postcode), options)
    on_sites = select(contacts.value).where(
        contacts.kind == "postcode", contacts.organisation_id.in_(selected)
    )
    async with reading(engine) as conn:
        found = [
            *(await conn.execute(registered)).scalars(),
            *(await conn.execute(on_sites)).scalars(),
        ]
    return {normalise_postcode(p) for p in found if p} - {""}


def normalise_postcode(raw: str) -> str:
    """``ls14ap`` and ``LS1  4AP`` → ``LS1 4AP``; the inward code is always 3 long."""
    compact = "".join(raw.split()).upper()
    if not 5 <= len(compact) <= 7:
        return ""
    return f"{compact[:-3]} {compact[-3:]}"
