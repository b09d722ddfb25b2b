"""The SSRF guard: only public http(s) addresses, checked after DNS resolution."""

from __future__ import annotations

import ipaddress

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.middlewares.errors import BlockedAddress, error_kind
from crawler.middlewares.ssrf import AddressGuardMiddleware, ip_literal, is_public


def guard(localweb: str = "") -> AddressGuardMiddleware:
    crawler = get_crawler(settings_dict={"DATACITY_LOCALWEB": localweb})
    return AddressGuardMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        pytest.param("93.184.216.34", True, id="public-v4"),
        pytest.param("2606:4700::1111", True, id="public-v6"),
        pytest.param("127.0.0.1", False, id="loopback"),
        pytest.param("10.0.0.1", False, id="private-10"),
        pytest.param("192.168.1.1", False, id="private-192"),
        pytest.param("169.254.169.254", False, id="metadata-link-local"),
        pytest.param("100.64.0.1", False, id="shared-cgnat"),
        pytest.param("0.0.0.0", False, id="unspecified"),
        pytest.param("::1", False, id="loopback-v6"),
        pytest.param("fd00::1", False, id="unique-local-v6"),
        pytest.param("::ffff:127.0.0.1", False, id="v4-mapped-loopback"),
        pytest.param("224.0.0.1", False, id="multicast"),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    """Only global unicast addresses count as public, v4-mapped ones unwrapped."""
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "https://[::1]:8443/",
        "http://127.0.0.1:8089/",
        "ftp://example.com/file",
    ],
)
async def test_refuses_non_public_literals_and_other_schemes(url: str) -> None:
    """IP literals that are not public, and non-web schemes, are refused as blocked."""
    with pytest.raises(BlockedAddress) as refused:
        await guard().process_request(Request(url))
    assert error_kind(refused.value) == "blocked"


@pytest.mark.asyncio
async def test_refuses_a_name_that_resolves_to_loopback() -> None:
    """localhost is checked after resolution: it resolves to loopback, so it is refused."""
    middleware = guard()
    with pytest.raises(BlockedAddress, match="resolves to"):
        await middleware.process_request(Request("http://localhost/"))
    # The verdict is cached: a second request is refused without resolving again.
    assert "localhost" in middleware._verdicts
    with pytest.raises(BlockedAddress):
        await middleware.process_request(Request("http://LOCALHOST/about"))


@pytest.mark.asyncio
async def test_public_literal_and_unresolvable_names_pass() -> None:
    """A public address passes; a name that does not resolve is left to fail as dns."""
    middleware = guard()
    assert await middleware.process_request(Request("http://93.184.216.34/")) is None
    assert (
        await middleware.process_request(Request("http://no-such-host.invalid/"))
        is None
    )


@pytest.mark.asyncio
async def test_local_web_address_is_the_only_loopback_allowed() -> None:
    """With the local web set, its own address passes and other loopback ports do not."""
    middleware = guard("127.0.0.1:8089")
    assert await middleware.process_request(Request("http://127.0.0.1:8089/")) is None
    # Hostnames are routed to the local web, not resolved.
    assert await middleware.process_request(Request("http://localhost/")) is None
    with pytest.raises(BlockedAddress):
        await middleware.process_request(Request("http://127.0.0.1:5432/"))
    with pytest.raises(BlockedAddress):
        await middleware.process_request(Request("http://169.254.169.254/"))


@pytest.mark.asyncio
async def test_cached_literal_check_keeps_port_and_address_rules() -> None:
    """The per-host literal cache still refuses loopback off the local web's port."""
    middleware = guard("127.0.0.1:8089")
    for _ in range(2):  # the second round is answered from the cache
        assert ip_literal("example.co.uk") is None
        assert ip_literal("[::1]") == ipaddress.ip_address("::1")
        assert (
            await middleware.process_request(Request("http://127.0.0.1:8089/")) is None
        )
        with pytest.raises(BlockedAddress):
            await middleware.process_request(Request("http://127.0.0.1:5432/"))
        with pytest.raises(BlockedAddress):
            await middleware.process_request(Request("http://[::1]:8089/"))
