"""``scrapy crawl sites``: crawl the verified websites of organisations in the register.

    scrapy crawl sites                       every site that is due (never crawled, or
                                             not for DATACITY_RECRAWL_DAYS)
    scrapy crawl sites -a org=42             one organisation: its id, its company
    scrapy crawl sites -a org=01234567       number in full, or its key (gb:01234567)
    scrapy crawl sites -a limit=100          at most 100 sites
    scrapy crawl sites -a seeds=sites.csv    an ad-hoc list (columns: name, website)

Per site: the home page first, then the pages that carry evidence (about, contact,
careers, services, team, legal), then any other page of the same site, best first,
until the page budget (DATACITY_PAGE_BUDGET) or the depth limit is reached. Sitemaps
named in robots.txt (or /sitemap.xml when the home page shows few links) add pages
that are not linked. At most DATACITY_SITE_CONCURRENCY requests per site are in
flight. Every page, fetched or failed, becomes a :class:`~crawler.items.PageItem`.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import heapq
import html
import itertools
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.log import failure_to_exc_info
from scrapy.utils.sitemap import Sitemap
from sqlalchemy import and_, exists, or_, select
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawler import models
from crawler.db import get_engine
from crawler.items import PageItem
from crawler.keys import normalise_company_number, organisation_key
from crawler.middlewares.domains import registrable_domain
from crawler.middlewares.errors import error_kind
from crawler.middlewares.traps import trap_reason
from crawler.store import Store

# Page kinds by words in the URL path, best first. The rank orders a site's frontier.
PAGE_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("contact", ("contact", "get-in-touch", "find-us", "location")),
    ("about", ("about", "who-we-are", "our-story", "company")),
    ("legal", ("privacy", "terms", "legal", "cookie", "imprint", "gdpr", "disclaimer")),
    ("services", ("service", "solution", "product", "what-we-do", "work", "portfolio")),
    ("careers", ("career", "job", "vacanc", "join", "hiring", "recruit")),
    ("team", ("team", "people", "staff", "leadership", "meet")),
]
KIND_RANK = {kind: rank for rank, (kind, _) in enumerate(PAGE_KINDS)}
OTHER_RANK = len(PAGE_KINDS)

# Requests of a site already started go before home pages of sites not yet started,
# so sites finish (and free their state) instead of all starting at once.
HOME_PRIORITY = 0
FOLLOW_PRIORITY = 100

# The crawler needs only links and the title; the extraction pipelines parse each
# page once into a tree (crawler/extract/page.py). One regex pass over the bytes is
# an order of magnitude cheaper than a second tree, and a stray match (a link in a
# comment) only costs a same-site request within the budget.
#
# One scan finds both the links and whether a <base> tag is present: a second scan of
# the whole body for <base> cost as much as the link scan, and <base> is rare, so
# its href is read (with _BASE) only on the pages that have one.
_LINK = re.compile(
    rb"""<(?:a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))|(base)\s)""", re.I
)
_BASE = re.compile(rb"""<base\s[^>]*?href\s*=\s*["']?([^"'\s>]+)""", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_SPACE = re.compile(r"\s+")
_SKIP_EXTENSIONS = {f".{e}" for e in IGNORED_EXTENSIONS}
HTML_TYPES = (b"text/html", b"application/xhtml+xml")
SITEMAP_FALLBACK_BELOW = 3  # links on the home page


@dataclass(eq=False)
class Site:
    """One website being crawled, and what the spider knows of it so far."""

    organisation_id: int
    domain: str
    home: str
    seen: set[str] = field(default_factory=set)
    hrefs: set[bytes] = field(default_factory=set)
    frontier: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    requested: int = 0
    in_flight: int = 0
    pages_ok: int = 0
    done: bool = False


def page_kind(url: str) -> str:
    path = urlsplit(url).path.lower()
    if path in ("", "/", "/index.html", "/index.htm", "/index.php"):
        return "home"
    for kind, words in PAGE_KINDS:
        if any(word in path for word in words):
            return kind
    return "other"


def home_url(website: str | None, domain: str) -> str:
    """The URL to start a site from: the recorded one, else http://domain/."""
    if website and "://" not in website:
        website = f"http://{website}"
    url = website or f"http://{domain}/"
    parts = urlsplit(url)
    return url if parts.path else f"{url}/"


class SitesSpider(scrapy.Spider):
    name = "sites"

    def __init__(
        self,
        org: str | None = None,
        limit: str | None = None,
        seeds: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if org is not None:
            org_condition(org)  # refuse a malformed value before anything starts
        self.org = org
        self.limit = _positive_int(limit, "limit") if limit else None
        self.seeds = read_seeds(Path(seeds)) if seeds else None
        self._order = itertools.count()
        self._robots_sitemaps: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> SitesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.budget = settings.getint("DATACITY_PAGE_BUDGET", 20)
        spider.depth_limit = settings.getint("DATACITY_DEPTH_LIMIT", 3)
        spider.site_concurrency = settings.getint("DATACITY_SITE_CONCURRENCY", 2)
        spider.max_url_length = settings.getint("DATACITY_MAX_URL_LENGTH", 512)
        spider.recrawl_days = settings.getfloat("DATACITY_RECRAWL_DAYS", 30)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        return spider

    @functools.cached_property
    def _inc_stat(self) -> Any:
        """Scrapy's inc_value, bound once (first used after the crawl has started):
        every attribute read on its StatsCollector goes through a deprecation shim's
        __getattribute__, several times a page otherwise."""
        return self.crawler.stats.inc_value

    async def start(self) -> AsyncIterator[scrapy.Request]:
        sites = await self.load_sites()
        self.crawler.stats.set_value("datacity/sites", len(sites))
        self.logger.info(
            "Crawling %d sites, budget %d pages each", len(sites), self.budget
        )
        for site in sites:
            site.seen.add(canonicalize_url(site.home))
            yield self._request(site, site.home, "home", 0)

    # -- loading sites -------------------------------------------------------

    async def load_sites(self) -> list[Site]:
        store = Store(get_engine())
        only: set[int] | None = None
        if self.seeds is not None:
            only = set(await import_seeds(store, self.seeds))

        o = models.Organisation.__table__
        w = models.Website.__table__
        verified = (
            select(o.c.id, w.c.domain, w.c.url, o.c.last_crawled)
            .join(w, w.c.organisation_id == o.c.id)
            .where(w.c.verification == "verified")
        )
        has_verified = exists().where(
            and_(w.c.organisation_id == o.c.id, w.c.verification == "verified")
        )
        primary = select(
            o.c.id, o.c.primary_domain, o.c.primary_domain, o.c.last_crawled
        ).where(o.c.primary_domain.is_not(None), ~has_verified)
        if self.org is not None:
            condition = org_condition(self.org)
            verified, primary = verified.where(condition), primary.where(condition)

        async with store.engine.connect() as conn:
            rows = [*(await conn.execute(verified)), *(await conn.execute(primary))]

        if only is not None:
            rows = [r for r in rows if r[0] in only]
        elif self.org is None:
            rows = [r for r in rows if self._is_due(r[3])]
        if self.org is not None and not rows:
            self.logger.error("No organisation %r with a verified website", self.org)

        never = dt.datetime.min.replace(tzinfo=dt.UTC)
        rows.sort(key=lambda r: (_aware(r[3]) or never, r[0]))
        sites = [
            # Links are kept to the registrable domain, whatever host was recorded.
            Site(r[0], domain=registrable_domain(r[1]), home=home_url(r[2], r[1]))
            for r in rows
        ]
        return sites[: self.limit] if self.limit else sites

    def _is_due(self, last_crawled: dt.datetime | None) -> bool:
        if last_crawled is None:
            return True
        age = dt.datetime.now(dt.UTC) - _aware(last_crawled)
        return age > dt.timedelta(days=self.recrawl_days)

    # -- requests ------------------------------------------------------------

    def _request(self, site: Site, url: str, kind: str, depth: int) -> scrapy.Request:
        site.requested += 1
        site.in_flight += 1
        rank = KIND_RANK.get(kind, OTHER_RANK)
        priority = HOME_PRIORITY if kind == "home" else FOLLOW_PRIORITY - rank - depth
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            priority=priority,
            # The spider deduplicates per site itself; Scrapy's filter would drop
            # requests silently and the site would never count as done.
            dont_filter=True,
            meta={"site": site, "page_kind": kind, "page_depth": depth},
        )

    def _schedule(self, site: Site) -> Iterator[scrapy.Request]:
        """Send the site's best known pages while it has budget and a free slot."""
        while (
            site.frontier
            and site.in_flight < self.site_concurrency
            and site.requested < self.budget
        ):
            _, depth, _, url, kind = heapq.heappop(site.frontier)
            yield self._request(site, url, kind, depth)

    def _finish_if_done(self, site: Site) -> None:
        if site.in_flight or site.done:
            return
        if site.frontier and site.requested < self.budget:
            return
        site.done = True
        stats = self.crawler.stats
        stats.inc_value("datacity/sites_done")
        if not site.pages_ok:
            stats.inc_value("datacity/sites_failed")
        if site.frontier:
            stats.inc_value("datacity/sites_over_budget")
        site.frontier.clear()
        site.seen.clear()
        site.hrefs.clear()

    # -- responses -----------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        site: Site = response.meta["site"]
        site.in_flight -= 1
        depth = response.meta["page_depth"]
        if response.meta.get("redirect_urls"):
            # Without a redirect the URL's key went into site.seen when it was queued.
            site.seen.add(canonicalize_url(response.url))

        item = self.page_item(response, site)
        self._count(item)
        if item.error is None:
            site.pages_ok += 1
        yield item

        if item.error is None and depth < self.depth_limit:
            found = self._discover(site, response, depth + 1)
            if depth == 0:
                yield from self._sitemap_requests(site, response, found)
        yield from self._schedule(site)
        self._finish_if_done(site)

    def page_failed(self, failure: Failure) -> Iterator[PageItem | scrapy.Request]:
        request = failure.request
        site: Site = request.meta["site"]
        site.in_flight -= 1
        kind = error_kind(failure.value)
        if kind == "other":
            self.logger.error(
                "Unexpected failure of %s",
                request.url,
                exc_info=failure_to_exc_info(failure),
            )

        response = (
            failure.value.response if isinstance(failure.value, HttpError) else None
        )
        item = PageItem(
            # A page that failed after redirects is recorded under the URL we asked for.
            url=request.meta.get("redirect_urls", [request.url])[0],
            domain=site.domain,
            status=response.status if response is not None else 0,
            fetched_at=dt.datetime.now(dt.UTC),
            organisation_id=site.organisation_id,
            headers=_headers(response) if response is not None else {},
            page_kind=request.meta.get("page_kind"),
            depth=request.meta.get("page_depth", 0),
            error=kind,
        )
        self._count(item)
        yield item
        yield from self._schedule(site)
        self._finish_if_done(site)

    def page_item(self, response: Response, site: Site) -> PageItem:
        body = response.body
        content_type = response.headers.get(b"Content-Type", b"").lower()
        is_html = isinstance(response, TextResponse) and (
            not content_type or content_type.startswith(HTML_TYPES)
        )
        headers = _headers(response)
        title = None
        if is_html:
            match = _TITLE.search(body)
            if match:
                encoding = response.encoding  # type: ignore[attr-defined]
                title = _SPACE.sub(
                    " ", html.unescape(match[1].decode(encoding, "replace"))
                )
                title = title.strip().replace("\x00", "")[:1000] or None

        return PageItem(
            url=response.url,
            domain=site.domain,
            status=response.status,
            fetched_at=dt.datetime.now(dt.UTC),
            organisation_id=site.organisation_id,
            headers=headers,
            html=response.text if is_html else "",  # type: ignore[attr-defined]
            title=title,
            etag=(headers.get("etag") or [None])[0],
            last_modified=(headers.get("last-modified") or [None])[0],
            content_hash=hashlib.sha256(body).hexdigest(),
            page_kind=response.meta.get("page_kind"),
            depth=response.meta.get("page_depth", 0),
            error=None if is_html else "not_html",
        )

    def _count(self, item: PageItem) -> None:
        self._inc_stat("datacity/pages")
        if item.error is None:
            self._inc_stat("datacity/pages_ok")
        else:
            self._inc_stat(f"datacity/errors/{item.error}")

    # -- links ---------------------------------------------------------------

    def _discover(self, site: Site, response: Response, depth: int) -> int:
        """Add the page's same-site links to the site's frontier; returns how many."""
        body = response.body
        raws = []
        has_base = False
        for double, single, bare, base_tag in _LINK.findall(body):
            if base_tag:
                has_base = True
            else:
                raws.append(double or single or bare)

        base = response.url
        match = _BASE.search(body) if has_base else None
        if match:
            base = response.urljoin(html.unescape(match[1].decode("latin-1")))

        found = 0
        for raw in raws:
            # Navigation repeats on every page of a site: an absolute href already
            # seen on this site resolves to the same URL, so skip the URL work.
            absolute = raw.startswith((b"/", b"http"))
            if absolute and raw in site.hrefs:
                continue
            if absolute:
                site.hrefs.add(raw)
            href = html.unescape(raw.decode("utf-8", "replace"))
            if self._consider(site, _join(base, href), depth):
                found += 1
        return found

    def _consider(self, site: Site, url: str | None, depth: int) -> bool:
        """Queue *url* when it is a new page of this site and not a trap."""
        if url is None:
            return False
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        if registrable_domain(parts.hostname) != site.domain:
            return False
        if _suffix(parts.path) in _SKIP_EXTENSIONS:
            return False
        key = canonicalize_url(url)
        if key in site.seen:
            return False
        site.seen.add(key)

        reason = trap_reason(url, max_length=self.max_url_length)
        if reason is not None:
            self._inc_stat(f"datacity/traps/{reason}")
            return False
        kind = page_kind(url)
        rank = KIND_RANK.get(kind, OTHER_RANK)
        heapq.heappush(site.frontier, (rank, depth, next(self._order), url, kind))
        return True

    # -- sitemaps ------------------------------------------------------------

    def _robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        parser = getattr(robotparser, "rp", None)
        sitemaps = list(getattr(parser, "sitemaps", []) or [])
        if sitemaps:
            self._robots_sitemaps[urlsplit(request.url).netloc] = sitemaps

    def _sitemap_requests(
        self, site: Site, response: Response, found: int
    ) -> Iterator[scrapy.Request]:
        listed = self._robots_sitemaps.pop(urlsplit(response.url).netloc, [])
        if not listed and found < SITEMAP_FALLBACK_BELOW:
            listed = [response.urljoin("/sitemap.xml")]
        for url in listed[:2]:
            site.in_flight += 1
            yield scrapy.Request(
                url,
                callback=self.parse_sitemap,
                errback=self.sitemap_failed,
                priority=FOLLOW_PRIORITY,
                dont_filter=True,
                meta={"site": site, "sitemap_depth": 0},
            )

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        site: Site = response.meta["site"]
        site.in_flight -= 1
        self.crawler.stats.inc_value("datacity/sitemaps")
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several kinds on garbage; the hint is optional
            self.logger.debug("Unreadable sitemap %s", response.url)
            sitemap = None

        if sitemap is not None:
            for entry in itertools.islice(sitemap, 1000):
                url = entry.get("loc")
                if not url:
                    continue
                if sitemap.type == "sitemapindex":
                    if response.meta["sitemap_depth"] == 0 and site.in_flight < 4:
                        site.in_flight += 1
                        yield response.follow(
                            url,
                            callback=self.parse_sitemap,
                            errback=self.sitemap_failed,
                            priority=FOLLOW_PRIORITY,
                            dont_filter=True,
                            meta={"site": site, "sitemap_depth": 1},
                        )
                    continue
                self._consider(site, _join(response.url, url), 1)
        yield from self._schedule(site)
        self._finish_if_done(site)

    def sitemap_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        site: Site = failure.request.meta["site"]
        site.in_flight -= 1
        yield from self._schedule(site)
        self._finish_if_done(site)


# -- helpers -------------------------------------------------------------------


def _join(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
        return None
    try:
        # Request() escapes the URL itself; canonicalize_url keys the seen set.
        return urldefrag(urljoin(base, href))[0]
    except ValueError:  # e.g. a malformed IPv6 literal
        return None


@functools.lru_cache(maxsize=65_536)
def _suffix(path: str) -> str:
    """The file extension of a URL path, lower case (the same paths recur across
    sites: /about/, /contact/)."""
    return PurePosixPath(path).suffix.lower()


def _headers(response: Response) -> dict[str, list[str]]:
    return {
        name.decode("latin-1").lower(): [v.decode("latin-1") for v in values]
        for name, values in response.headers.items()
    }


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _positive_int(raw: str, name: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"-a {name}={raw!r}: expected a whole number of at least 1")
    return value


def org_condition(raw: str) -> Any:
    """Which organisation ``-a org=`` names: an id, a company number or a key."""
    o = models.Organisation.__table__
    value = raw.strip()
    if ":" in value:
        return o.c.key == value.lower()
    if value.isdigit() and len(value) < 8:
        return o.c.id == int(value)
    try:
        number = normalise_company_number(value)
    except ValueError:
        raise ValueError(
            f"-a org={raw!r}: expected an organisation id, a company number"
            " (8 characters) or a key such as gb:01234567"
        ) from None
    return or_(o.c.company_number == number, o.c.key == f"gb:{number}")


@dataclass(frozen=True, slots=True)
class Seed:
    name: str
    website: str
    domain: str


def read_seeds(path: Path) -> list[Seed]:
    """Rows of a seeds CSV (columns ``name`` and ``website``); bad rows are refused
    with their line number, so that one typo cannot start a crawl of the wrong site."""
    if not path.is_file():
        raise FileNotFoundError(f"-a seeds={path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        if not {"name", "website"} <= columns:
            raise ValueError(
                f"{path}: expected a header row with columns name and website,"
                f" found {sorted(columns)}"
            )
        seeds = []
        for line, row in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            website = row["website"]
            url = website if "://" in website else f"http://{website}"
            host = urlsplit(url).hostname
            if (
                not host
                or "." not in host
                or urlsplit(url).scheme not in ("http", "https")
            ):
                raise ValueError(
                    f"{path}, line {line}: website {website!r} is not a web address"
                )
            seeds.append(Seed(row["name"] or host, url, registrable_domain(host)))
    return seeds


async def import_seeds(store: Store, seeds: list[Seed]) -> list[int]:
    """Organisations keyed by domain, each with a verified website; returns their ids."""
    now = dt.datetime.now(dt.UTC)
    organisations = [
        {
            "key": organisation_key(domain=s.domain),
            "name": s.name,
            "primary_domain": s.domain,
            "source": "seeds",
            "first_seen": now,
            "last_seen": now,
        }
        for s in seeds
    ]
    ids = await store.upsert_organisations(organisations)
    websites = [
        {
            "organisation_id": ids[organisation_key(domain=s.domain)],
            "domain": s.domain,
            "url": home_url(s.website, s.domain),
            "match_score": 1.0,
            "match_method": "registry",
            "verification": "verified",
            "evidence": {"registry": 1.0},
        }
        for s in seeds
    ]
    await store.upsert_websites(websites)
    return list(ids.values())
