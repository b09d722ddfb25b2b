"""``datacity demo``: a whole run on a generated sample city, in under a minute."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import URL

from crawler import demo, migrations
from crawler.commands.report import fail, print_tables
from crawler.config import database_url_from
from crawler.db import create_engine
from crawler.localweb import LocalWebThread
from crawler.register import Report, build_report
from crawler.seeds.filters import Filters
from crawler.seeds.importer import plan, run_import
from crawler.store import Store

# Test-web settings: nothing is far away, so no politeness delay and short timeouts.
CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_START_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "3",
    "DATACITY_RETRY_BACKOFF": "0.1",
    "LOG_LEVEL": "WARNING",
}
STEPS = ("generate", "seed", "discover", "crawl", "report")


def run_demo(workdir: Path, progress: Progress | None = None) -> Report:
    """Generate the sample city in *workdir*, run every stage, return the report."""
    # The crawls run from the project root: every path they see must be absolute.
    workdir = workdir.resolve()
    task = progress.add_task("generate", total=len(STEPS)) if progress else None

    def step(name: str) -> None:
        if progress is not None and task is not None:
            progress.update(task, description=name, advance=1)

    _replace(workdir)
    sites, registry, websites = demo.generate(workdir)
    url = database_url_from(f"sqlite:///{workdir / 'demo.db'}")
    migrations.upgrade(url)
    step("seed")

    asyncio.run(_seed(url, registry, websites))
    step("discover")

    with LocalWebThread(sites) as web:
        _scrapy("discover", url, web.address, workdir)
        step("crawl")
        _scrapy("sites", url, web.address, workdir)
    step("report")

    report = asyncio.run(_report(url))
    step("done")
    return report


MARKER = ".datacity-demo"


def _replace(workdir: Path) -> None:
    """Empty *workdir* for a new run, but only if an earlier demo made it."""
    if workdir.exists() and any(workdir.iterdir()):
        if not (workdir / MARKER).is_file():
            raise fail(
                f"--workdir {workdir} holds files no demo wrote; choose another folder"
            )
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / MARKER).write_text("Written by datacity demo; replaced on each run.\n")


async def _seed(url: URL, registry: Path, websites: Path) -> None:
    store = Store(create_engine(url))
    try:
        filters = Filters.parse()
        await run_import(store, plan([registry], "companies-house"), filters)
        await run_import(store, plan([websites], "csv"), filters)
    finally:
        await store.close()


async def _report(url: URL) -> Report:
    engine = create_engine(url)
    try:
        return await build_report(engine)
    finally:
        await engine.dispose()


def _scrapy(spider: str, url: URL, localweb: str, workdir: Path, *args: str) -> None:
    """Run one spider as an operator would, from the project root."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for arg in args:
        command += ["-a", arg]
    for name, value in CRAWL_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    env = {
        **os.environ,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "DATACITY_LOCALWEB": localweb,
    }
    log = workdir / f"{spider}.log"
    with log.open("w") as handle:
        result = subprocess.run(
            command,
            cwd=migrations.PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        raise fail(f"`scrapy crawl {spider}` failed; its log is {log}")


def demo_command(
    workdir: Path = typer.Option(
        Path("datacity-demo"),
        "--workdir",
        help="Folder for the sample city, its SQLite register and crawl logs"
        " (replaced on each run).",
    ),
) -> None:
    """Generate a small sample city, serve it on the local test web, then seed,
    discover, crawl, extract, classify and print the report."""
    console = Console()
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description:<9}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        report = run_demo(workdir, progress)

    print_tables(report, console)
    console.print(
        f"Done in {time.perf_counter() - started:.0f} s. The register is"
        f" {workdir / 'demo.db'}; try `DATABASE_URL=sqlite:///{workdir / 'demo.db'}"
        " datacity export -o demo.csv`.",
        highlight=False,
    )
