"""Organisations that need website discovery, with the facts discovery uses.

An organisation is due when it has no verified website and discovery has not checked
it within the recheck window. Discovery's own ``websites`` rows always carry a
``match_score`` (0 for a rejected domain), which is how a checked organisation is told
from one that only has a URL from its registry data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crawler.keys import normalise_company_number
from crawler.models import Contact, Organisation, Website
from crawler.store import utcnow

RECHECK_DAYS = 30


@dataclass(slots=True)
class DueOrganisation:
    """An organisation to discover, and the hints registry data gave about its site."""

    id: int
    key: str
    name: str
    company_number: str | None = None
    postcode: str | None = None
    previous_names: tuple[str, ...] = ()
    urls: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


async def due_organisations(
    engine: AsyncEngine,
    *,
    org: str | None = None,
    limit: int | None = None,
    recheck_days: float = RECHECK_DAYS,
) -> list[DueOrganisation]:
    """Organisations with no verified website, oldest id first.

    *org* (an id, a company number or a key) picks one organisation whatever its
    recheck window; one that already has a verified website is never returned.
    """
    organisations = Organisation.__table__
    websites = Website.__table__

    verified = exists().where(
        websites.c.organisation_id == organisations.c.id,
        websites.c.verification == "verified",
    )
    query = (
        select(organisations)
        .where(~verified, organisations.c.name.is_not(None))
        .order_by(organisations.c.id)
    )
    if org is not None:
        query = query.where(_matches(org))
    elif recheck_days > 0:
        cutoff = utcnow() - dt.timedelta(days=recheck_days)
        checked = exists().where(
            websites.c.organisation_id == organisations.c.id,
            websites.c.match_score.is_not(None),
            websites.c.last_seen >= cutoff,
        )
        query = query.where(~checked)
    if limit is not None:
        query = query.limit(limit)

    async with engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
        due = [_due(row) for row in rows]
        await _add_hints(conn, due)
    return due


def _matches(org: str) -> Any:
    organisations = Organisation.__table__
    value = org.strip()
    conditions = [organisations.c.key == value.lower()]
    if value.isdigit():
        conditions.append(organisations.c.id == int(value))
    try:
        number = normalise_company_number(value)
    except ValueError:
        pass
    else:
        conditions.append(organisations.c.company_number == number)
    return or_(*conditions)


def _due(row: Any) -> DueOrganisation:
    due = DueOrganisation(
        id=row["id"],
        key=row["key"],
        name=row["name"],
        company_number=row["company_number"],
        postcode=row["postcode"],
        previous_names=tuple(_previous_names(row["previous_names"])),
    )
    if row["primary_domain"]:
        due.urls.append(row["primary_domain"])
    return due


def _previous_names(value: Any) -> list[str]:
    """Previous names as stored by any importer: plain strings or {"name": …}."""
    found = []
    for item in value or []:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            found.append(item["name"])
    return [name for name in found if name.strip()]


async def _add_hints(conn: Any, due: Sequence[DueOrganisation]) -> None:
    """Website URLs and email addresses that registry or seed data gave."""
    by_id = {d.id: d for d in due}
    urls: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, list[str]] = defaultdict(list)
    ids = list(by_id)
    websites = Website.__table__
    contacts = Contact.__table__

    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        given = select(
            websites.c.organisation_id, websites.c.url, websites.c.domain
        ).where(
            websites.c.organisation_id.in_(chunk),
            or_(
                websites.c.match_method == "registry", websites.c.match_method.is_(None)
            ),
        )
        for organisation_id, url, domain in await conn.execute(given):
            urls[organisation_id].append(url or domain)

        addresses = select(contacts.c.organisation_id, contacts.c.value).where(
            and_(contacts.c.organisation_id.in_(chunk), contacts.c.kind == "email")
        )
        for organisation_id, value in await conn.execute(addresses):
            emails[organisation_id].append(value)

    for organisation_id, organisation in by_id.items():
        organisation.urls.extend(urls[organisation_id])
        organisation.emails.extend(emails[organisation_id])
