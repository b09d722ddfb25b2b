"""`datacity seed …` end to end on SQLite: imports, the bad-row report, clear failures."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from crawler import models
from crawler.cli import app
from crawler.db import create_engine
from tests.conftest import isolated, shared_data
from tests.test_seeds_support import bulk_csv, bulk_row, write_zip

runner = CliRunner()


@pytest.fixture
def database(sqlite_url: URL, monkeypatch: pytest.MonkeyPatch) -> URL:
    """DATABASE_URL pointing at a fresh SQLite register."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url.render_as_string(hide_password=False))
    return sqlite_url


def count(url: URL, table) -> int:
    async def query() -> int:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return (
                    await conn.execute(select(func.count()).select_from(table))
                ).scalar_one()
        finally:
            await engine.dispose()

    return isolated(asyncio.run, query())


def test_companies_house_search_export(
    database: URL, caplog: pytest.LogCaptureFixture
) -> None:
    """The Leeds subset imports its 151 active LS companies; one INFO line says so."""
    path = shared_data("companies_house", "leeds_LS_subset_2024_01_advanced_search.csv")

    with caplog.at_level(logging.INFO, logger="crawler.seeds"):
        result = runner.invoke(
            app, ["seed", "companies-house", str(path), "--postcode-area", "LS"]
        )

    assert result.exit_code == 0, result.output
    [summary] = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert "155 rows read, 151 kept, 0 bad" in summary
    assert count(database, models.Organisation.__table__) == 151
    assert count(database, models.CrawlRun.__table__) == 1


def test_opencorporates_and_csv_commands(database: URL, tmp_path: Path) -> None:
    """The OpenCorporates and plain-list commands import into the same register."""
    oc = shared_data(
        "opencorporates", "oc_api_v0.3.1_companies_search_sample__WhoControlsIt.json"
    )
    plain = tmp_path / "ours.csv"
    plain.write_text("NAME,URL\nKirkstall Games,https://kirkstallgames.com\n")

    first = runner.invoke(app, ["seed", "opencorporates", str(oc), "--status", "any"])
    second = runner.invoke(app, ["seed", "csv", str(plain)])

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert count(database, models.Organisation.__table__) == 3
    assert count(database, models.Website.__table__) == 1


def test_bad_rows_reported_with_lines(database: URL, tmp_path: Path) -> None:
    """Bad rows are listed with their lines, the first twenty, then counted."""
    rows = [bulk_row(f"{n:08d}") for n in range(1, 4)]
    rows += [bulk_row(f"{n:08d}", IncorporationDate="32/13/2020") for n in range(4, 29)]
    path = write_zip(tmp_path / "bulk.zip", {"part1.csv": bulk_csv(rows)})

    result = runner.invoke(app, ["seed", "companies-house", str(path)])

    assert result.exit_code == 0, result.output
    assert "Skipped 25 bad rows (bad date: 25)" in result.output
    assert "bulk.zip:part1.csv line 5: bad date ('32/13/2020')" in result.output
    assert "… and 5 more" in result.output
    assert count(database, models.Organisation.__table__) == 3


def test_unknown_format_is_one_line_exit_2(database: URL, tmp_path: Path) -> None:
    """A file in no known format stops the command with one line naming it."""
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nabout companies\n")

    result = runner.invoke(app, ["seed", "companies-house", str(path)])

    assert result.exit_code == 2
    assert str(path) in result.output
    assert "expects" in result.output
    assert "Traceback" not in result.output
    assert count(database, models.CrawlRun.__table__) == 0


def test_wrong_command_for_the_format(database: URL) -> None:
    """An OpenCorporates file given to the Companies House command names the right one."""
    oc = shared_data(
        "opencorporates", "oc_api_v0.3.1_companies_search_sample__WhoControlsIt.json"
    )

    result = runner.invoke(app, ["seed", "companies-house", str(oc)])

    assert result.exit_code == 2
    assert "datacity seed opencorporates" in result.output


def test_bad_filter_value_exit_2(database: URL, tmp_path: Path) -> None:
    """A malformed filter is refused before any file is read."""
    path = tmp_path / "bulk.csv"
    path.write_text(bulk_csv([bulk_row("00000001")]))

    result = runner.invoke(
        app, ["seed", "companies-house", str(path), "--incorporated-since", "last year"]
    )

    assert result.exit_code == 2
    assert "--incorporated-since" in result.output


def test_database_without_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A register that was never upgraded gets a hint, not a traceback."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    path = tmp_path / "bulk.csv"
    path.write_text(bulk_csv([bulk_row("00000001")]))

    result = runner.invoke(app, ["seed", "companies-house", str(path)])

    assert result.exit_code == 2
    assert "datacity db upgrade" in result.output


def test_progress_bar_on_a_terminal(
    database: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the progress bar shows rows read, rows kept and the rate."""
    import io

    from rich.console import Console

    from crawler.commands import seed

    screen = io.StringIO()
    monkeypatch.setattr(seed, "console", Console(file=screen, force_terminal=True))
    path = tmp_path / "bulk.csv"
    far = {"RegAddress.PostCode": "M1 1AE"}
    rows = [bulk_row(f"{n:08d}", **(far if n > 10 else {})) for n in range(1, 9001)]
    path.write_text(bulk_csv(rows))

    result = runner.invoke(
        app, ["seed", "companies-house", str(path), "--postcode-area", "LS"]
    )

    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert "9,000 read" in shown
    assert "10 kept" in shown
    assert "rows/s" in shown


def test_corrupt_zip_fails_naming_the_file(database: URL, tmp_path: Path) -> None:
    """A zip damaged part-way stops with one line naming it; earlier batches stay."""
    rows = [
        bulk_row(f"{n:08d}", CompanyName=f"FIRM {n * 7919} LTD") for n in range(1, 3001)
    ]
    path = write_zip(tmp_path / "bulk.zip", {"part1.csv": bulk_csv(rows)})
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))

    result = runner.invoke(
        app, ["seed", "companies-house", str(path), "--batch-size", "100"]
    )

    assert result.exit_code == 2, result.output
    assert "bulk.zip:part1.csv: cannot read the file any further" in result.output
    assert "Traceback" not in result.output
