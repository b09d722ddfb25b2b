"""``datacity export``: the register as CSV, JSON Lines or GeoJSON."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.ext.asyncio import AsyncEngine

from crawler.commands.report import database_url, fail, parse_area, run_on_register
from crawler.export import (
    CentroidFileError,
    CentroidStats,
    ExportStats,
    Format,
    load_centroids,
    partial_path,
    write_records,
)
from crawler.register import (
    ExportOptions,
    count_records,
    postcodes_in,
    register_records,
)


def export(
    output: Path = typer.Option(
        ..., "--output", "-o", help="File to write; replaced only once complete."
    ),
    output_format: Format = typer.Option(
        Format.csv, "--format", "-f", help="csv, jsonl or geojson."
    ),
    no_personal: bool = typer.Option(
        False,
        "--no-personal",
        help="Leave out emails and phones tagged as a named person's (UK GDPR).",
    ),
    postcodes: Path | None = typer.Option(
        None,
        "--postcodes",
        help="Postcode-centroid CSV (ONS Postcode Directory: pcds, lat, long) for"
        " GeoJSON positions where the site gives no coordinates.",
    ),
    all_organisations: bool = typer.Option(
        False, "--all", help="Every organisation, not only the digital ones."
    ),
    area: str | None = typer.Option(None, "--area", help="Postcode area(s): LS."),
    district: str | None = typer.Option(
        None, "--district", help="Postcode district(s): LS1,LS2."
    ),
) -> None:
    """Write the register of digital organisations (by SIC code or web evidence),
    with contacts and top evidence, to FILE."""
    options = ExportOptions(
        area=parse_area(area, district),
        digital_only=not all_organisations,
        personal=not no_personal,
    )
    if postcodes is not None and not postcodes.is_file():
        raise fail(f"--postcodes {postcodes}: no such file")
    if postcodes is not None and output_format is not Format.geojson:
        raise fail("--postcodes is only used with --format geojson")
    if not output.parent.is_dir():
        raise fail(f"--output {output}: folder {output.parent} does not exist")

    console = Console(stderr=True)

    async def work(engine: AsyncEngine) -> tuple[ExportStats, CentroidStats | None]:
        centroids, read = {}, None
        if postcodes is not None:
            wanted = await postcodes_in(engine, options)
            centroids, read = await asyncio.to_thread(load_centroids, postcodes, wanted)
        total = await count_records(engine, options)

        part = partial_path(output)
        with (
            Progress(
                TextColumn("Exporting"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                disable=not console.is_terminal,
                transient=True,
            ) as progress,
            part.open("w", encoding="utf-8", newline="") as out,
        ):
            task = progress.add_task("export", total=total)
            stats = await write_records(
                register_records(engine, options),
                output_format,
                out,
                centroids=centroids,
                progress=lambda: progress.advance(task),
            )
        part.replace(output)
        return stats, read

    try:
        stats, read = run_on_register(database_url(), work)
    except CentroidFileError as error:
        raise fail(str(error)) from None
    finally:
        partial_path(output).unlink(missing_ok=True)

    if read is not None:
        console.print(
            f"Postcode centroids: {read.kept} of the register's postcodes found in"
            f" {read.rows} rows ({read.bad_rows} rows unusable"
            + (
                f", first at line {read.first_bad_line})"
                if read.first_bad_line
                else ")"
            ),
            highlight=False,
            soft_wrap=True,
        )
    message = f"Wrote {stats.written} organisations to {output}"
    if output_format is Format.geojson:
        message += f"; {stats.without_coordinates} left out with no known position"
    console.print(message, highlight=False, soft_wrap=True)
