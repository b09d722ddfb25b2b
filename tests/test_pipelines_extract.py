"""The extraction pipelines against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler import models
from crawler.items import PageItem
from crawler.store import Store
from pipelines.extract import (
    ExtractionWriter,
    ExtractPipeline,
    ScorePipeline,
    analyse_html,
)
from tests.conftest import shared_data

T1 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

SOFTWARE_PAGE = """<html><head><title>Acme Code Ltd</title></head><body>
<h1>Bespoke software development and mobile app development</h1>
<p>We are a software house in Leeds. Our software engineers build web applications,
cloud services and data pipelines for clients across Yorkshire and beyond, and we
look after them with managed IT support for years after launch.</p>
<p>Email <a href="mailto:hello@acmecode.co.uk">hello@acmecode.co.uk</a></p>
</body></html>"""

# The same page a month later: the app work is gone from the heading.
SOFTWARE_PAGE_LATER = SOFTWARE_PAGE.replace(" and mobile app development", "")


def item(url: str, html: str, *, at: dt.datetime = T1, **fields: object) -> PageItem:
    fields.setdefault("status", 200)
    domain = url.split("/")[2]
    return PageItem(url=url, domain=domain, fetched_at=at, html=html, **fields)  # type: ignore[arg-type]


def site_items(folder: Path, domain: str) -> list[PageItem]:
    return [
        item(
            f"https://{domain}/{path.relative_to(folder).as_posix()}",
            path.read_text("utf-8", "replace"),
        )
        for path in sorted(folder.rglob("*.htm*"))
    ]


async def run(store: Store, items: list[PageItem], *, batch_pages: int = 50) -> None:
    writer = ExtractionWriter(store, batch_pages=batch_pages)
    extract, score = ExtractPipeline(writer), ScorePipeline(writer)
    await extract.open_spider()
    await score.open_spider()
    for one in items:
        await score.process_item(await extract.process_item(one))
    await score.close_spider()
    await extract.close_spider()


async def rows(store: Store, table, *where) -> list:
    async with store.engine.connect() as conn:
        return (await conn.execute(select(table).where(*where))).all()


@pytest.mark.asyncio
async def test_saved_sites_fill_signals_contacts_and_scores(store: Store) -> None:
    """Two real saved sites give stored signals, contacts and opposite verdicts."""
    sites = shared_data("websites", "sites")
    items = site_items(sites / "firmwareforge.co.uk", "firmwareforge.co.uk")
    items += site_items(
        sites / "villagebakeryandcafe.co.uk", "villagebakeryandcafe.co.uk"
    )
    await run(store, items, batch_pages=2)

    organisations = {
        o.primary_domain: o for o in await rows(store, models.Organisation.__table__)
    }
    assert organisations["firmwareforge.co.uk"].is_digital is True
    assert "Electronics and IoT" in organisations["firmwareforge.co.uk"].sectors
    assert organisations["villagebakeryandcafe.co.uk"].is_digital is False
    assert organisations["villagebakeryandcafe.co.uk"].digital_score < 0.1

    signals = await rows(store, models.Signal.__table__)
    assert {s.kind for s in signals} >= {"keyword", "sector", "code_hosting"}
    assert all(s.active and s.ruleset_version for s in signals)
    contacts = await rows(store, models.Contact.__table__)
    assert any(c.kind == "phone" and c.value.startswith("+44") for c in contacts)


@pytest.mark.asyncio
async def test_recrawl_updates_last_seen_and_switches_off_lost_signals(
    store: Store,
) -> None:
    """A re-crawl moves last_seen, adds no duplicates and deactivates lost signals."""
    url = "https://acmecode.co.uk/"
    await run(store, [item(url, SOFTWARE_PAGE, at=T1)])
    first = await rows(store, models.Signal.__table__)
    await run(store, [item(url, SOFTWARE_PAGE_LATER, at=T2)])

    signals = {(s.kind, s.value): s for s in await rows(store, models.Signal.__table__)}
    assert len(signals) == len(first)
    assert signals["keyword", "app development"].active is False
    assert signals["keyword", "bespoke software"].active is True
    assert signals["keyword", "bespoke software"].last_seen.replace(
        tzinfo=dt.UTC
    ) == T2.replace(tzinfo=dt.UTC)

    (email,) = await rows(
        store, models.Contact.__table__, models.Contact.__table__.c.kind == "email"
    )
    assert email.value == "hello@acmecode.co.uk"
    assert email.first_seen.replace(tzinfo=dt.UTC) == T1
    assert email.last_seen.replace(tzinfo=dt.UTC) == T2

    (organisation,) = await rows(store, models.Organisation.__table__)
    assert organisation.is_digital is True


@pytest.mark.asyncio
async def test_one_bad_item_is_logged_and_the_others_are_kept(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A page whose rows the database refuses is logged by URL; its batch-mates stay."""
    bad_url = "https://ghost.example.co.uk/"
    items = [
        item("https://acmecode.co.uk/", SOFTWARE_PAGE),
        # No organisation 987654 exists: the foreign key refuses this page's rows.
        item(bad_url, SOFTWARE_PAGE, organisation_id=987654),
        item("https://acmecode.co.uk/about", SOFTWARE_PAGE_LATER),
    ]
    with caplog.at_level(logging.WARNING, logger="pipelines.extract"):
        await run(store, items, batch_pages=10)

    urls = {s.source_url for s in await rows(store, models.Signal.__table__)}
    assert urls == {"https://acmecode.co.uk/", "https://acmecode.co.uk/about"}
    assert any(bad_url in record.getMessage() for record in caplog.records)


@pytest.mark.asyncio
async def test_pages_that_cannot_be_analysed_pass_through(store: Store) -> None:
    """Failed fetches, non-2xx and empty pages are returned unchanged and not stored."""
    writer = ExtractionWriter(store)
    pipeline = ExtractPipeline(writer)
    await pipeline.open_spider()
    failed = item("https://a.co.uk/", "", status=0, error="timeout")
    missing = item("https://a.co.uk/x", "<p>Not found</p>")
    missing.status = 404
    empty = item("https://a.co.uk/y", "   ")
    for one in (failed, missing, empty):
        assert await pipeline.process_item(one) is one
    await pipeline.close_spider()

    assert await rows(store, models.Signal.__table__) == []
    assert await rows(store, models.Organisation.__table__) == []


@pytest.mark.asyncio
async def test_nul_bytes_in_a_page_do_not_break_the_batch(store: Store) -> None:
    """NUL characters in a page are dropped from stored values, which PostgreSQL refuses."""
    html = SOFTWARE_PAGE.replace("Bespoke software", "Bespoke\x00 software\x00")
    await run(store, [item("https://acmecode.co.uk/", html)])

    signals = await rows(store, models.Signal.__table__)
    assert signals
    assert not any("\x00" in (s.snippet or "") for s in signals)


@pytest.mark.asyncio
async def test_analysis_in_a_worker_process_stores_the_same(store: Store) -> None:
    """With one worker process the stored signals equal those of inline analysis."""
    writer = ExtractionWriter(store)
    extract = ExtractPipeline(writer, workers=1)
    await extract.open_spider()
    await extract.process_item(item("https://acmecode.co.uk/", SOFTWARE_PAGE))
    await extract.close_spider()
    in_worker = {(s.kind, s.value) for s in await rows(store, models.Signal.__table__)}

    expected = analyse_html("https://acmecode.co.uk/", SOFTWARE_PAGE, {})
    assert in_worker == {(s.kind, s.value) for s in expected.signals}


@pytest.mark.asyncio
async def test_idle_organisations_are_scored_once_by_concurrent_items(
    store: Store,
) -> None:
    """Items processed together score each idle organisation once, then release it."""
    crawler = get_crawler()
    crawler.stats.open_spider()
    writer = ExtractionWriter(
        store, batch_pages=100, score_idle=0, idle_check=0, stats=crawler.stats
    )
    extract, score = ExtractPipeline(writer), ScorePipeline(writer)
    await extract.open_spider()
    await score.open_spider()
    domains = ["acmecode.co.uk", "betacode.co.uk", "gammacode.co.uk"]
    for domain in domains:
        await extract.process_item(item(f"https://{domain}/", SOFTWARE_PAGE))

    await asyncio.gather(*(score.process_item(object()) for _ in range(8)))

    assert crawler.stats.get_value("extract/organisations_scored") == len(domains)
    assert writer.unscored == {}
    organisations = await rows(store, models.Organisation.__table__)
    assert {o.primary_domain for o in organisations if o.is_digital} == set(domains)
    await score.close_spider()
    await extract.close_spider()
    assert crawler.stats.get_value("extract/organisations_scored") == len(domains)
