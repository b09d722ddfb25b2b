"""``scrapy crawl discover``: find and verify the websites of organisations without one.

For each due organisation (see :mod:`crawler.discovery.due`) the spider builds its
candidate domains, fetches each candidate's home page and at most a couple of its
legal, contact or about pages, scores the evidence (:mod:`crawler.discovery.verify`)
and stores every candidate with its outcome in ``websites``. The best verified one
becomes the organisation's ``primary_domain``; a verified site's links may add more
candidates. Unknown hostnames are the common case and cost one failed lookup each.

Arguments: ``-a org=<id, company number or key>``, ``-a limit=N``,
``-a recheck_days=D`` (default 30; 0 rechecks every organisation without a verified
site) and ``-a max_candidates=N`` (fetched candidates per organisation, default 40).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.db import get_engine
from crawler.discovery import candidates as found
from crawler.discovery.candidates import Candidate
from crawler.discovery.due import RECHECK_DAYS, DueOrganisation, due_organisations
from crawler.discovery.links import evidence_links
from crawler.discovery.platforms import registrable_domain
from crawler.discovery.verify import OrganisationFacts, Verdict, verify
from crawler.extract.page import Page
from crawler.middlewares.errors import error_kind
from crawler.store import Store

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 40
EXTRA_PAGES = 2
REDIRECT_POLICY = "crawler.middlewares.redirects.RedirectPolicyMiddleware"
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


@dataclass
class CandidateCheck:
    """One candidate being read: the pages fetched so far and the requests pending."""

    candidate: Candidate
    pages: list[Page] = field(default_factory=list)
    pending: int = 0
    error: str | None = None


@dataclass
class OrganisationCheck:
    """Every candidate of one organisation, and the verdicts reached so far."""

    organisation: DueOrganisation
    facts: OrganisationFacts
    open: dict[str, CandidateCheck] = field(default_factory=dict)
    verdicts: dict[str, tuple[Candidate, Verdict]] = field(default_factory=dict)


class DiscoverSpider(scrapy.Spider):
    name = "discover"
    custom_settings: ClassVar[dict[str, Any]] = {
        # A guessed domain that does not exist is the normal case: one lookup, no retry.
        "RETRY_EXCEPTIONS": [
            "scrapy.exceptions.DownloadConnectionRefusedError",
            "scrapy.exceptions.DownloadFailedError",
            "scrapy.exceptions.DownloadTimeoutError",
            "scrapy.exceptions.ResponseDataLossError",
            "twisted.internet.error.ConnectionDone",
            "twisted.internet.error.ConnectError",
            "twisted.internet.error.ConnectionLost",
        ],
        "RETRY_TIMES": 1,
        "DOWNLOAD_TIMEOUT": 10,
        # This spider records its own run, with discovery's figures, and stores no
        # pages: only a verified site is crawled in depth, by the sites spider.
        "DATACITY_CRAWL_RUNS": False,
        "ITEM_PIPELINES": {},
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # A candidate that redirects to another domain (smithjones.com → the real
        # smith-jones.co.uk) is evidence, so cross-site redirects are followed here,
        # unlike in the sites crawl; Scrapy's REDIRECT_MAX_TIMES still ends loops and
        # the address guard still checks every hop.
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares[REDIRECT_POLICY] = None
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, *args: Any, **kwargs: Any
    ) -> DiscoverSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        _quiet_missing_hosts(crawler)
        return spider

    def __init__(
        self,
        org: str | None = None,
        limit: str | None = None,
        recheck_days: str | None = None,
        max_candidates: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.limit = _number("limit", limit, int)
        self.recheck_days = _number("recheck_days", recheck_days, float)
        self.max_candidates = _number("max_candidates", max_candidates, int)
        self.checks: dict[int, OrganisationCheck] = {}
        self.store: Store | None = None
        self.run_id: int | None = None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.store = Store(get_engine())
        arguments = {
            "org": self.org,
            "limit": self.limit,
            "recheck_days": self.recheck_days,
            "max_candidates": self.max_candidates,
        }
        self.run_id = await self.store.start_run(
            "discover", {k: v for k, v in arguments.items() if v is not None}
        )

        due = await due_organisations(
            self.store.engine,
            org=self.org,
            limit=self.limit,
            recheck_days=RECHECK_DAYS
            if self.recheck_days is None
            else self.recheck_days,
        )
        logger.info("Discovering websites of %d organisations", len(due))
        self.crawler.stats.set_value("discover/organisations", len(due))

        for organisation in due:
            check = self._check_for(organisation)
            # Every candidate is registered before the first request leaves, so a
            # fast answer cannot make the organisation look finished too early.
            requests = [
                request
                for candidate in self._candidates(organisation)
                for request in self._open(check, candidate)
            ]
            if not check.open:
                await self._finish_organisation(check)
            for request in requests:
                yield request

    def _check_for(self, organisation: DueOrganisation) -> OrganisationCheck:
        facts = OrganisationFacts(
            name=organisation.name,
            company_number=organisation.company_number,
            postcode=organisation.postcode,
            previous_names=organisation.previous_names,
        )
        check = OrganisationCheck(organisation, facts)
        self.checks[organisation.id] = check
        return check

    def _candidates(self, organisation: DueOrganisation) -> list[Candidate]:
        limit = self.max_candidates or MAX_CANDIDATES
        return found.merge(
            found.from_urls(organisation.urls),
            found.from_emails(organisation.emails),
            found.from_name(
                organisation.name, previous_names=organisation.previous_names[:1]
            ),
            limit=limit,
        )

    def _open(
        self, check: OrganisationCheck, candidate: Candidate
    ) -> list[scrapy.Request]:
        """Start reading *candidate*: its home page, unless it is a platform."""
        if candidate.domain in check.open or candidate.domain in check.verdicts:
            return []
        self.crawler.stats.inc_value("discover/candidates")
        if candidate.platform:
            check.verdicts[candidate.domain] = (
                candidate,
                verify(check.facts, candidate, []),
            )
            self.crawler.stats.inc_value("discover/platform")
            return []

        state = CandidateCheck(candidate, pending=1)
        check.open[candidate.domain] = state
        return [
            scrapy.Request(
                candidate.url,
                callback=self.parse_home,
                errback=self.home_failed,
                cb_kwargs={
                    "organisation_id": check.organisation.id,
                    "domain": candidate.domain,
                },
                dont_filter=True,  # two organisations may share a guessed domain
                meta={"page_kind": "home"},
            )
        ]

    async def parse_home(
        self, response: Response, organisation_id: int, domain: str
    ) -> AsyncIterator[scrapy.Request]:
        check = self.checks[organisation_id]
        state = check.open[domain]
        state.pending -= 1

        if not isinstance(response, TextResponse):
            state.error = "not_html"
        else:
            page = _page(response)
            state.pages.append(page)
            if not _decided(check.facts, state.candidate, page):
                for kind, url in evidence_links(page, limit=EXTRA_PAGES):
                    state.pending += 1
                    yield scrapy.Request(
                        url,
                        callback=self.parse_extra,
                        errback=self.extra_failed,
                        cb_kwargs={
                            "organisation_id": organisation_id,
                            "domain": domain,
                        },
                        dont_filter=True,
                        meta={"page_kind": kind},
                    )

        async for request in self._maybe_done(check, state):
            yield request

    async def parse_extra(
        self, response: Response, organisation_id: int, domain: str
    ) -> AsyncIterator[scrapy.Request]:
        check = self.checks[organisation_id]
        state = check.open[domain]
        state.pending -= 1
        if isinstance(response, TextResponse):
            state.pages.append(_page(response))
        async for request in self._maybe_done(check, state):
            yield request

    async def home_failed(self, failure: Failure) -> AsyncIterator[scrapy.Request]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        check = self.checks[kwargs["organisation_id"]]
        state = check.open[kwargs["domain"]]
        state.pending -= 1
        state.error = error_kind(failure.value)
        self.crawler.stats.inc_value(f"discover/unreachable/{state.error}")
        async for request in self._maybe_done(check, state):
            yield request

    async def extra_failed(self, failure: Failure) -> AsyncIterator[scrapy.Request]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        check = self.checks[kwargs["organisation_id"]]
        state = check.open[kwargs["domain"]]
        state.pending -= 1
        self.crawler.stats.inc_value(
            f"discover/extra_page_error/{error_kind(failure.value)}"
        )
        async for request in self._maybe_done(check, state):
            yield request

    async def _maybe_done(
        self, check: OrganisationCheck, state: CandidateCheck
    ) -> AsyncIterator[scrapy.Request]:
        """Score a candidate once all its pages are in; store the organisation's
        outcome once all its candidates are scored."""
        if state.pending:
            return
        candidate = state.candidate
        del check.open[candidate.domain]
        try:
            verdict = verify(check.facts, candidate, state.pages, error=state.error)
        except Exception:
            # A page no rule foresaw must not leave the organisation unfinished.
            logger.exception("Could not score %s", candidate.url)
            verdict = verify(check.facts, candidate, [], error="unscorable")
        check.verdicts[candidate.domain] = (candidate, verdict)
        self.crawler.stats.inc_value(f"discover/{verdict.verification}")

        if verdict.verification == "verified":
            links = [link.url for page in state.pages for link in page.links]
            own = registrable_domain(verdict.url or candidate.url) or candidate.domain
            for more in found.from_links(
                links, check.organisation.name, own_domain=own
            ):
                for request in self._open(check, more):
                    yield request

        if not check.open:
            await self._finish_organisation(check)

    async def _finish_organisation(self, check: OrganisationCheck) -> None:
        """Store every candidate's outcome and the best verified domain."""
        assert self.store is not None
        organisation = check.organisation
        rows = [_website_row(organisation.id, c, v) for c, v in check.verdicts.values()]

        best = _best_verified(check)
        if best is not None:
            candidate, verdict = best
            landed = (
                registrable_domain(verdict.url or candidate.url) or candidate.domain
            )
            if landed not in check.verdicts:
                # The candidate redirected to the organisation's real domain.
                moved = Candidate(
                    landed, verdict.url or candidate.url, candidate.sources
                )
                rows.append(_website_row(organisation.id, moved, verdict))
            self.crawler.stats.inc_value("discover/organisations_verified")
        else:
            self.crawler.stats.inc_value("discover/organisations_no_match")

        try:
            if rows:
                await self.store.upsert("websites", rows)
            if best is not None:
                await self.store.upsert(
                    "organisations",
                    [{"key": organisation.key, "primary_domain": landed}],
                )
        except Exception:
            # One organisation's write failing must not end the crawl of the others.
            logger.exception(
                "Could not store discovery for organisation %s", organisation.key
            )
            self.crawler.stats.inc_value("discover/store_errors")
        del self.checks[organisation.id]

    async def closed(self, reason: str) -> None:
        if self.store is None:
            return
        if self.checks:
            # Stopped early: these organisations stay due and are checked next run.
            logger.warning(
                "%d organisations left unfinished (%s)", len(self.checks), reason
            )
            self.crawler.stats.set_value(
                "discover/organisations_unfinished", len(self.checks)
            )
        stats = self.crawler.stats.get_stats()
        logger.info(
            "Discovery finished (%s): %s organisations, %s verified, %s without a match",
            reason,
            stats.get("discover/organisations", 0),
            stats.get("discover/organisations_verified", 0),
            stats.get("discover/organisations_no_match", 0),
        )
        if self.run_id is not None:
            await self.store.finish_run(self.run_id, outcome=reason, stats=stats)
        await self.store.close()


class _MissingHostFilter(logging.Filter):
    """Drops the robots.txt middleware's error log for a host that does not resolve.

    Most guessed domains do not exist; each one is counted in the stats and stored
    as a rejected candidate, so a traceback per guess would only bury real errors.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__()
        self.crawler = crawler

    def filter(self, record: logging.LogRecord) -> bool:
        arguments = record.args if isinstance(record.args, dict) else {}
        if isinstance(
            arguments.get("f_exception"), CannotResolveHostError | DNSLookupError
        ):
            self.crawler.stats.inc_value("discover/robots_dns_failures")
            return False
        return True


def _quiet_missing_hosts(crawler: Crawler) -> None:
    robots_logger = logging.getLogger(ROBOTS_LOGGER)
    quiet = _MissingHostFilter(crawler)
    robots_logger.addFilter(quiet)
    # Removed when the crawl ends, so a later crawl in the same process logs as usual.
    crawler.signals.connect(
        lambda: robots_logger.removeFilter(quiet),
        signal=scrapy.signals.engine_stopped,
        weak=False,
    )


def _page(response: TextResponse) -> Page:
    headers = {
        key.decode("latin-1").lower(): [v.decode("latin-1") for v in values]
        for key, values in response.headers.items()
    }
    return Page(response.url, response.text, headers)


def _decided(facts: OrganisationFacts, candidate: Candidate, page: Page) -> bool:
    """The home page already settles it: a company number is printed there."""
    try:
        verdict = verify(facts, candidate, [page])
    except Exception:
        return False  # read the other pages; the final score logs the failure
    return any(
        r.reason in {"company_number", "other_company_number"} and r.weight
        for r in verdict.reasons
    ) or any(r.reason == "platform" for r in verdict.reasons)


def _best_verified(check: OrganisationCheck) -> tuple[Candidate, Verdict] | None:
    verified = [
        cv for cv in check.verdicts.values() if cv[1].verification == "verified"
    ]
    if not verified:
        return None
    return max(verified, key=lambda cv: cv[1].score)


def _website_row(
    organisation_id: int, candidate: Candidate, verdict: Verdict
) -> dict[str, Any]:
    evidence = verdict.evidence()
    evidence["sources"] = list(candidate.sources)
    return {
        "organisation_id": organisation_id,
        "domain": candidate.domain,
        "url": verdict.url or candidate.url,
        "match_score": verdict.score,
        "match_method": verdict.method,
        "verification": verdict.verification,
        "evidence": evidence,
    }


def _number(name: str, value: str | None, kind: type) -> Any:
    if value is None or value == "":
        return None
    try:
        number = kind(value)
    except ValueError:
        raise ValueError(f"-a {name}={value!r}: expected a number") from None
    if number < 0:
        raise ValueError(f"-a {name}={value!r}: must not be negative")
    return number
