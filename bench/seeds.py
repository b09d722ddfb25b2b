"""
Benchmark: the BasicCompanyData seed import against a bare csv.reader loop.

    python -m bench.seeds [--rows 1000000] [--repeat 3] [--keep PATH] [--zip]

Generates a BasicCompanyData CSV with the product's real 55-column header and
realistic values (about 2% of rows in the LS postcode area), then in the same run
measures (a) a bare ``csv.reader`` loop over the file and (b) ``datacity seed
companies-house FILE --postcode-area LS`` into a scratch PostgreSQL database
(``DATABASE_TEST_URL``), run as a child process so that its peak RSS is its own.
The import's rate is rows read over the import's own clock (from its crawl_runs
record: reading, filtering and every database write); the child's wall time, with
interpreter start-up, is printed beside it. Figures are medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import asyncpg
from rich.console import Console
from rich.table import Table

from bench.common import Timer, median, scratch_postgres

# The header of the free Companies House "BasicCompanyData" product, verbatim
# (Open Government Licence), leading spaces included.
HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,"
    "RegAddress.AddressLine1, RegAddress.AddressLine2,RegAddress.PostTown,"
    "RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,"
    "CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,"
    "Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE,"
    " PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,"
    "PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE,"
    " PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE,"
    " PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,"
    "PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate,"
    " ConfStmtLastMadeUpDate"
)

SIC = [
    "62012 - Business and domestic software development",
    "62020 - Information technology consultancy activities",
    "62090 - Other information technology service activities",
    "63110 - Data processing, hosting and related activities",
    "70229 - Management consultancy activities other than financial management",
    "68209 - Other letting and operating of own or leased real estate",
    "47910 - Retail sale via mail order houses or via Internet",
    "56101 - Licensed restaurants",
    "41202 - Construction of domestic buildings",
    "96020 - Hairdressing and other beauty treatment",
    "99999 - Dormant Company",
    "74990 - Non-trading company",
]
# Outside LS: other areas, including L (Liverpool), which an area filter must not
# confuse with LS.
OTHER_AREAS = [
    ("LONDON", "EC"),
    ("LONDON", "N"),
    ("MANCHESTER", "M"),
    ("BIRMINGHAM", "B"),
    ("LIVERPOOL", "L"),
    ("BRADFORD", "BD"),
    ("SHEFFIELD", "S"),
    ("YORK", "YO"),
    ("BRISTOL", "BS"),
    ("GLASGOW", "G"),
]
LS_TOWNS = ["LEEDS", "LEEDS", "LEEDS", "OTLEY", "ILKLEY", "WETHERBY", "PUDSEY"]
WORDS = ["NORTHERN", "AIRE", "PENNINE", "WHITE ROSE", "CANAL", "MILL", "KIRKSTALL"]
TRADES = ["DIGITAL", "SOFTWARE", "BAKERY", "BUILDERS", "CONSULTING", "HOLDINGS"]
STATUSES = ["Active"] * 18 + ["Active - Proposal to Strike off", "Liquidation"]
CATEGORIES = ["Private Limited Company"] * 9 + ["PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital, use of 'Limited' exemption)"]  # fmt: skip


def _date(rng: random.Random, first: int, last: int) -> str:
    return (
        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(first, last)}"
    )


def _postcode(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}"
        f"{rng.choice(letters)}{rng.choice(letters)}"
    )


def generate(path: Path, rows: int, seed: int = 11) -> int:
    """Write *rows* companies to *path*; returns how many are active and in LS."""
    rng = random.Random(seed)
    wanted = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\r\n")
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        for i in range(rows):
            in_ls = rng.random() < 0.02
            if in_ls:
                town, area = rng.choice(LS_TOWNS), "LS"
            else:
                town, area = rng.choice(OTHER_AREAS)
            status = rng.choice(STATUSES)
            wanted += in_ls and status.startswith("Active")
            number = f"{i + 1:08d}" if i % 20 else f"SC{i % 999_999:06d}"
            codes = rng.sample(SIC, rng.choice([1, 1, 1, 2, 3, 4]))
            codes += [""] * (4 - len(codes))
            renamed = rng.random() < 0.15
            previous = (
                [_date(rng, 2000, 2020), f"{rng.choice(WORDS)} {i} LTD"]
                if renamed
                else ["", ""]
            )
            writer.writerow(
                [
                    f"{rng.choice(WORDS)} {rng.choice(TRADES)} {i} LIMITED",
                    number,
                    "",
                    "",
                    f"{rng.randint(1, 300)} {rng.choice(WORDS).title()} Road",
                    rng.choice(["", "", "HUNSLET", "CITY CENTRE", "UNIT 4"]),
                    town,
                    rng.choice(["", "WEST YORKSHIRE", "ENGLAND"]),
                    rng.choice(["", "UNITED KINGDOM", "ENGLAND"]),
                    _postcode(rng, area),
                    rng.choice(CATEGORIES),
                    status,
                    "United Kingdom",
                    "",
                    _date(rng, 1990, 2025),
                    str(rng.randint(1, 31)),
                    str(rng.randint(1, 12)),
                    _date(rng, 2025, 2026),
                    _date(rng, 2023, 2024),
                    rng.choice(["TOTAL EXEMPTION FULL", "MICRO ENTITY", "DORMANT"]),
                    _date(rng, 2015, 2016),
                    _date(rng, 2014, 2015),
                    "0",
                    "0",
                    "0",
                    "0",
                    *codes,
                    "0",
                    "0",
                    f"http://business.data.gov.uk/id/company/{number}",
                    *previous,
                    *([""] * 18),
                    _date(rng, 2025, 2026),
                    _date(rng, 2024, 2025),
                ]
            )
    return wanted


@contextlib.contextmanager
def open_csv(path: Path) -> Iterator[TextIO]:
    """The CSV text of *path*, straight from the zip when it is one."""
    if not zipfile.is_zipfile(path):
        with open(path, encoding="utf-8", newline="") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        [member] = archive.namelist()
        with archive.open(member) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8", newline="")


def bare_csv(path: Path) -> tuple[float, float]:
    """Rows per wall second and per CPU second of a csv.reader loop doing nothing."""
    with Timer() as timer, open_csv(path) as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return count / timer.wall, count / timer.cpu


def count_wanted(path: Path) -> int:
    """Active LS rows of a file generated earlier (``--keep`` reused)."""
    with open_csv(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        return sum(1 for r in reader if r[11].startswith("Active") and r[9][:2] == "LS")


async def _latest_run(dsn: str) -> tuple[dict, int]:
    import json

    conn = await asyncpg.connect(dsn)
    try:
        stats = await conn.fetchval(
            "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1"
        )
        organisations = await conn.fetchval("SELECT count(*) FROM organisations")
        await conn.execute("TRUNCATE organisations, crawl_runs CASCADE")
    finally:
        await conn.close()
    return json.loads(stats), organisations


def seed_import(path: Path, dsn: str) -> tuple[float, float]:
    """Run the import in a child process: (wall seconds, peak RSS in MB)."""
    env = {**os.environ, "DATABASE_URL": dsn}
    command = [
        sys.executable,
        "-m",
        "crawler.cli",
        "seed",
        "companies-house",
        str(path),
        "--postcode-area",
        "LS",
    ]
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    # wait4 gives the child's own resource usage, peak RSS included.
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    errors = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"the import failed: {errors}")
    return wall, usage.ru_maxrss / 1024


async def measure(
    path: Path, repeat: int, console: Console
) -> tuple[
    list[tuple[float, float]], list[tuple[float, float, float, int, int, float]]
]:
    """Bare loop and import, *repeat* rounds, into one scratch database."""
    bare: list[tuple[float, float]] = []
    runs: list[tuple[float, float, float, int, int, float]] = []
    async with scratch_postgres() as url:
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        for attempt in range(repeat):
            console.log(f"Round {attempt + 1}/{repeat}")
            bare.append(bare_csv(path))
            wall, peak = seed_import(path, dsn)
            stats, stored = await _latest_run(dsn)
            rate = stats["rows_read"] / stats["seconds"]
            cpu_rate = stats["rows_read"] / stats["cpu_seconds"]
            runs.append((rate, wall, peak, stats["rows_kept"], stored, cpu_rate))
    return bare, runs


def main(rows: int, repeat: int, keep: Path | None, zipped: bool) -> None:
    console = Console()
    folder = tempfile.TemporaryDirectory(prefix="datacity-bench-")
    path = keep or Path(folder.name) / "BasicCompanyData-bench.csv"
    try:
        if keep and keep.exists():
            wanted = count_wanted(path)
            console.log(f"Reusing {path} ({wanted:,} active in LS)")
        else:
            with Timer() as made:
                wanted = generate(path, rows)
            console.log(
                f"Generated {rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB,"
                f" {wanted:,} active in LS) in {made.wall:.0f} s"
            )
        if zipped:
            archive = Path(folder.name) / "BasicCompanyData-bench.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
                out.write(path, "BasicCompanyData-2026-12-01.csv")
            console.log(f"Zipped to {archive.stat().st_size / 1e6:,.0f} MB")
            path = archive
        bare, runs = asyncio.run(measure(path, repeat, console))
    finally:
        folder.cleanup()

    _print(console, rows, repeat, wanted, bare, runs)


def _print(
    console: Console,
    rows: int,
    repeat: int,
    wanted: int,
    bare: list[tuple[float, float]],
    runs: list[tuple[float, float, float, int, int, float]],
) -> None:
    bare_rate = median([b[0] for b in bare])
    bare_cpu = median([b[1] for b in bare])
    seed_rate = median([r[0] for r in runs])
    seed_cpu = median([r[5] for r in runs])
    wall_rate = rows / median([r[1] for r in runs])
    peak = max(r[2] for r in runs)
    kept = {r[3] for r in runs}
    stored = {r[4] for r in runs}

    table = Table(title=f"BasicCompanyData, {rows:,} rows, median of {repeat}")
    table.add_column("method")
    table.add_column("rows/s", justify="right")
    table.add_column("× bare csv", justify="right")
    table.add_row("bare csv.reader loop", f"{bare_rate:,.0f}", "1.00")
    table.add_row(
        "seed import --postcode-area LS (import clock)",
        f"{seed_rate:,.0f}",
        f"{seed_rate / bare_rate:.2f}",
    )
    table.add_row(
        "seed import, child wall time incl. start-up",
        f"{wall_rate:,.0f}",
        f"{wall_rate / bare_rate:.2f}",
    )
    table.add_row("bare csv.reader loop, per CPU second", f"{bare_cpu:,.0f}", "")
    table.add_row(
        "seed import, per CPU second of the importer",
        f"{seed_cpu:,.0f}",
        f"{seed_cpu / bare_cpu:.2f}",
    )
    console.print(table)
    load = os.getloadavg()[0]
    console.print(
        f"load average {load:.1f} on {os.cpu_count()} CPUs: on a busy machine the"
        " per-CPU-second rates show the work done, the wall rates what was waited"
    )
    console.print(
        f"kept {sorted(kept)} of {wanted:,} active LS rows generated;"
        f" stored {sorted(stored)} organisations"
    )
    console.print(f"peak RSS of the import: {peak:,.0f} MB (target < 300)")
    console.print(
        f"rate {seed_rate:,.0f} rows/s (target ≥ 150,000);"
        f" ratio {seed_rate / bare_rate:.2f} (target ≥ 0.5)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep",
        type=Path,
        help="Write the generated file here and keep it (reused when it exists).",
    )
    parser.add_argument(
        "--zip", action="store_true", help="Measure both loops on a zip of the file."
    )
    args = parser.parse_args()
    main(args.rows, args.repeat, args.keep, args.zip)
