"""The store layer: idempotent, batched upserts on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from crawler import models
from crawler.errors import StoreValueError
from crawler.store import Store, is_transient

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)


def org(number: str, **fields):
    row = {"key": f"gb:{number}", "jurisdiction": "gb", "company_number": number}
    row.update(fields)
    return row


async def fetch_all(store: Store, table) -> list[dict]:
    async with store.engine.connect() as conn:
        result = await conn.execute(select(table).order_by(table.c.id))
        return [dict(r._mapping) for r in result]


def as_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@pytest.mark.asyncio
async def test_reupsert_is_idempotent(store: Store) -> None:
    """Writing the same rows twice leaves one row each, with the same ids."""
    rows = [
        org(f"{n:08d}", name=f"Firm {n}", first_seen=T0, last_seen=T0)
        for n in range(50)
    ]

    first = await store.upsert_organisations(rows)
    second = await store.upsert_organisations(rows)

    assert first == second
    assert len(await fetch_all(store, models.Organisation.__table__)) == 50


@pytest.mark.asyncio
async def test_duplicate_keys_in_one_batch_are_merged(store: Store) -> None:
    """Rows sharing a key in one batch fold into one row, later values winning."""
    rows = [
        org(
            "00000001", name="Old Name", postcode="LS1 1AA", first_seen=T1, last_seen=T1
        ),
        org("00000001", name="New Name", first_seen=T0, last_seen=T0),
    ]

    ids = await store.upsert_organisations(rows)

    stored = await fetch_all(store, models.Organisation.__table__)
    assert list(ids) == ["gb:00000001"]
    assert [(r["name"], r["postcode"]) for r in stored] == [("New Name", "LS1 1AA")]
    assert as_utc(stored[0]["first_seen"]) == T0
    assert as_utc(stored[0]["last_seen"]) == T1


@pytest.mark.asyncio
async def test_first_seen_kept_and_last_seen_moved(store: Store) -> None:
    """A later sighting moves last_seen and updates fields; first_seen stays."""
    await store.upsert_organisations(
        [org("00000002", name="A", first_seen=T0, last_seen=T0)]
    )
    await store.upsert_organisations(
        [org("00000002", name="B", first_seen=T1, last_seen=T1)]
    )

    [row] = await fetch_all(store, models.Organisation.__table__)
    assert (row["name"], as_utc(row["first_seen"]), as_utc(row["last_seen"])) == (
        "B",
        T0,
        T1,
    )


@pytest.mark.asyncio
async def test_older_sighting_does_not_move_last_seen_back(store: Store) -> None:
    """Re-importing an older file cannot make an organisation look stale."""
    await store.upsert_organisations([org("00000003", first_seen=T1, last_seen=T1)])
    await store.upsert_organisations([org("00000003", first_seen=T0, last_seen=T0)])

    [row] = await fetch_all(store, models.Organisation.__table__)
    assert as_utc(row["last_seen"]) == T1


@pytest.mark.asyncio
async def test_missing_values_do_not_erase_stored_ones(store: Store) -> None:
    """A row without a postcode keeps the stored postcode; overwrite columns clear."""
    await store.upsert_organisations(
        [org("00000004", postcode="LS2 7EE", is_digital=True, digital_score=0.9)]
    )
    await store.upsert_organisations(
        [org("00000004", is_digital=None, digital_score=None)]
    )

    [row] = await fetch_all(store, models.Organisation.__table__)
    assert (row["postcode"], row["is_digital"], row["digital_score"]) == (
        "LS2 7EE",
        None,
        None,
    )


HOSTILE = [
    pytest.param('O\'Reilly & Sons "Ltd"', id="quotes"),
    pytest.param("x'); DROP TABLE organisations; --", id="sql-injection"),
    pytest.param("Café Ünïcødé 数据 🚀 עברית", id="unicode"),
    pytest.param("back\\slash\ttab\nnewline", id="control-characters"),
    pytest.param("\u202eright-to-left override", id="bidi"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", HOSTILE)
async def test_hostile_strings_stored_verbatim(store: Store, name: str) -> None:
    """Quotes, SQL fragments and any Unicode come back byte for byte."""
    await store.upsert_organisations(
        [org("00000005", name=name, sic_codes=[name], previous_names=[{"name": name}])]
    )

    [row] = await fetch_all(store, models.Organisation.__table__)
    assert (row["name"], row["sic_codes"], row["previous_names"]) == (
        name,
        [name],
        [{"name": name}],
    )


@pytest.mark.asyncio
async def test_nul_byte_rejected_with_clear_error(store: Store) -> None:
    """A NUL byte fails the batch before any write, naming table, column and row."""
    await store.upsert_organisations([org("00000006", name="Kept")])

    with pytest.raises(
        StoreValueError, match=r"organisations\.name of row .*00000007.*NUL"
    ):
        await store.upsert_organisations(
            [org("00000006", name="Changed"), org("00000007", name="bad\x00name")]
        )

    rows = await fetch_all(store, models.Organisation.__table__)
    assert [r["name"] for r in rows] == ["Kept"]


@pytest.mark.asyncio
async def test_nul_byte_inside_json_rejected(store: Store) -> None:
    """NUL inside a JSON value is refused too (jsonb cannot hold it)."""
    with pytest.raises(StoreValueError, match="sic_codes"):
        await store.upsert_organisations([org("00000008", sic_codes=["6201\x00"])])


@pytest.mark.asyncio
async def test_unknown_and_missing_columns_are_named(store: Store) -> None:
    """A misspelt column or a missing required one is reported by name."""
    with pytest.raises(StoreValueError, match=r"organisations\.nmae.*no such column"):
        await store.upsert_organisations([org("00000009", nmae="typo")])
    with pytest.raises(StoreValueError, match=r"signals\.weight.*required"):
        await store.upsert_signals(
            [
                {
                    "organisation_id": 1,
                    "kind": "k",
                    "value": "v",
                    "source_url": "u",
                    "ruleset_version": "1",
                }
            ]
        )


@pytest.mark.asyncio
async def test_every_table_upserts_idempotently(store: Store) -> None:
    """Websites, pages, signals, contacts and profiles all merge on their natural keys."""
    ids = await store.upsert_organisations([org("00000010", name="Acme Digital")])
    org_id = ids["gb:00000010"]
    batches = {
        "websites": [
            {
                "organisation_id": org_id,
                "domain": "acme.co.uk",
                "match_score": 0.9,
                "match_method": "company_number",
                "verification": "verified",
            }
        ],
        "pages": [
            {
                "url": "http://acme.co.uk/",
                "domain": "acme.co.uk",
                "status": 200,
                "etag": '"abc"',
                "content_hash": "0" * 64,
                "title": "Acme",
            }
        ],
        "signals": [
            {
                "organisation_id": org_id,
                "kind": "keyword",
                "value": "saas",
                "weight": 1.5,
                "source_url": "http://acme.co.uk/",
                "ruleset_version": "1",
            }
        ],
        "contacts": [
            {
                "organisation_id": org_id,
                "kind": "email",
                "value": "info@acme.co.uk",
                "shown": "info [at] acme.co.uk",
                "source_url": "http://acme.co.uk/",
            }
        ],
        "profiles": [
            {
                "organisation_id": org_id,
                "platform": "github",
                "url": "https://github.com/acme",
                "fields": {"repos": 12},
            }
        ],
    }

    for table, rows in batches.items():
        first = await store.upsert(table, rows * 2)
        second = await store.upsert(table, rows)
        assert first == second, table
        stored = await fetch_all(store, models.Base.metadata.tables[table])
        assert len(stored) == 1, table

    [contact] = await fetch_all(store, models.Contact.__table__)
    assert contact["is_personal"] is False


@pytest.mark.asyncio
async def test_large_batch_spans_several_chunks(store: Store) -> None:
    """More rows than one chunk are all written and all ids come back."""
    store.batch_size = 300
    rows = [org(f"{n:08d}", name=f"Firm {n}") for n in range(1000)]

    ids = await store.upsert_organisations(rows)

    assert len(ids) == 1000
    assert len(set(ids.values())) == 1000


@pytest.mark.asyncio
async def test_crawl_run_records_outcome_and_stats(store: Store) -> None:
    """A run is recorded at start and closed with its outcome and JSON stats."""
    run_id = await store.start_run("seed", {"path": "x.csv"})
    await store.finish_run(run_id, outcome="finished", stats={"rows": 3, "at": T0})

    [run] = await fetch_all(store, models.CrawlRun.__table__)
    assert (run["job"], run["outcome"], run["stats"]["rows"]) == ("seed", "finished", 3)
    assert run["finished_at"] is not None


@pytest.mark.asyncio
@pytest.mark.postgres
async def test_transient_error_is_retried(postgres_url) -> None:
    """A connection killed mid-session is retried and the batch still lands."""
    from crawler.db import create_engine

    store = Store(create_engine(postgres_url), retry_wait_max=0.2)
    await store.upsert_organisations([org("00000020")])
    async with store.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        await conn.commit()

    ids = await store.upsert_organisations([org("00000021")])

    assert "gb:00000021" in ids
    await store.close()


def test_programming_errors_are_not_retried() -> None:
    """Only errors a retry can cure count as transient."""
    assert is_transient(ConnectionRefusedError())
    assert not is_transient(ValueError("bad"))
    assert not is_transient(StoreValueError("t", "c", 1, "bad"))


@pytest.mark.asyncio
async def test_defaulted_column_left_out_keeps_stored_value(store: Store) -> None:
    """Re-sighting a verified website without a verdict leaves it verified."""
    ids = await store.upsert_organisations([org("00000030", name="Acme")])
    site = {"organisation_id": ids["gb:00000030"], "domain": "acme.co.uk"}
    await store.upsert_websites([{**site, "verification": "verified"}])

    await store.upsert_websites([site, {**site, "domain": "acme.com"}])

    rows = await fetch_all(store, models.Website.__table__)
    assert {r["domain"]: r["verification"] for r in rows} == {
        "acme.co.uk": "verified",
        "acme.com": "candidate",
    }


@pytest.mark.asyncio
async def test_column_left_out_of_whole_batch_is_not_updated(store: Store) -> None:
    """An overwrite column the batch never names keeps its stored value."""
    await store.upsert_organisations(
        [org("00000031", is_digital=True, digital_score=0.8)]
    )

    await store.upsert_organisations([org("00000031", name="Renamed")])

    [row] = await fetch_all(store, models.Organisation.__table__)
    assert (row["name"], row["is_digital"], row["digital_score"]) == (
        "Renamed",
        True,
        0.8,
    )
