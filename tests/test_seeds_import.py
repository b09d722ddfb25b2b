"""Seed imports into SQLite and PostgreSQL: counts, signals, idempotence, updates, runs."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update

from crawler import models
from crawler.seeds import Filters, plan, run_import
from crawler.seeds.importer import ImportResult
from crawler.store import Store
from tests.conftest import shared_data
from tests.test_seeds_support import bulk_csv, bulk_row
from tests.test_seeds_units import DCMS

ORGS = models.Organisation.__table__
SIGNALS = models.Signal.__table__
WEBSITES = models.Website.__table__
RUNS = models.CrawlRun.__table__


async def rows(store: Store, table, *where) -> list[dict]:
    async with store.engine.connect() as conn:
        result = await conn.execute(select(table).where(*where).order_by(table.c.id))
        return [dict(r._mapping) for r in result]


async def seed(
    store: Store, paths: list[Path], command: str = "companies-house", **filters
) -> ImportResult:
    return await run_import(
        store, plan(paths, command), Filters.parse(**filters), batch_size=100
    )


@pytest.mark.asyncio
async def test_leeds_subset_import(store: Store) -> None:
    """The Leeds subset stores its active LS companies and one signal per DCMS code."""
    path = shared_data("companies_house", "leeds_LS_subset_2024_01_advanced_search.csv")
    classes = {c.replace(".", "") for c in DCMS}
    with path.open(encoding="utf-8", newline="") as handle:
        active = [r for r in csv.DictReader(handle) if r["company_status"] == "Active"]
    digital = {
        (r["company_number"], code)
        for r in active
        for code in r["nature_of_business"].split()
        if code[:4] in classes
    }

    result = await seed(store, [path], postcode_area="LS")

    stored = await rows(store, ORGS)
    signals = await rows(store, SIGNALS)
    by_id = {o["id"]: o["company_number"] for o in stored}
    assert result.outcome == "completed"
    assert len(stored) == len(active) == result.organisations == 151
    assert {(by_id[s["organisation_id"]], s["value"]) for s in signals} == digital
    assert all(s["kind"] == "sic" and s["weight"] == 1.0 for s in signals)
    assert all(s["source_url"].startswith("companies-house:") for s in signals)
    assert {o["source"] for o in stored} == {"companies_house_search"}


@pytest.mark.asyncio
async def test_reimport_changes_only_last_seen(store: Store) -> None:
    """Importing the same file twice leaves every row as it was but last_seen."""
    path = shared_data("companies_house", "leeds_LS_subset_2024_01_advanced_search.csv")
    await seed(store, [path])
    before_orgs = await rows(store, ORGS)
    before_signals = await rows(store, SIGNALS)

    await seed(store, [path])

    after_orgs = await rows(store, ORGS)
    after_signals = await rows(store, SIGNALS)
    for before, after in zip(before_orgs, after_orgs, strict=True):
        assert after["last_seen"] >= before["last_seen"]
        assert {**after, "last_seen": None} == {**before, "last_seen": None}
    assert [s["id"] for s in after_signals] == [s["id"] for s in before_signals]


@pytest.mark.asyncio
async def test_newer_file_updates_fields_and_signals(
    store: Store, tmp_path: Path
) -> None:
    """A newer file changes the name and SIC codes; first_seen stays, the old signal
    is switched off and the new one is on."""
    old = tmp_path / "old.csv"
    old.write_text(bulk_csv([bulk_row("00000001", CompanyName="OLD NAME LTD")]))
    new = tmp_path / "new.csv"
    new.write_text(
        bulk_csv(
            [
                bulk_row(
                    "00000001",
                    CompanyName="NEW NAME LTD",
                    **{"SICCode.SicText_1": "63110 - Data processing, hosting"},
                )
            ]
        )
    )

    await seed(store, [old])
    [first] = await rows(store, ORGS)
    await seed(store, [new])
    [second] = await rows(store, ORGS)

    signals = {s["value"]: s["active"] for s in await rows(store, SIGNALS)}
    assert (second["name"], second["sic_codes"]) == ("NEW NAME LTD", ["63110"])
    assert second["first_seen"] == first["first_seen"]
    assert signals == {"62012": False, "63110": True}


@pytest.mark.asyncio
async def test_registry_website_keeps_discovery_verdict(
    store: Store, tmp_path: Path
) -> None:
    """A website from a plain list is a registry candidate; a re-import keeps the
    verdict that discovery recorded since."""
    path = tmp_path / "list.csv"
    path.write_text(
        "Name,Website,Company Number\nAire Code,www.airecode.co.uk,1234567\n"
    )

    await seed(store, [path], "csv")
    [site] = await rows(store, WEBSITES)
    async with store.engine.begin() as conn:
        await conn.execute(
            update(WEBSITES).values(
                verification="verified", match_method="company_number"
            )
        )
    await seed(store, [path], "csv")

    [again] = await rows(store, WEBSITES)
    [org] = await rows(store, ORGS)
    assert (site["domain"], site["match_method"], site["verification"]) == (
        "airecode.co.uk",
        "registry",
        "candidate",
    )
    assert (again["verification"], again["match_method"]) == (
        "verified",
        "company_number",
    )
    assert org["primary_domain"] is None
    assert org["key"] == "gb:01234567"


@pytest.mark.asyncio
async def test_run_is_recorded(store: Store, tmp_path: Path) -> None:
    """Each import is a crawl run with its arguments, statistics and outcome."""
    path = tmp_path / "bulk.csv"
    path.write_text(
        bulk_csv([bulk_row("00000001"), bulk_row("00000002", IncorporationDate="x")])
    )

    await seed(store, [path], postcode_area="LS")

    [run] = await rows(store, RUNS)
    assert (run["job"], run["outcome"]) == ("seed", "completed")
    assert run["args"]["filters"]["postcode_area"] == ["LS"]
    assert run["stats"]["rows_read"] == 2
    assert run["stats"]["bad_rows"]["by_reason"] == {"bad date": 1}
    assert run["finished_at"] is not None


@pytest.mark.asyncio
async def test_interrupted_import_keeps_committed_batches(
    store: Store, tmp_path: Path
) -> None:
    """Ctrl-C part-way leaves whole batches stored and the run marked interrupted."""
    # Half the rows are in Leeds; the first progress call comes after 8192 rows read.
    path = tmp_path / "bulk.csv"
    sic = {"SICCode.SicText_1": "70229 - Management consultancy"}
    elsewhere = {"RegAddress.PostCode": "M1 1AE", **sic}
    path.write_text(
        bulk_csv(
            [
                bulk_row(f"{n:08d}", **(sic if n % 2 else elsewhere))
                for n in range(1, 9001)
            ]
        )
    )

    def interrupt(*_):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await run_import(
            store,
            plan([path], "companies-house"),
            Filters.parse(postcode_area="LS"),
            batch_size=1000,
            on_progress=interrupt,
        )

    stored = len(await rows(store, ORGS))
    [run] = await rows(store, RUNS)
    assert run["outcome"] == "interrupted"
    # Four batches were full when the interrupt came: the one still being written
    # is let finish, so all four stay and the fifth, unwritten, is not stored.
    assert stored == 4000


@pytest.mark.asyncio
async def test_cancelled_task_records_interruption(
    store: Store, tmp_path: Path
) -> None:
    """Cancelling the import task (what asyncio.run does on Ctrl-C) is recorded too."""
    path = tmp_path / "bulk.csv"
    path.write_text(bulk_csv([bulk_row(f"{n:08d}") for n in range(1, 20001)]))
    started = asyncio.Event()

    def progress(*_):
        started.set()

    task = asyncio.create_task(
        run_import(
            store,
            plan([path], "companies-house"),
            Filters.parse(postcode_area="M"),
            on_progress=progress,
        )
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    [run] = await rows(store, RUNS)
    assert run["outcome"] == "interrupted"
    assert run["stats"]["rows_read"] >= 8192


@pytest.mark.asyncio
async def test_incorporated_since_and_sic_filters(store: Store, tmp_path: Path) -> None:
    """Only rows passing the SIC and date filters are stored."""
    path = tmp_path / "bulk.csv"
    path.write_text(
        bulk_csv(
            [
                bulk_row("00000001", IncorporationDate="01/01/2021"),
                bulk_row("00000002", IncorporationDate="01/01/2010"),
                bulk_row(
                    "00000003",
                    IncorporationDate="01/01/2022",
                    **{"SICCode.SicText_1": "56101 - Licensed restaurants"},
                ),
            ]
        )
    )

    await seed(store, [path], sic="62", incorporated_since="2020-01-01")

    [org] = await rows(store, ORGS)
    assert org["company_number"] == "00000001"
    assert org["incorporated_on"] == dt.date(2021, 1, 1)
