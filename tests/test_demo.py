"""``datacity demo``: the whole pipeline on the generated sample city."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from crawler import demo
from crawler.cli import app
from crawler.commands.report import LABELS

runner = CliRunner()


def test_generated_city_is_what_the_plan_says(tmp_path) -> None:
    """The registry rows and websites written match the sample's definition."""
    sites, registry, websites = demo.generate(tmp_path)

    with registry.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == demo.PLANTED["organisations"]
    assert {r["company_number"] for r in rows} == {o.number for o in demo.SAMPLE}
    sic_digital = [
        r
        for r in rows
        if r["nature_of_business"][:4]
        in {"6201", "6202", "6311", "6190", "5911", "6209"}
    ]
    assert len(sic_digital) == demo.PLANTED["digital_by_sic"]
    assert (sites / "airesoftware.co.uk" / "privacy" / "index.html").is_file()
    assert "11000001" in (sites / "airesoftware.co.uk" / "index.html").read_text()
    assert (sites / "otleybuilders.co.uk" / "index.html").stat().st_size == 0
    with websites.open(newline="") as handle:
        listed = {r["company_number"] for r in csv.DictReader(handle)}
    assert listed == {o.number for o in demo.SAMPLE if o.listed and o.domain}


def test_demo_counts_what_was_planted(tmp_path, monkeypatch) -> None:
    """Seed, discovery, crawl, extraction and classification find the planted city."""
    monkeypatch.chdir(tmp_path)
    workdir = tmp_path / "demo"

    result = runner.invoke(app, ["demo", "--workdir", "demo"])

    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for name, count in demo.PLANTED.items():
        label = LABELS[name]
        assert f"│ {label} │ {count} │" in text, (name, count)
    assert (workdir / "demo.db").is_file()


def test_demo_never_empties_a_folder_it_did_not_make(tmp_path, monkeypatch) -> None:
    """A --workdir holding someone else's files is refused and left as it was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("keep me")

    result = runner.invoke(app, ["demo", "--workdir", "."])

    assert result.exit_code == 2
    assert "holds files no demo wrote" in result.output
    assert (tmp_path / "notes.txt").read_text() == "keep me"
