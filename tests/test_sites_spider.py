"""`scrapy crawl sites` against the local test web, into SQLite and PostgreSQL.

Each crawl runs as `scrapy crawl` in a subprocess from the repository root, the way an
operator runs it; the assertions read the database it wrote.
"""

from __future__ import annotations

import asyncio
import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import text
from sqlalchemy.engine import URL

from crawler.db import create_engine
from crawler.localweb import LocalWebThread
from crawler.localweb.city import EVIDENCE_PAGES, generate_city
from crawler.localweb.misbehaving import HOSTS
from crawler.store import Store
from spiders.sites import Site, SitesSpider, _suffix, read_seeds
from tests.conftest import isolated, shared_data

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 10

# What the crawl must record for each misbehaving host's home page.
EXPECTED_KIND = {
    "slow.test": "timeout",
    "error500.test": "server_error",
    "redirect-loop.test": "redirect_loop",
    "redirect-offsite.test": "redirect_offsite",
    "redirect-private.test": "blocked",
    "huge.test": "too_large",
    "endless.test": "too_large",
    "binary.test": "not_html",
    "robots-disallow.test": "robots",
    "robots-5xx.test": "robots_unavailable",
    "gone-away.co.uk": "dns",
}
# Hosts that misbehave but whose pages are still fetched.
FETCHED = {
    "ratelimit.test",
    "bad-charset.test",
    "crawl-delay.test",
    "trap-calendar.test",
    "trap-repeat.test",
}


def crawl(url: URL, localweb: str, *args: str, **settings: Any) -> str:
    """Run `scrapy crawl sites` with fast, test-sized settings; returns its log."""
    options = {
        "DOWNLOAD_TIMEOUT": 1,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_START_DELAY": 0,
        "DATACITY_RETRY_BACKOFF": 0.1,
        "DATACITY_PAGE_BUDGET": BUDGET,
        "LOG_LEVEL": "INFO",
        **settings,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "sites"]
    for arg in args:
        command += ["-a", arg]
    for name, value in options.items():
        command += ["-s", f"{name}={value}"]
    env = {
        **os.environ,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "DATACITY_LOCALWEB": localweb,
    }
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def query(url: URL, sql: str, **params: Any) -> list[tuple]:
    async def run() -> list[tuple]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return [tuple(r) for r in await conn.execute(text(sql), params)]
        finally:
            await engine.dispose()

    return isolated(asyncio.run, run())


def pages_by_domain(url: URL) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for row in query(url, "SELECT domain, url, status, error, title FROM pages"):
        found.setdefault(row[0], []).append(row[1:])
    return found


def write_seeds(path: Path, hosts: list[str]) -> Path:
    lines = ["name,website", *(f"{h.split('.')[0].title()} Ltd,{h}" for h in hosts)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def city(tmp_path: Path) -> tuple[Path, list]:
    """A small city: three good sites (one larger than the budget, one with a sitemap)."""
    root = tmp_path / "sites"
    small = generate_city(root, 2, 6, page_bytes=(2_000, 4_000), sitemap_every=2)
    large = generate_city(root, 1, 30, page_bytes=(2_000, 4_000), seed=11)
    # Distinct names: the second call would otherwise reuse the first's domains.
    (root / large[0].domain).rename(root / "large-site.co.uk")
    return root, [*small, large[0]]


def test_city_with_every_misbehaving_host(
    city: tuple[Path, list], sqlite_url: URL, tmp_path: Path
) -> None:
    """The crawl finishes, covers good sites within budget and records each bad host."""
    root, sites = city
    good = [s.domain for s in sites[:2]] + ["large-site.co.uk"]
    assert set(HOSTS) == FETCHED | set(EXPECTED_KIND) - {"gone-away.co.uk"}
    seeds = write_seeds(tmp_path / "seeds.csv", [*good, *HOSTS, "gone-away.co.uk"])

    with LocalWebThread(root) as web:
        crawl(sqlite_url, web.address, f"seeds={seeds}")
    pages = pages_by_domain(sqlite_url)

    # Small sites: every page, the sitemap-only page too (site 0 has a sitemap).
    for site in sites[:2]:
        fetched = {
            u.split(site.domain, 1)[1] for u, status, error, _ in pages[site.domain]
        }
        expected = set(site.paths) | ({site.hidden} if site.hidden else set())
        assert fetched == expected
        assert all(error is None for _, _, error, _ in pages[site.domain])
    # The large site: exactly the budget, evidence pages first.
    large = {u.split("large-site.co.uk", 1)[1] for u, *_ in pages["large-site.co.uk"]}
    assert len(large) == BUDGET
    assert {"/", *(f"/{p}/" for p in EVIDENCE_PAGES)} <= large

    for host, kind in EXPECTED_KIND.items():
        assert [error for _, _, error, _ in pages[host]] == [kind], host
    for host in FETCHED:
        assert all(e is None for _, _, e, _ in pages[host]), (host, pages[host])

    # Bad charsets still give a readable title; traps were not followed.
    titles = {title for *_, title in pages["bad-charset.test"]}
    assert "Café Crème Ltd" in titles
    trap_urls = [u for u, *_ in pages["trap-calendar.test"] + pages["trap-repeat.test"]]
    assert not [u for u in trap_urls if "/calendar/" in u or "about/about" in u]

    # Politeness, read from the local web's request log.
    times = {}
    for host, path, at in web.requests:
        times.setdefault(host, []).append((path, at))
    for host in [*good, *HOSTS]:
        assert times[host][0][0] == "/robots.txt", host
    assert "/" not in [p for p, _ in times["robots-disallow.test"]]
    delayed = [at for path, at in times["crawl-delay.test"] if path != "/robots.txt"]
    assert len(delayed) == 4
    assert min(b - a for a, b in itertools.pairwise(delayed)) >= 0.9
    limited = [at for path, at in times["ratelimit.test"] if path == "/"]
    assert len(limited) == 3  # two 429s, then the page
    assert min(b - a for a, b in itertools.pairwise(limited)) >= 0.95

    # The run: finished, with pages and errors by kind, every site done.
    [(outcome, stats)] = query(sqlite_url, "SELECT outcome, stats FROM crawl_runs")
    stats = stats if isinstance(stats, dict) else json.loads(stats)
    assert outcome == "finished"
    assert stats["sites"] == stats["sites_done"] == len(good) + len(HOSTS) + 1
    assert stats["pages"] == sum(len(v) for v in pages.values())
    assert stats["errors"]["too_large"] == 2
    assert stats["traps"]["calendar"] >= 1 and stats["traps"]["repeated_segment"] >= 1
    stamped = query(
        sqlite_url, "SELECT count(*) FROM organisations WHERE last_crawled IS NOT NULL"
    )
    assert stamped == [(len(good) + len(HOSTS) + 1,)]


@pytest.mark.postgres
def test_real_saved_sites_into_postgresql(tmp_path: Path, postgres_url: URL) -> None:
    """Organisations with verified websites in PostgreSQL: the saved real sites are crawled."""
    saved = shared_data("websites", "sites")
    root = tmp_path / "sites"
    root.mkdir()
    domains = sorted(p.name for p in saved.iterdir() if p.is_dir())[:12]
    for domain in domains:
        (root / domain).symlink_to(saved / domain, target_is_directory=True)

    async def register() -> None:
        store = Store(create_engine(postgres_url))
        async with store.engine.begin() as conn:
            await conn.execute(
                text(
                    "TRUNCATE organisations, websites, pages, crawl_runs RESTART IDENTITY CASCADE"
                )
            )
        ids = await store.upsert_organisations(
            [{"key": f"domain:{d}", "name": d, "primary_domain": d} for d in domains]
        )
        await store.upsert_websites(
            [
                {
                    "organisation_id": ids[f"domain:{d}"],
                    "domain": d,
                    "url": f"https://{d}/",
                    "verification": "verified",
                    "match_method": "registry",
                }
                for d in domains
            ]
        )
        await store.close()

    isolated(asyncio.run, register())
    with LocalWebThread(root) as web:
        crawl(postgres_url, web.address, DATACITY_PAGE_BUDGET=20)

    pages = pages_by_domain(postgres_url)
    assert set(pages) == set(domains)
    for domain in domains:
        files = [p for p in (saved / domain).rglob("*.htm*") if p.name != "404.html"]
        ok = [row for row in pages[domain] if row[2] is None]
        assert ok, domain
        assert len(pages[domain]) <= 20
        assert len(ok) >= min(len(files), 20) // 2, (domain, len(ok), len(files))
        assert pages[domain][0][0].startswith(f"https://{domain}/")
    titled = query(
        postgres_url,
        "SELECT count(*) FROM pages WHERE title IS NOT NULL AND content_hash IS NOT NULL",
    )
    assert titled[0][0] >= len(domains)
    [(outcome,)] = query(postgres_url, "SELECT outcome FROM crawl_runs")
    assert outcome == "finished"


def test_org_argument_crawls_one_organisation(
    city: tuple[Path, list], sqlite_url: URL
) -> None:
    """-a org= takes a company number or id; a second crawl updates rows in place."""
    root, sites = city

    async def register() -> dict[str, int]:
        store = Store(create_engine(sqlite_url))
        ids = await store.upsert_organisations(
            [
                {
                    "key": f"gb:{s.company_number}",
                    "jurisdiction": "gb",
                    "company_number": s.company_number,
                    "name": s.name,
                }
                for s in sites[:2]
            ]
        )
        await store.upsert_websites(
            [
                {
                    "organisation_id": ids[f"gb:{s.company_number}"],
                    "domain": s.domain,
                    "verification": "verified" if i == 0 else "candidate",
                }
                for i, s in enumerate(sites[:2])
            ]
        )
        await store.close()
        return ids

    ids = isolated(asyncio.run, register())
    with LocalWebThread(root) as web:
        crawl(sqlite_url, web.address, f"org={sites[0].company_number}")
        first = query(sqlite_url, "SELECT url, first_seen FROM pages ORDER BY url")
        crawl(sqlite_url, web.address, f"org={ids[f'gb:{sites[0].company_number}']}")
        # Not verified: the candidate site is never crawled.
        log = crawl(sqlite_url, web.address, f"org={sites[1].company_number}")

    assert {u.split("/")[2] for u, _ in first} == {sites[0].domain}
    second = query(sqlite_url, "SELECT url, first_seen FROM pages ORDER BY url")
    assert second == first
    assert "No organisation" in log
    runs = query(
        sqlite_url, "SELECT count(*) FROM crawl_runs WHERE outcome = 'finished'"
    )
    assert runs == [(3,)]


def test_seeds_file_errors_name_the_line(tmp_path: Path) -> None:
    """A seeds CSV without the columns, or with a bad website, is refused with its line."""
    good = tmp_path / "good.csv"
    good.write_text("name,website\nAcme,https://www.acme.co.uk/\nBeta,beta.io\n")
    assert [s.domain for s in read_seeds(good)] == ["acme.co.uk", "beta.io"]

    bad = tmp_path / "bad.csv"
    bad.write_text("name,website\nAcme,acme.co.uk\nOops,not a url\n")
    with pytest.raises(ValueError, match=r"bad\.csv, line 3: website 'not a url'"):
        read_seeds(bad)
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("Acme,acme.co.uk\n")
    with pytest.raises(ValueError, match="columns name and website"):
        read_seeds(headerless)
    with pytest.raises(FileNotFoundError, match=r"missing\.csv"):
        read_seeds(tmp_path / "missing.csv")


def test_saved_company_pages_are_crawled(tmp_path: Path, sqlite_url: URL) -> None:
    """The saved company pages, laid out as sites at test time, land in the database."""
    saved = shared_data("company_web_pages")
    root = tmp_path / "sites"
    homes = []
    with (saved / "labels.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            site = row["site"]
            if "/" in site or " " in site:
                continue  # a profile page or a project path, not a site of its own
            name = (
                "index.html"
                if row["page_type"] == "home"
                else f"{row['page_type']}.html"
            )
            (root / site).mkdir(parents=True, exist_ok=True)
            (root / site / name).symlink_to(saved / row["file"])
            if row["page_type"] == "home":
                homes.append(site)
    seeds = write_seeds(tmp_path / "seeds.csv", homes)

    with LocalWebThread(root) as web:
        crawl(sqlite_url, web.address, f"seeds={seeds}")

    pages = pages_by_domain(sqlite_url)
    for site in homes:
        home = [row for row in pages[site] if row[0] == f"http://{site}/"]
        assert home and home[0][2] is None and home[0][3], (site, pages[site])
    civil = {u for u, _, error, _ in pages["civildigital.co.uk"] if error is None}
    assert {
        "http://civildigital.co.uk/about.html",
        "http://civildigital.co.uk/contact.html",
    } <= civil


def discovered(body: bytes) -> list[str]:
    """The URLs the spider queues from one home page of example.co.uk."""
    spider = SitesSpider.from_crawler(get_crawler(SitesSpider))
    site = Site(1, domain="example.co.uk", home="http://example.co.uk/")
    response = HtmlResponse("http://example.co.uk/", body=body, encoding="utf-8")
    spider._discover(site, response, 1)
    return sorted(entry[3] for entry in site.frontier)


def test_links_resolve_against_a_base_tag_wherever_it_stands() -> None:
    """The first <base href> applies to every link, even one written before it."""
    body = (
        b"<html><body><a class='x' href='news/1'>one</a>"
        b"<BASE target=_self HREF=http://example.co.uk/docs/>"
        b"<base href='http://example.co.uk/other/'>"
        b'<a href="/about/">About</a><A HREF=team>Team</A><a name=top>top</a>'
        b"<a href='report.pdf'>pdf</a><a href=http://elsewhere.com/>x</a></body></html>"
    )
    assert discovered(body) == [
        "http://example.co.uk/about/",
        "http://example.co.uk/docs/news/1",
        "http://example.co.uk/docs/team",
    ]


def test_links_without_a_base_tag_resolve_against_the_page() -> None:
    """A page with no <base> resolves relative links against its own URL."""
    body = b"<a href='news/1'>one</a><a href=\"#top\">top</a><a href='/a.b/'>c</a>"
    assert discovered(body) == [
        "http://example.co.uk/a.b/",
        "http://example.co.uk/news/1",
    ]


@pytest.mark.parametrize(
    ("path", "suffix"),
    [
        ("/report.PDF", ".pdf"),
        ("/files/report.pdf/", ".pdf"),
        ("/archive.tar.gz", ".gz"),
        ("/.hidden", ""),
        ("/about/", ""),
        ("", ""),
    ],
)
def test_suffix_reads_the_last_path_segment(path: str, suffix: str) -> None:
    """The cached extension helper agrees with pathlib on awkward paths."""
    assert _suffix(path) == suffix == Path(path).suffix.lower()
