"""``datacity export``: CSV, JSON Lines and GeoJSON of the register."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.cli import app
from crawler.export import CentroidFileError, load_centroids
from crawler.register import Area, ExportOptions, count_records, register_records
from crawler.store import Store
from tests import register_city
from tests.conftest import isolated
from tests.register_city import plant

runner = CliRunner()

DIGITAL = [
    "Alpha Software Ltd",
    "Gamma Consulting Ltd",
    "Delta Games Ltd",
    "Epsilon Telecom Ltd",
    "Zeta",
]

# An ONS Postcode Directory extract: upper-case headers, extra columns, a postcode
# without a grid reference, a short row and a bad number.
ONSPD = """\
PCD,PCDS,DOINTR,LAT,LONG,OSWARD
LS1  2AB,LS1 2AB,198001,53.799000,-1.549000,E05011
LS115AA,LS11 5AA,198001,53.781000,-1.553000,E05011
LS6  1AA,LS6 1AA,198001,99.999999,0.000000,E05011
LS2  7EY,LS2 7EY
BD1  1AA,BD1 1AA,198001,north,-1.750000,E05001
"""


def export(store: Store, monkeypatch, *args: str):
    monkeypatch.setenv(
        "DATABASE_URL", store.engine.url.render_as_string(hide_password=False)
    )
    return isolated(runner.invoke, app, ["export", *args])


def read_jsonl(path: Path) -> dict[str, dict]:
    records = [json.loads(line) for line in path.read_text().splitlines()]
    return {record["name"]: record for record in records}


@pytest.mark.asyncio
async def test_csv_holds_the_digital_register(store: Store, monkeypatch, tmp_path):
    """The CSV has one row per digital organisation, lists joined, flags as words."""
    await plant(store)
    output = tmp_path / "register.csv"

    result = export(store, monkeypatch, "--output", str(output))

    assert result.exit_code == 0, result.output
    with output.open(newline="") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(DIGITAL)
    alpha = rows["Alpha Software Ltd"]
    assert alpha["emails"] == "info@alpha.co.uk; jane.smith@alpha.co.uk"
    assert alpha["digital_by_sic"] == "true"
    assert alpha["digital_basis"] == "both"
    assert alpha["top_evidence"] == register_city.ALPHA_TOP_EVIDENCE
    assert alpha["first_seen"].endswith("+00:00")
    assert rows["Gamma Consulting Ltd"]["is_digital"] == ""
    assert "Wrote 5 organisations" in result.output
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.asyncio
async def test_csv_of_every_organisation(store: Store, monkeypatch, tmp_path):
    """--all adds the organisations that are digital by neither measure."""
    await plant(store)
    output = tmp_path / "everyone.csv"

    result = export(store, monkeypatch, "--all", "--output", str(output))

    assert result.exit_code == 0, result.output
    with output.open(newline="") as handle:
        basis = {row["name"]: row["digital_basis"] for row in csv.DictReader(handle)}
    assert len(basis) == len(register_city.ORGANISATIONS)
    assert basis["Beta Bakery Ltd"] == "neither"
    assert basis["Eta Holdings Ltd"] == "neither"


@pytest.mark.asyncio
async def test_jsonl_without_personal_contacts(store: Store, monkeypatch, tmp_path):
    """--no-personal leaves out a named person's email and keeps role mailboxes."""
    await plant(store)
    everyone, roles = tmp_path / "all.jsonl", tmp_path / "roles.jsonl"

    first = export(store, monkeypatch, "-f", "jsonl", "-o", str(everyone))
    second = export(
        store, monkeypatch, "-f", "jsonl", "-o", str(roles), "--no-personal"
    )

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert read_jsonl(everyone)["Zeta"]["emails"] == ["sam@zeta.io"]
    kept = read_jsonl(roles)
    assert kept["Zeta"]["emails"] == []
    assert kept["Alpha Software Ltd"]["emails"] == ["info@alpha.co.uk"]
    assert kept["Alpha Software Ltd"]["phones"] == ["+441131234567"]


@pytest.mark.asyncio
async def test_jsonl_evidence_matches_the_view(store: Store, monkeypatch, tmp_path):
    """A record's evidence list is the view's top evidence, with page and snippet."""
    await plant(store)
    output = tmp_path / "register.jsonl"

    export(store, monkeypatch, "--format", "jsonl", "--output", str(output))

    alpha = read_jsonl(output)["Alpha Software Ltd"]
    shown = "; ".join(
        f"{e['kind']}: {e['value']} ({e['weight']:.2f})" for e in alpha["evidence"]
    )
    assert shown == alpha["top_evidence"] == register_city.ALPHA_TOP_EVIDENCE
    assert alpha["evidence"][0]["url"] == "/"
    assert alpha["digital_sic_codes"] == ["62012"]
    assert alpha["sectors"] == ["software"]


@pytest.mark.asyncio
async def test_geojson_positions_from_geo_and_postcodes(
    store: Store, monkeypatch, tmp_path
):
    """Positions come from schema.org geo, then site, then registered postcodes."""
    await plant(store)
    centroids = tmp_path / "onspd.csv"
    centroids.write_text(ONSPD)
    output = tmp_path / "register.geojson"

    options = ["-f", "geojson", "-o", str(output), "--postcodes", str(centroids)]

    result = export(store, monkeypatch, *options)

    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text())
    assert document["type"] == "FeatureCollection"
    placed = {
        f["properties"]["name"]: (
            f["geometry"]["coordinates"],
            f["properties"]["coordinates_from"],
        )
        for f in document["features"]
    }
    assert placed == {
        "Alpha Software Ltd": ([-1.547, 53.796], "schema.org geo"),
        "Delta Games Ltd": ([-1.553, 53.781], "site postcode centroid"),
        "Gamma Consulting Ltd": ([-1.549, 53.799], "registered postcode centroid"),
    }
    assert "2 left out with no known position" in result.output
    assert "2 rows unusable" in result.output


@pytest.mark.asyncio
async def test_geojson_of_an_area_without_centroids(
    store: Store, monkeypatch, tmp_path
):
    """Without --postcodes only organisations whose site gives coordinates appear."""
    await plant(store)
    output = tmp_path / "ls.geojson"

    result = export(
        store, monkeypatch, "-f", "geojson", "-o", str(output), "--area", "LS"
    )

    assert result.exit_code == 0, result.output
    features = json.loads(output.read_text())["features"]
    assert [f["properties"]["name"] for f in features] == ["Alpha Software Ltd"]


@pytest.mark.asyncio
async def test_paging_and_count_agree(store: Store) -> None:
    """Keyset pages of any size yield every selected organisation once."""
    await plant(store)
    everything = ExportOptions(digital_only=False, page_size=3)
    ls_digital = ExportOptions(area=Area.parse(area="LS"), page_size=1)

    names = [r["name"] async for r in register_records(store.engine, everything)]
    ls_names = [r["name"] async for r in register_records(store.engine, ls_digital)]

    assert len(names) == len(set(names)) == 8
    assert await count_records(store.engine, everything) == 8
    assert sorted(ls_names) == [
        "Alpha Software Ltd",
        "Delta Games Ltd",
        "Gamma Consulting Ltd",
    ]
    assert await count_records(store.engine, ls_digital) == 3


def test_centroid_file_without_columns_is_refused(tmp_path) -> None:
    """A CSV lacking latitude and longitude columns is refused, naming the file."""
    path = tmp_path / "postcodes.csv"
    path.write_text("postcode,ward\nLS1 4AP,City\n")

    with pytest.raises(CentroidFileError, match=r"postcodes\.csv.*latitude column"):
        load_centroids(path, {"LS1 4AP"})


def test_centroids_keep_only_wanted_postcodes(tmp_path) -> None:
    """Only the postcodes asked for are kept; spacing and case do not matter."""
    path = tmp_path / "centroids.csv"
    path.write_text(
        "Postcode,Latitude,Longitude\nls1 4ap,53.79,-1.54\nLS2 7EY,53.8,-1.55\n"
    )

    found, stats = load_centroids(path, {"LS1 4AP"})

    assert found == {"LS1 4AP": (53.79, -1.54)}
    assert (stats.rows, stats.kept, stats.bad_rows) == (2, 1, 0)


@pytest.mark.asyncio
async def test_bad_centroid_file_leaves_no_output(store: Store, monkeypatch, tmp_path):
    """A wrong --postcodes file stops the export with one line and no output file."""
    await plant(store)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,town\nx,y\n")
    output = tmp_path / "out.geojson"

    result = export(
        store, monkeypatch, "-f", "geojson", "-o", str(output), "--postcodes", str(bad)
    )

    assert result.exit_code == 2
    assert "bad.csv: not a postcode-centroid CSV" in result.output
    assert not output.exists()
    assert not list(tmp_path.glob("*.part"))
