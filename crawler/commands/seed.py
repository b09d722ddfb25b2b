"""``datacity seed``: import organisations from registry data or a plain list."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from crawler.config import load_settings
from crawler.db import create_engine
from crawler.errors import DatacityError
from crawler.seeds import Filters, ImportResult, Source, plan, run_import
from crawler.seeds.csvrows import Tally
from crawler.seeds.importer import DEFAULT_BATCH
from crawler.store import Store

app = typer.Typer(
    help="Import organisations from registry data or a plain list.",
    no_args_is_help=True,
)

console = Console(stderr=True)

PATHS = typer.Argument(
    ...,
    exists=True,
    dir_okay=False,
    readable=True,
    help="Files to import (CSV, JSON, JSON Lines, or zips of them).",
)
POST_TOWN = typer.Option(
    None, "--post-town", help="Keep these post towns (comma-separated)."
)
POSTCODE_AREA = typer.Option(
    None, "--postcode-area", help="Keep these postcode areas, e.g. LS or LS,BD."
)
POSTCODE_DISTRICT = typer.Option(
    None, "--postcode-district", help="Keep these districts, e.g. LS1,LS2."
)
STATUS = typer.Option(
    "active", "--status", help="Keep these statuses (comma-separated); 'any' keeps all."
)
SIC = typer.Option(
    None, "--sic", help="Keep SIC codes or prefixes, e.g. 62,63 or 62012."
)
SINCE = typer.Option(
    None,
    "--incorporated-since",
    help="Keep companies incorporated on or after YYYY-MM-DD.",
)
BATCH = typer.Option(
    DEFAULT_BATCH, "--batch-size", min=100, help="Organisations per database write."
)


def fail(message: str) -> typer.Exit:
    """Print one clear line to stderr and return the exit to raise."""
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.command("companies-house")
def companies_house(
    paths: list[Path] = PATHS,
    post_town: list[str] | None = POST_TOWN,
    postcode_area: list[str] | None = POSTCODE_AREA,
    postcode_district: list[str] | None = POSTCODE_DISTRICT,
    status: str = STATUS,
    sic: list[str] | None = SIC,
    incorporated_since: str | None = SINCE,
    batch_size: int = BATCH,
) -> None:
    """Companies House data: the BasicCompanyData bulk CSV (or its zips), the
    advanced-search export CSV, or API JSON (profiles, search results, JSON Lines)."""
    seed(
        "companies-house", paths, batch_size, post_town=post_town,
        postcode_area=postcode_area, postcode_district=postcode_district,
        status=status, sic=sic, incorporated_since=incorporated_since,
    )  # fmt: skip


@app.command("opencorporates")
def opencorporates(
    paths: list[Path] = PATHS,
    post_town: list[str] | None = POST_TOWN,
    postcode_area: list[str] | None = POSTCODE_AREA,
    postcode_district: list[str] | None = POSTCODE_DISTRICT,
    status: str = STATUS,
    sic: list[str] | None = SIC,
    incorporated_since: str | None = SINCE,
    batch_size: int = BATCH,
) -> None:
    """OpenCorporates API responses: search results and single companies."""
    seed(
        "opencorporates", paths, batch_size, post_town=post_town,
        postcode_area=postcode_area, postcode_district=postcode_district,
        status=status, sic=sic, incorporated_since=incorporated_since,
    )  # fmt: skip


@app.command("csv")
def plain_csv(
    paths: list[Path] = PATHS,
    post_town: list[str] | None = POST_TOWN,
    postcode_area: list[str] | None = POSTCODE_AREA,
    postcode_district: list[str] | None = POSTCODE_DISTRICT,
    status: str = STATUS,
    sic: list[str] | None = SIC,
    incorporated_since: str | None = SINCE,
    batch_size: int = BATCH,
) -> None:
    """A plain CSV list of organisations: name, website, optional company number and
    postcode (header names in any case)."""
    seed(
        "csv", paths, batch_size, post_town=post_town,
        postcode_area=postcode_area, postcode_district=postcode_district,
        status=status, sic=sic, incorporated_since=incorporated_since,
    )  # fmt: skip


def seed(command: str, paths: list[Path], batch_size: int, **options: Any) -> None:
    """Check the filters and every file, then import; one clear line on failure."""
    try:
        filters = Filters.parse(**options)
    except ValueError as error:
        raise fail(str(error)) from None
    try:
        sources = plan(paths, command)
        url = load_settings().database_url
    except (DatacityError, OSError) as error:
        raise fail(str(error)) from None

    args = {"command": command, "paths": [str(p) for p in paths]}
    try:
        result = asyncio.run(_run(url, sources, filters, batch_size, args))
    except KeyboardInterrupt:
        console.print("Interrupted: the batches written so far are kept.")
        raise typer.Exit(code=130) from None
    except DatacityError as error:
        raise fail(f"{error}; the batches written before it are kept") from None
    except OSError as error:
        raise fail(f"cannot reach the database at DATABASE_URL: {error}") from None
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0]
        raise fail(
            f"database error ({reason}); is it at the newest schema? (datacity db upgrade)"
        ) from None
    report(result)


async def _run(
    url: URL,
    sources: list[Source],
    filters: Filters,
    batch_size: int,
    args: dict[str, Any],
) -> ImportResult:
    store = Store(create_engine(url))
    try:
        with _progress(sources) as on_progress:
            return await run_import(
                store,
                sources,
                filters,
                batch_size=batch_size,
                on_progress=on_progress,
                args=args,
            )
    finally:
        await store.close()


@contextlib.contextmanager
def _progress(sources: list[Source]) -> Iterator[Any]:
    """A rich progress bar on a terminal; elsewhere nothing (the log has a summary)."""
    if not console.is_terminal:
        yield None
        return

    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[read]:>12,} read"),
        TextColumn("{task.fields[kept]:>10,} kept"),
        TextColumn("{task.fields[rate]:>9,.0f} rows/s"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def update(tally: Tally, source: Source, fraction: float) -> None:
            if source.name not in tasks:
                tasks[source.name] = progress.add_task(
                    Path(source.member or source.path).name,
                    total=1.0,
                    read=0,
                    kept=0,
                    rate=0.0,
                )
            rate = tally.read / max(time.perf_counter() - started, 1e-9)
            progress.update(
                tasks[source.name],
                completed=fraction,
                read=tally.read,
                kept=tally.kept,
                rate=rate,
            )

        yield update


def report(result: ImportResult) -> None:
    """The skipped rows, the first ones listed and the rest counted (the outcome is
    the importer's INFO line)."""
    bad = result.bad
    if not bad.total:
        return
    reasons = ", ".join(f"{reason}: {n:,}" for reason, n in bad.counts.most_common())
    console.print(
        f"Skipped {bad.total:,} bad rows ({reasons}):", highlight=False, soft_wrap=True
    )
    for row in bad.listed:
        console.print(f"  {row}", highlight=False, soft_wrap=True, markup=False)
    if bad.unlisted:
        console.print(f"  … and {bad.unlisted:,} more", highlight=False)
