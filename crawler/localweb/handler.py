"""Download handler that sends every http(s) request to the local test web.

With the setting ``DATACITY_LOCALWEB = "host:port"`` (or the environment variable of
the same name) a request for ``https://example.co.uk/about`` is sent as
``GET /about`` with ``Host: example.co.uk`` to ``http://host:port``, and the response
comes back under the original URL. Everything above the downloader (robots.txt,
redirects, per-site slots, items) sees the real URLs. Without the setting this is
Scrapy's own HTTP/1.1 handler, unchanged.

This is a download handler rather than a proxy setting because Scrapy tunnels https
through a proxy with CONNECT, which a plain local server cannot answer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import CannotResolveHostError
from scrapy.utils.httpobj import urlparse_cached

from crawler.localweb.server import NO_SUCH_HOST, NO_SUCH_HOST_HEADER

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class LocalWebDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.address: str = crawler.settings.get("DATACITY_LOCALWEB") or ""
        if self.address:
            # Every site shares one server here, so keep as many idle connections
            # to it as requests may be in flight, not the per-site figure.
            self._pool.maxPersistentPerHost = crawler.settings.getint(
                "CONCURRENT_REQUESTS"
            )
            logger.info(
                "Routing every http(s) hostname to the local web at %s", self.address
            )

    async def download_request(self, request: Request) -> Response:
        if not self.address:
            return await super().download_request(request)

        parts = urlparse_cached(request)
        local = request.replace(
            url=f"http://{self.address}{parts.path or '/'}"
            + (f"?{parts.query}" if parts.query else "")
        )
        # Without any user:password@ part, which is no part of a Host header.
        local.headers[b"Host"] = parts.netloc.rpartition("@")[2].encode("ascii")
        response = await super().download_request(local)

        if response.headers.get(NO_SUCH_HOST_HEADER, b"").decode() == NO_SUCH_HOST:
            raise CannotResolveHostError(
                f"DNS lookup failed: no such host {parts.hostname!r} on the local web"
            )
        return response.replace(url=request.url)
