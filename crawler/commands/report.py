"""``datacity report``: the headline counts of the register, by sector and district."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from crawler.config import load_settings
from crawler.db import create_engine
from crawler.errors import ConfigError
from crawler.register import DISTRICT_COLUMNS, Area, Report, build_report, views

T = TypeVar("T")

LABELS = {
    "organisations": "Organisations seeded",
    "websites_matched": "Websites matched",
    "websites_verified": "Websites verified",
    "digital_by_sic": "Digital by SIC code",
    "digital_by_web": "Digital by web evidence",
    "digital_by_both": "Digital by both",
    "sic_only": "Digital by SIC code only",
    "web_only": "Digital by web evidence only",
    "digital_either": "Digital by either",
    "web_verdict_unknown": "No web verdict yet",
}

DISTRICT_LABELS = {
    "organisations": "organisations",
    "websites_verified": "verified sites",
    "digital_by_sic": "by SIC",
    "digital_by_web": "by web",
    "digital_by_both": "both",
    "digital_either": "either",
}


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


def fail(message: str) -> typer.Exit:
    """Print one clear line to stderr and return the exit to raise."""
    Console(stderr=True).print(
        f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code=2)


def database_url() -> URL:
    try:
        return load_settings().database_url
    except ConfigError as error:
        raise fail(str(error)) from None


def run_on_register(url: URL, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run *work* on an engine for *url*, turning database trouble into one line."""

    async def run() -> T:
        engine = create_engine(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except OSError as error:
        raise fail(f"cannot reach the database at DATABASE_URL: {error}") from None
    except DBAPIError as error:
        text = str(error.orig)
        if any(name in text for name in views.tables):
            # A database created before migration 0002 has no views yet.
            message = f"the register views are missing ({text.strip()}); run `datacity db upgrade`"
            raise fail(message) from None
        raise fail(f"database error: {text.strip()}") from None


def parse_area(area: str | None, district: str | None) -> Area:
    try:
        return Area.parse(area, district)
    except ValueError as error:
        raise fail(str(error)) from None


def report(
    area: str | None = typer.Option(
        None, "--area", help="Postcode area(s) of the registered office: LS or LS,BD."
    ),
    district: str | None = typer.Option(
        None, "--district", help="Postcode district(s): LS1,LS2."
    ),
    output_format: Format = typer.Option(
        Format.table, "--format", "-f", help="How to print the report."
    ),
) -> None:
    """Print the register's headline: organisations, websites, digital by SIC and by web
    evidence; then digital organisations by sector and counts by district."""
    selected = parse_area(area, district)
    result = run_on_register(
        database_url(), lambda engine: build_report(engine, selected)
    )

    if output_format is Format.table:
        print_tables(result, Console())
    else:
        render = {
            Format.markdown: as_markdown,
            Format.json: as_json,
            Format.csv: as_csv,
        }[output_format]
        typer.echo(render(result), nl=False)


def uplift(report: Report) -> str | None:
    """One sentence on what web evidence adds to a SIC-based count."""
    headline = report.headline
    if not headline["digital_by_sic"]:
        return None
    extra = headline["web_only"]
    percent = 100.0 * extra / headline["digital_by_sic"]
    return (
        f"Web evidence adds {extra} to the {headline['digital_by_sic']} organisations"
        f" digital by SIC code ({percent:+.0f}%)."
    )


def print_tables(report: Report, console: Console) -> None:
    headline = Table(title=f"The register: {report.area.describe()}")
    headline.add_column("measure")
    headline.add_column("organisations", justify="right")
    for name, label in LABELS.items():
        headline.add_row(label, str(report.headline[name]))
    console.print(headline)
    note = uplift(report)
    if note:
        console.print(note)

    sectors = Table(title="Digital by web evidence, by sector")
    sectors.add_column("sector")
    sectors.add_column("organisations", justify="right")
    for sector, count in report.sectors:
        sectors.add_row(sector, str(count))
    console.print(sectors)

    districts = Table(title="By postcode district")
    districts.add_column("district")
    for label in DISTRICT_LABELS.values():
        districts.add_column(label, justify="right")
    for row in report.districts:
        districts.add_row(row["district"], *(str(row[c]) for c in DISTRICT_COLUMNS))
    console.print(districts)


def _markdown_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines.extend("| " + " | ".join(str(v) for v in row) + " |" for row in rows)
    return lines


def as_markdown(report: Report) -> str:
    lines = [f"## The register: {report.area.describe()}", ""]
    lines += _markdown_table(
        ["measure", "organisations"],
        [[label, report.headline[name]] for name, label in LABELS.items()],
    )
    note = uplift(report)
    if note:
        lines += ["", note]

    lines += ["", "### Digital by web evidence, by sector", ""]
    lines += _markdown_table(
        ["sector", "organisations"], [list(row) for row in report.sectors]
    )
    lines += ["", "### By postcode district", ""]
    lines += _markdown_table(
        ["district", *DISTRICT_LABELS.values()],
        [
            [row["district"], *(row[c] for c in DISTRICT_COLUMNS)]
            for row in report.districts
        ],
    )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    document = {
        "area": {
            "areas": list(report.area.areas),
            "districts": list(report.area.districts),
        },
        "headline": report.headline,
        "sectors": [{"sector": s, "organisations": n} for s, n in report.sectors],
        "districts": report.districts,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_csv(report: Report) -> str:
    """Long format, one number a row: section, name, measure, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "name", "measure", "value"])
    for name in LABELS:
        writer.writerow(["headline", "", name, report.headline[name]])
    for sector, count in report.sectors:
        writer.writerow(["sector", sector, "organisations", count])
    for row in report.districts:
        for column in DISTRICT_COLUMNS:
            writer.writerow(["district", row["district"], column, row[column]])
    return out.getvalue()
