"""``datacity report``: its numbers are the views' numbers, in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from crawler import migrations
from crawler.cli import app
from crawler.config import database_url_from
from crawler.register import DISTRICT_COLUMNS, Area, build_report
from crawler.store import Store
from tests import register_city
from tests.conftest import isolated
from tests.register_city import plant

runner = CliRunner()


async def view_headline(store: Store, where: str = "") -> dict[str, int]:
    """The headline summed from district_counts, or read from digital_comparison."""
    names = ", ".join(f"SUM({name}) AS {name}" for name in register_city.HEADLINE)
    sql = (
        f"SELECT {names} FROM district_counts WHERE {where}"
        if where
        else "SELECT * FROM digital_comparison"
    )
    async with store.engine.connect() as conn:
        row = (await conn.execute(text(sql))).mappings().one()
    return {name: int(row[name]) for name in register_city.HEADLINE}


async def view_sectors(store: Store, where: str = "1 = 1") -> list[tuple[str, int]]:
    sql = (
        "SELECT sector, SUM(organisations) AS n FROM sector_counts"
        f" WHERE {where} GROUP BY sector ORDER BY n DESC, sector"
    )
    async with store.engine.connect() as conn:
        return [(s, int(n)) for s, n in await conn.execute(text(sql))]


def database_url_of(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.mark.asyncio
async def test_report_equals_views_and_plan(store: Store) -> None:
    """The whole-register report equals digital_comparison and the planted counts."""
    await plant(store)

    report = await build_report(store.engine)

    assert report.headline == await view_headline(store)
    assert report.headline == register_city.HEADLINE
    assert report.sectors == await view_sectors(store)
    assert report.sectors == register_city.SECTORS
    districts = {row["district"]: row["organisations"] for row in report.districts}
    assert districts == {d or "(none)": n for d, n in register_city.DISTRICTS.items()}


@pytest.mark.asyncio
async def test_report_for_an_area_equals_views(store: Store) -> None:
    """--area LS counts the same as district_counts and sector_counts for LS."""
    await plant(store)

    report = await build_report(store.engine, Area.parse(area="ls"))

    assert report.headline == await view_headline(store, "postcode_area = 'LS'")
    assert report.headline == register_city.HEADLINE_LS
    assert report.sectors == await view_sectors(store, "postcode_area = 'LS'")
    assert report.sectors == register_city.SECTORS_LS
    assert "BD1" not in {row["district"] for row in report.districts}


@pytest.mark.asyncio
async def test_report_for_districts_equals_views(store: Store) -> None:
    """--district LS1,LS11 sums exactly those two districts of district_counts."""
    await plant(store)

    report = await build_report(store.engine, Area.parse(district="LS1, LS11"))

    where = "postcode_district IN ('LS1', 'LS11')"
    assert report.headline == await view_headline(store, where)
    assert report.headline["organisations"] == 4
    assert report.headline["digital_either"] == 3
    assert [row["district"] for row in report.districts] == ["LS1", "LS11"]


@pytest.mark.parametrize(
    ("area", "district", "message"),
    [
        ("LS", "LS1", "not both"),
        ("L5", None, "--area 'L5'"),
        (None, "1LS", "--district '1LS'"),
        (None, ",", "--district ','"),
    ],
)
def test_bad_area_is_refused(area, district, message) -> None:
    """An area or district that is no postcode part is refused with the value named."""
    with pytest.raises(ValueError, match=message):
        Area.parse(area, district)


@pytest.mark.asyncio
async def test_cli_json_and_csv_carry_the_view_numbers(
    store: Store, monkeypatch
) -> None:
    """`datacity report --format json|csv` prints the numbers of the views."""
    await plant(store)
    monkeypatch.setenv("DATABASE_URL", database_url_of(store))
    expected = await view_headline(store)

    as_json = isolated(runner.invoke, app, ["report", "--format", "json"])
    as_csv = isolated(runner.invoke, app, ["report", "-f", "csv", "--area", "LS"])

    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    assert document["headline"] == expected
    assert document["sectors"][0] == {"sector": "software", "organisations": 2}

    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    headline = {
        r["measure"]: int(r["value"]) for r in rows if r["section"] == "headline"
    }
    assert headline == register_city.HEADLINE_LS
    ls1 = {r["measure"] for r in rows if r["name"] == "LS1"}
    assert ls1 == set(DISTRICT_COLUMNS)


@pytest.mark.asyncio
async def test_cli_table_and_markdown(store: Store, monkeypatch) -> None:
    """The table and markdown formats show every headline label with its number."""
    await plant(store)
    monkeypatch.setenv("DATABASE_URL", database_url_of(store))

    table = isolated(runner.invoke, app, ["report"])
    markdown = isolated(runner.invoke, app, ["report", "--format", "markdown"])

    assert table.exit_code == 0, table.output
    assert "Organisations seeded" in table.stdout
    assert "Web evidence adds 2 to the 3 organisations digital by SIC code" in (
        " ".join(table.stdout.split())
    )
    assert markdown.exit_code == 0, markdown.output
    assert "| Digital by either | 5 |" in markdown.stdout
    assert "| software | 2 |" in markdown.stdout


def test_cli_database_without_views_says_upgrade(tmp_path, monkeypatch) -> None:
    """A register created before migration 0002 gets told to upgrade, in one line."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrations.upgrade(database_url_from(url), "0001")
    monkeypatch.setenv("DATABASE_URL", url)

    result = runner.invoke(app, ["report"])

    assert result.exit_code == 2
    assert "datacity db upgrade" in result.output
    assert "Traceback" not in result.output


def test_cli_bad_district_is_one_line(monkeypatch, tmp_path) -> None:
    """A malformed --district stops the command before touching the database."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")

    result = runner.invoke(app, ["report", "--district", "LS1,??"])

    assert result.exit_code == 2
    assert "--district 'LS1,??'" in result.output
    assert not (tmp_path / "none.db").exists()
