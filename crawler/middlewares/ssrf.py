"""Refuse requests to addresses a public crawler must never reach (SSRF guard).

Only http and https are fetched. A host that is an IP literal is checked as it is; a
hostname is resolved first and refused when ANY of its addresses is loopback, private,
link-local (169.254.169.254 is the cloud metadata service), shared, reserved or
multicast. Redirects pass through here again, because Scrapy schedules the redirected
request as a new one.

With the local test web set (``DATACITY_LOCALWEB``) every hostname is served by that
one loopback address, which is therefore allowed, and hostnames are not resolved;
IP literals are still checked, and loopback is allowed on the local web's port only.

Known shortcoming: Scrapy's downloader resolves the name again when it connects, so a
hostile DNS server answering with a short TTL could still point the connection at a
private address after this check passed (DNS rebinding). Closing that needs a
resolver that pins the checked address; the check here stops every static case.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import socket
from typing import TYPE_CHECKING

from scrapy.utils.httpobj import urlparse_cached

from crawler.middlewares.errors import BlockedAddress

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = {"http", "https"}
# Verdicts per hostname; a crawl meets each site's name many times.
CACHE_SIZE = 100_000


def is_public(address: Address) -> bool:
    """True when *address* is a global unicast address on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        localweb = crawler.settings.get("DATACITY_LOCALWEB") or ""
        self.localweb: tuple[str, int] | None = None
        if localweb:
            host, _, port = localweb.rpartition(":")
            self.localweb = (host, int(port))
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        url = urlparse_cached(request)
        if url.scheme not in ALLOWED_SCHEMES:
            self._refuse(request, f"scheme {url.scheme!r} is not http or https")

        host = (url.hostname or "").lower()
        literal = ip_literal(host)
        if literal is not None:
            if not is_public(literal) and not self._is_localweb(literal, url.port):
                self._refuse(request, f"address {literal} is not public")
            return
        if self.localweb is not None or not host:
            return

        reason = await self._resolved_verdict(host)
        if reason is not None:
            self._refuse(request, reason)

    def _is_localweb(self, address: Address, port: int | None) -> bool:
        if self.localweb is None:
            return False
        host, local_port = self.localweb
        return str(address) == host and port == local_port

    async def _resolved_verdict(self, host: str) -> str | None:
        """Why *host* is refused after resolving it, or None when it may be fetched."""
        if host in self._verdicts:
            return self._verdicts[host]

        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            # The download fails on its own with the DNS error, recorded as "dns".
            return None
        reason = None
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(sockaddr[0].split("%")[0])
            if not is_public(address):
                reason = f"{host} resolves to {address}, which is not public"
                break

        if len(self._verdicts) >= CACHE_SIZE:
            self._verdicts.clear()
        self._verdicts[host] = reason
        return reason

    def _refuse(self, request: Request, reason: str) -> None:
        self.crawler.stats.inc_value("datacity/blocked_address")
        logger.info("Refused %s: %s", request.url, reason)
        raise BlockedAddress(f"Refused {request.url}: {reason}")


@functools.lru_cache(maxsize=CACHE_SIZE)
def ip_literal(host: str) -> Address | None:
    """The address *host* spells, or None for a name. Cached: every request asks,
    and for a name ``ip_address`` fails twice (IPv4, IPv6) through exceptions."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
