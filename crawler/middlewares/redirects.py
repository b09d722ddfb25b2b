"""Redirects that loop or leave the organisation's site are not followed.

Runs just before Scrapy's RedirectMiddleware sees a 3xx (a higher order number,
because responses travel the middlewares in reverse). A redirect back to a URL of
the same chain is a loop; Scrapy's duplicate filter would otherwise drop it without
telling the spider. A redirect to another registrable domain is refused too, so that
a crawl stays on the site that was verified; www/non-www and http/https moves within
the site are followed. A redirect to a non-public IP address is refused here as
"blocked"; one to a hostname that resolves to such an address is refused by the
address guard when the redirected request comes back through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from w3lib.url import safe_url_string

from crawler.middlewares.domains import same_site
from crawler.middlewares.errors import BlockedAddress, OffsiteRedirect, RedirectLoop
from crawler.middlewares.ssrf import ip_literal, is_public

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RedirectPolicyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectPolicyMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        if request.meta.get("dont_redirect"):
            return response

        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain or len(chain) > self.max_times:
            self.crawler.stats.inc_value("datacity/redirect/loop")
            raise RedirectLoop(f"Redirect loop: {' -> '.join([*chain, target])}")

        origin = urlsplit(chain[0]).hostname or ""
        destination = urlsplit(target).hostname or ""
        literal = ip_literal(destination)
        if literal is not None and not is_public(literal):
            # Named for what it is, before "off the site": the classic SSRF redirect.
            self.crawler.stats.inc_value("datacity/blocked_address")
            raise BlockedAddress(f"Redirect to a non-public address: {target}")
        if not same_site(origin, destination):
            self.crawler.stats.inc_value("datacity/redirect/offsite")
            raise OffsiteRedirect(f"Redirect off the site: {chain[0]} -> {target}")
        return response
