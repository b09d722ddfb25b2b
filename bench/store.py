"""
Benchmark: organisations upserted through the store layer against raw COPY and naive inserts.

    python -m bench.store [--rows 200000] [--repeat 3] [--naive-rows 20000]

Each method writes the same generated rows into an empty ``organisations`` table of a
scratch PostgreSQL database (``DATABASE_TEST_URL``). The naive method, one INSERT per
row, is measured on the first ``--naive-rows`` rows only, because at its rate the full
set would take minutes; its rate is what matters. Figures are medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from bench.common import Timer, median, scratch_postgres
from crawler.db import create_engine
from crawler.store import Store

SIC = [
    "62012",
    "62020",
    "62090",
    "63110",
    "58290",
    "70229",
    "47910",
    "56101",
    "41201",
    "96020",
]
TOWNS = ["LEEDS", "BRADFORD", "WAKEFIELD", "HARROGATE", "YORK", "OTLEY", "ILKLEY"]


def generate(n: int, seed: int = 7) -> list[dict]:
    """Realistic organisation rows: names, SIC lists, addresses, dates."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i in range(n):
        number = (
            f"{rng.randint(1, 15_999_999):08d}" if i % 10 else f"SC{i % 999_999:06d}"
        )
        number = f"{i:08d}" if i % 10 else number
        town = rng.choice(TOWNS)
        rows.append(
            {
                "key": f"gb:{number}",
                "jurisdiction": "gb",
                "company_number": number,
                "name": f"{rng.choice(['NORTHERN', 'AIRE', 'PENNINE', 'WHITE ROSE'])} {rng.choice(['DIGITAL', 'BAKERY', 'SOFTWARE', 'BUILDERS'])} {i} LIMITED",
                "status": "Active",
                "company_type": "Private Limited Company",
                "sic_codes": rng.sample(SIC, rng.randint(1, 3)),
                "registered_address": f"{rng.randint(1, 300)} Park Row, {town}",
                "postcode": f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('ABDEFGHJ')}",
                "post_town": town,
                "incorporated_on": dt.date(2000, 1, 1)
                + dt.timedelta(days=rng.randint(0, 9000)),
                "source": "companies_house_bulk",
                "first_seen": now,
                "last_seen": now,
            }
        )
    return rows


async def truncate(store: Store) -> None:
    async with store.engine.begin() as conn:
        await conn.execute(text("TRUNCATE organisations RESTART IDENTITY CASCADE"))


async def run_store(store: Store, rows: list[dict]) -> float:
    await truncate(store)
    with Timer() as timer:
        await store.upsert_organisations(rows)
    return len(rows) / timer.wall


async def run_copy(store: Store, rows: list[dict]) -> float:
    """The floor: binary COPY straight into the empty table, no conflict handling."""
    await truncate(store)
    columns = list(rows[0])
    async with store.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        with Timer() as timer:
            records = [
                tuple(json.dumps(r[c]) if c == "sic_codes" else r[c] for c in columns)
                for r in rows
            ]
            await raw.copy_records_to_table(
                "organisations", records=records, columns=columns
            )
    return len(rows) / timer.wall


async def run_naive(store: Store, rows: list[dict]) -> float:
    """One INSERT statement per row, as an ORM loop without batching would do."""
    await truncate(store)
    columns = list(rows[0])
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    statement = (
        f"INSERT INTO organisations ({', '.join(columns)}) VALUES ({placeholders})"
    )
    async with store.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        with Timer() as timer:
            for r in rows:
                values = [
                    json.dumps(r[c]) if c == "sic_codes" else r[c] for c in columns
                ]
                await raw.execute(statement, *values)
    return len(rows) / timer.wall


async def main(rows_n: int, repeat: int, naive_rows: int) -> None:
    console = Console()
    rows = generate(rows_n)
    rates: dict[str, list[float]] = {"store": [], "copy": [], "naive": []}

    async with scratch_postgres() as url:
        store = Store(create_engine(url))
        for attempt in range(repeat):
            console.log(f"Round {attempt + 1}/{repeat}")
            rates["copy"].append(await run_copy(store, rows))
            rates["store"].append(await run_store(store, rows))
            rates["naive"].append(await run_naive(store, rows[:naive_rows]))
        reupsert = await run_reupsert(store, rows)
        await store.close()

    table = Table(title=f"Organisations upsert, {rows_n:,} rows, median of {repeat}")
    table.add_column("method")
    table.add_column("rows/s", justify="right")
    table.add_column("× COPY", justify="right")
    copy = median(rates["copy"])
    for method, values in rates.items():
        rate = median(values)
        table.add_row(method, f"{rate:,.0f}", f"{rate / copy:.2f}")
    table.add_row(
        "store, re-upsert of existing rows",
        f"{reupsert:,.0f}",
        f"{reupsert / copy:.2f}",
    )
    console.print(table)
    console.print(
        f"store/COPY ratio: {median(rates['store']) / copy:.2f} (target ≥ 0.5)"
    )


async def run_reupsert(store: Store, rows: list[dict]) -> float:
    """Every row conflicts: the cost of a re-import of an unchanged file."""
    with Timer() as timer:
        await store.upsert_organisations(rows)
    return len(rows) / timer.wall


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.repeat, args.naive_rows))
