"""``scrapy crawl discover`` end to end: a generated mini city and the shared saved sites,
served by the local test web, into SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.discovery.candidates import TLDS
from crawler.discovery.platforms import registrable_domain
from crawler.localweb import serve_in_thread
from crawler.models import CrawlRun, Organisation, Website
from crawler.store import Store
from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parent.parent

LEGAL = "Registered in England and Wales, company number {number}."

# hostname → {path: html}; every other hostname is unknown to the local web.
CITY: dict[str, dict[str, str]] = {
    # Own number on the privacy page only, linked from the home page.
    "smithandjones.co.uk": {
        "index.html": (
            "<title>Smith &amp; Jones | Solicitors</title><h1>Welcome</h1>"
            '<a href="/privacy">Privacy policy</a> <a href="/contact">Contact</a>'
            '<a href="/services">Services</a>'
        ),
        "privacy.html": f"<title>Privacy</title><p>Smith &amp; Jones Ltd. {LEGAL.format(number='01234567')}</p>",
        "contact.html": "<title>Contact</title><p>1 Park Row, Leeds LS1 4AP</p>",
        "services.html": "<title>Services</title><p>Conveyancing</p>",
    },
    # An old domain that forwards to the organisation's site.
    "smithjones.com": {
        "index.html": '<meta http-equiv="refresh" content="0; url=http://smithandjones.co.uk/">'
    },
    # Another company's number in the footer.
    "acmewidgets.co.uk": {
        "index.html": (
            "<title>Acme Widgets</title><p>Widgets made in Leeds LS2 7AA</p>"
            f"<footer>Acme Widgets (Yorkshire) Ltd. {LEGAL.format(number='09999999')}</footer>"
        )
    },
    # A lapsed domain parked by a registrar.
    "parkedname.co.uk": {
        "index.html": "<title>parkedname.co.uk</title><p>This domain is for sale. Make an offer today.</p>"
    },
    # The right name, no number: kept as a candidate, not verified.
    "pinecrest.co.uk": {
        "index.html": "<title>Pine Crest | Holiday lodges</title><p>Book your stay.</p>"
    },
    # Found only through the email address registry data gave.
    "bluefox.digital": {
        "index.html": f"<title>Home</title><footer>BFX Consulting Ltd. {LEGAL.format(number='SC123456')}</footer>"
    },
}

ORGANISATIONS = [
    {
        "company_number": "01234567",
        "name": "SMITH & JONES LIMITED",
        "postcode": "LS1 4AP",
    },
    {"company_number": "01111111", "name": "ACME WIDGETS LTD", "postcode": "LS2 7AA"},
    {"company_number": "02222222", "name": "PARKED NAME LTD"},
    {"company_number": "03333333", "name": "PINE CREST LTD"},
    {"company_number": "04444444", "name": "NOWHERE TO BE FOUND LTD"},
    {"company_number": "SC123456", "name": "BFX CONSULTING LTD"},
    {"company_number": "05555555", "name": "GREEN BAKERY LTD"},
]


def build_city(root: Path, sites: dict[str, dict[str, str]]) -> Path:
    for host, pages in sites.items():
        for path, html in pages.items():
            target = root / host / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"<!doctype html><html><body>{html}</body></html>")
    return root


def run_discover(
    database_url: str, address: str, *arguments: str
) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl discover` in a child process, as an operator runs it."""
    command = [sys.executable, "-m", "scrapy", "crawl", "discover"]
    for argument in arguments:
        command += ["-a", argument]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATACITY_LOCALWEB": address,
        "DATACITY_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


async def crawl(
    store: Store, sites: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    url = store.engine.url.render_as_string(hide_password=False)

    def go() -> subprocess.CompletedProcess[str]:
        with serve_in_thread(sites) as address:
            return run_discover(url, address, *arguments)

    return await asyncio.to_thread(go)


async def seed(store: Store, organisations: list[dict[str, Any]]) -> dict[str, int]:
    rows = [
        {"key": f"gb:{o['company_number']}", "jurisdiction": "gb", **o}
        for o in organisations
    ]
    return await store.upsert_organisations(rows)


async def websites(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """Every websites row by (organisation key, domain)."""
    organisations, sites = Organisation.__table__, Website.__table__
    query = select(organisations.c.key, sites).join(
        sites, sites.c.organisation_id == organisations.c.id
    )
    async with store.engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return {(row["key"], row["domain"]): dict(row) for row in rows}


async def primary_domains(store: Store) -> dict[str, str | None]:
    organisations = Organisation.__table__
    query = select(organisations.c.key, organisations.c.primary_domain)
    async with store.engine.connect() as conn:
        return dict((await conn.execute(query)).all())


@pytest.mark.asyncio
async def test_discover_mini_city(store: Store, tmp_path: Path) -> None:
    """Own number verifies, another number or a parked page rejects, a name alone
    stays a candidate, a platform is never fetched, and no reachable site is no match."""
    sites = build_city(tmp_path / "sites", CITY)
    ids = await seed(store, ORGANISATIONS)
    await store.upsert_contacts(
        [
            {
                "organisation_id": ids["gb:SC123456"],
                "kind": "email",
                "value": "hello@bluefox.digital",
            }
        ]
    )
    await store.upsert_websites(
        [
            {
                "organisation_id": ids["gb:05555555"],
                "domain": "facebook.com",
                "url": "https://www.facebook.com/greenbakery",
                "match_method": "registry",
            }
        ]
    )

    await crawl(store, sites)
    found = await websites(store)
    primary = await primary_domains(store)

    smith = found[("gb:01234567", "smithandjones.co.uk")]
    assert (smith["verification"], smith["match_method"], smith["match_score"]) == (
        "verified",
        "company_number",
        1.0,
    )
    assert (
        smith["evidence"]["reasons"][0]["detail"]
        == "01234567 on http://smithandjones.co.uk/privacy"
    )
    assert found[("gb:01234567", "smithjones.com")]["verification"] == "verified"
    assert primary["gb:01234567"] == "smithandjones.co.uk"

    acme = found[("gb:01111111", "acmewidgets.co.uk")]
    assert (acme["verification"], acme["match_method"]) == (
        "rejected",
        "company_number",
    )
    assert "09999999" in acme["evidence"]["reasons"][0]["detail"]

    parked = found[("gb:02222222", "parkedname.co.uk")]
    assert parked["verification"] == "rejected"
    assert "parked" in {r["reason"] for r in parked["evidence"]["reasons"]}

    pine = found[("gb:03333333", "pinecrest.co.uk")]
    assert (pine["verification"], pine["match_method"]) == ("candidate", "name")

    nowhere = {d: row for (key, d), row in found.items() if key == "gb:04444444"}
    assert "nowheretobefound.co.uk" in nowhere and "nowhere-to-be-found.com" in nowhere
    assert {row["verification"] for row in nowhere.values()} == {"rejected"}
    assert nowhere["nowheretobefound.co.uk"]["evidence"]["reasons"] == [
        {"reason": "unreachable", "weight": 0.0, "detail": "dns"}
    ]

    bluefox = found[("gb:SC123456", "bluefox.digital")]
    assert (bluefox["verification"], bluefox["match_method"]) == (
        "verified",
        "company_number",
    )
    assert bluefox["evidence"]["sources"] == ["email_domain"]

    bakery = found[("gb:05555555", "facebook.com")]
    assert bakery["verification"] == "rejected"
    assert bakery["evidence"]["reasons"][0] == {
        "reason": "platform",
        "weight": 0.0,
        "detail": "social",
    }

    assert {k: v for k, v in primary.items() if v} == {
        "gb:01234567": "smithandjones.co.uk",
        "gb:SC123456": "bluefox.digital",
    }

    async with store.engine.connect() as conn:
        [run] = (await conn.execute(select(CrawlRun.__table__))).mappings().all()
    assert (run["job"], run["outcome"]) == ("discover", "finished")
    assert run["stats"]["discover/organisations"] == len(ORGANISATIONS)
    assert run["stats"]["discover/organisations_verified"] == 2
    assert run["stats"]["discover/unreachable/dns"] > 100


@pytest.mark.asyncio
async def test_discover_rerun_skips_checked_and_verified(
    sqlite_url: Any, tmp_path: Path
) -> None:
    """A second run finds nothing due; -a org= rechecks one organisation in place."""
    from crawler.db import create_engine

    store = Store(create_engine(sqlite_url))
    sites = build_city(tmp_path / "sites", CITY)
    await seed(store, ORGANISATIONS[:2])
    await crawl(store, sites, "limit=1")
    first = await websites(store)
    assert {key for key, _ in first} == {"gb:01234567"}

    await crawl(store, sites)  # only ACME is still due
    await crawl(store, sites, "org=01111111")  # checked again on request
    second = await websites(store)

    assert {key for key, _ in second} == {"gb:01234567", "gb:01111111"}
    # ACME's guesses: two labels (acmewidgets, acme-widgets) under every TLD.
    assert len(second) == len(first) + 2 * len(TLDS)
    async with store.engine.connect() as conn:
        runs = (await conn.execute(select(CrawlRun.__table__))).mappings().all()
    assert [r["stats"]["discover/organisations"] for r in runs] == [1, 1, 1]
    await store.close()


def test_discover_rejects_bad_arguments(sqlite_url: Any) -> None:
    """A limit that is not a number stops the crawl with a message naming it."""
    url = sqlite_url.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "scrapy", "crawl", "discover", "-a", "limit=ten"]
    environment = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert "-a limit='ten': expected a number" in result.stderr


@pytest.mark.asyncio
async def test_discover_verifies_shared_sites_by_company_number(
    sqlite_url: Any, tmp_path: Path
) -> None:
    """Organisations seeded from the hand-made labels find their real saved sites, and
    each site that prints the number on a page discovery reads is verified by it."""
    from crawler.db import create_engine

    folder = shared_data("websites")
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        labels = [row for row in csv.DictReader(handle) if row["company_number"]]

    # The saved sites are linked, never copied, into a temporary web.
    sites = tmp_path / "sites"
    sites.mkdir()
    for site in (folder / "sites").iterdir():
        (sites / site.name).symlink_to(site, target_is_directory=True)

    store = Store(create_engine(sqlite_url))
    ids = await seed(
        store,
        [
            {
                "company_number": row["company_number"],
                "name": row["org_name"],
                "postcode": row["postcode"] or None,
            }
            for row in labels
        ],
    )
    # What registry data may give besides the name: the emails the labels list, and a
    # website URL where the site lives on a subdomain no guess would reach.
    emails = [
        {
            "organisation_id": ids[f"gb:{row['company_number']}"],
            "kind": "email",
            "value": email.strip(),
        }
        for row in labels
        for email in row["emails"].split(";")
        if email.strip()
    ]
    await store.upsert_contacts(emails)
    await store.upsert_websites(
        [
            {
                "organisation_id": ids[f"gb:{row['company_number']}"],
                "domain": registrable_domain(row["domain"]),
                "url": f"http://{row['domain']}/",
                "match_method": "registry",
            }
            for row in labels
            if row["domain"] != registrable_domain(row["domain"])
        ]
    )

    await crawl(store, sites)
    found = await websites(store)
    primary = await primary_domains(store)

    outcomes = {}
    for row in labels:
        key = f"gb:{row['company_number']}"
        domain = registrable_domain(row["domain"])
        site = found[(key, domain)]
        outcomes[row["domain"]] = (site["verification"], site["match_method"])
        assert primary[key] == domain

    # visualiseinfo.com prints its number only on a privacy page that no page links
    # to, so discovery verifies it by name, postcode and email domain instead.
    unlinked = {"visualiseinfo.com": ("verified", "name")}
    expected = {row["domain"]: ("verified", "company_number") for row in labels}
    assert outcomes == expected | unlinked
    assert len(expected) >= 7
    await store.close()
