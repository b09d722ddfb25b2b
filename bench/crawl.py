"""
Benchmark: `scrapy crawl sites` with everything on, against a bare fetch-only spider.

    python -m bench.crawl [--sites 1000] [--pages 10] [--small 100] [--repeat 1]
                          [--extract]

Generates a city of ``--sites`` sites of ``--pages`` pages (20-80 KB each) in a temporary
folder and serves it with ``datacity localweb`` in a separate process. In the same run
it measures, at ``--sites`` and at ``--small`` sites:

- bare: a Scrapy spider that is given every page URL and fetches it, nothing else (no
  robots.txt, no datacity middlewares, no items, no database), through the same
  download handler with the same concurrency;
- full: ``scrapy crawl sites -a seeds=…`` with robots.txt, the SSRF guard, retries,
  redirect policy, trap rules, link discovery, AutoThrottle, page items stored in a
  scratch PostgreSQL database and the crawl-run record; politeness delay 0. With
  ``--extract`` the extraction pipelines (``pipelines.extract``: analysis, signals,
  contacts, scores) run too, as in a real crawl; without it only the pages are stored.

Pages/s counts fetched HTML pages over the spider's open-to-close time; CPU seconds per
page and peak RSS are the crawl process's own (os.wait4), Scrapy start-up included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import scrapy
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import URL

from bench.common import median, scratch_postgres
from crawler.db import create_engine
from crawler.localweb.city import GeneratedSite, generate_city

ROOT = Path(__file__).resolve().parent.parent
console = Console()


class BareSpider(scrapy.Spider):
    """Fetch a list of URLs and do nothing with the responses: the floor."""

    name = "bare"
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a plain class attribute)
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {"crawler.extensions.crawlrun.CrawlRunRecorder": None},
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.ssrf.AddressGuardMiddleware": None,
            "crawler.middlewares.robots.RobotsPolicyMiddleware": None,
            "crawler.middlewares.retry.BackoffRetryMiddleware": None,
            "crawler.middlewares.redirects.RedirectPolicyMiddleware": None,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,
        },
    }

    def __init__(self, urls: str = "", *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.urls_file = urls

    async def start(self):
        with open(self.urls_file) as handle:
            for line in handle:
                yield scrapy.Request(line.strip(), dont_filter=True)

    def parse(self, response):
        return None


@dataclass
class Run:
    pages: int
    seconds: float
    cpu: float
    rss_mb: float

    @property
    def rate(self) -> float:
        return self.pages / self.seconds

    @property
    def cpu_per_page_ms(self) -> float:
        return 1000 * self.cpu / self.pages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def local_web(sites: Path) -> Iterator[str]:
    """`datacity localweb` in its own process; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "localweb", "--sites", str(sites),
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=1),
            ):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the local web did not start within 30 s")
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def run_process(command: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run *command*; returns its log, CPU seconds and peak RSS in MB."""
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if process.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed:\n{output[-3000:]}")
    return output, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def scrapy_stat(log: str, name: str) -> float:
    match = re.search(rf"'{re.escape(name)}': ([\d.]+)", log)
    if match is None:
        raise RuntimeError(f"no {name} in the crawl log")
    return float(match[1])


def settings_args(**settings: object) -> list[str]:
    return [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]


def run_bare(sites: list[GeneratedSite], address: str, work: Path) -> Run:
    urls = work / f"urls-{len(sites)}.txt"
    urls.write_text("".join(f"http://{s.domain}{p}\n" for s in sites for p in s.paths))
    env = {**os.environ, "DATACITY_LOCALWEB": address}
    command = [
        sys.executable, "-m", "scrapy", "runspider", __file__, "-a", f"urls={urls}",
        *settings_args(LOG_LEVEL="INFO"),
    ]  # fmt: skip
    log, cpu, rss = run_process(command, env)
    pages = int(scrapy_stat(log, "response_received_count"))
    seconds = scrapy_stat(log, "elapsed_time_seconds")
    return Run(pages, seconds, cpu, rss)


PAGES_ONLY = {"pipelines.pages.PagesPipeline": 300}
WITH_EXTRACTION = {
    **PAGES_ONLY,
    "pipelines.extract.ExtractPipeline": 400,
    "pipelines.extract.ScorePipeline": 500,
}


def run_full(
    sites: list[GeneratedSite],
    address: str,
    work: Path,
    database: str,
    *,
    extract: bool = False,
) -> Run:
    seeds = work / f"seeds-{len(sites)}.csv"
    seeds.write_text(
        "name,website\n" + "".join(f"{s.name},http://{s.domain}/\n" for s in sites)
    )
    env = {**os.environ, "DATACITY_LOCALWEB": address, "DATABASE_URL": database}
    command = [
        sys.executable, "-m", "scrapy", "crawl", "sites", "-a", f"seeds={seeds}",
        *settings_args(
            LOG_LEVEL="INFO", DOWNLOAD_DELAY=0, AUTOTHROTTLE_START_DELAY=0,
            # Pages stored; extraction only with --extract.
            ITEM_PIPELINES=json.dumps(WITH_EXTRACTION if extract else PAGES_ONLY),
            DATACITY_PAGE_BUDGET=max(len(s.paths) for s in sites) + 5,
        ),
    ]  # fmt: skip
    _, cpu, rss = run_process(command, env)
    return Run(0, 0.0, cpu, rss)


async def last_run_stats(database: URL) -> dict:
    engine = create_engine(database)
    try:
        async with engine.connect() as conn:
            raw = (
                await conn.execute(
                    text("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    return raw if isinstance(raw, dict) else json.loads(raw)


async def reset(database: URL) -> None:
    engine = create_engine(database)
    async with engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE organisations, websites, pages, crawl_runs CASCADE")
        )
    await engine.dispose()


async def measure(
    city: list[GeneratedSite],
    sizes: list[int],
    repeat: int,
    work: Path,
    *,
    extract: bool = False,
) -> dict[tuple[int, str], list[Run]]:
    """Bare and full crawls at each size; the scratch database is emptied before each."""
    results: dict[tuple[int, str], list[Run]] = {}
    async with scratch_postgres() as database:
        dsn = database.render_as_string(hide_password=False)
        with local_web(work / "sites") as address:
            for size in sizes:
                for attempt in range(repeat):
                    console.log(f"{size:,} sites, round {attempt + 1}/{repeat}")
                    # The crawls are subprocesses; blocking here holds up nothing.
                    bare = run_bare(city[:size], address, work)
                    results.setdefault((size, "bare"), []).append(bare)

                    await reset(database)
                    full = run_full(city[:size], address, work, dsn, extract=extract)
                    stats = await last_run_stats(database)
                    full.pages, full.seconds = (
                        stats["pages_ok"],
                        stats["elapsed_seconds"],
                    )
                    results.setdefault((size, "full"), []).append(full)
    return results


def main(sites_n: int, pages: int, small: int, repeat: int, extract: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="datacity-city-") as folder:
        work = Path(folder)
        started = time.monotonic()
        city = generate_city(work / "sites", sites_n, pages)
        console.log(
            f"Generated {sites_n:,} sites of {pages} pages in "
            f"{time.monotonic() - started:.0f} s"
        )
        sizes = sorted({min(small, sites_n), sites_n})
        results = asyncio.run(measure(city, sizes, repeat, work, extract=extract))
    report(results, pages, extract)


def report(
    results: dict[tuple[int, str], list[Run]], pages: int, extract: bool
) -> None:
    what = "with extraction" if extract else "pages stored, no extraction"
    table = Table(
        title=f"Crawl of generated sites of {pages} pages, full = {what} "
        "(median of runs)"
    )
    for column in ("sites", "spider", "pages", "pages/s", "CPU ms/page", "peak RSS MB"):
        table.add_column(column, justify="right")
    rates: dict[tuple[int, str], float] = {}
    for (size, kind), runs in sorted(results.items()):
        rate = median([r.rate for r in runs])
        rates[size, kind] = rate
        table.add_row(
            f"{size:,}",
            kind,
            f"{runs[0].pages:,}",
            f"{rate:,.0f}",
            f"{median([r.cpu_per_page_ms for r in runs]):.2f}",
            f"{max(r.rss_mb for r in runs):,.0f}",
        )
    console.print(table)
    sizes = sorted({size for size, _ in results})
    for size in sizes:
        ratio = rates[size, "full"] / rates[size, "bare"]
        target = 0.75 if extract else 0.8
        console.print(
            f"{size:,} sites: full/bare ratio {ratio:.2f} (target ≥ {target})"
        )
    if len(sizes) == 2:
        small, large = sizes
        scale = rates[large, "full"] / rates[small, "full"]
        console.print(
            f"full pages/s at {large:,} vs {small:,} sites: {scale:.2f} (target ≈ 1)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--extract",
        action="store_true",
        help="run the extraction pipelines in the full crawl",
    )
    args = parser.parse_args()
    main(args.sites, args.pages, args.small, args.repeat, args.extract)
