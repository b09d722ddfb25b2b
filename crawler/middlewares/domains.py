"""Which site a URL belongs to: its registrable domain.

tldextract reads the Public Suffix List snapshot it ships with; it is told never to
fetch a newer list, because a crawler must not depend on one more download at start.
"""

from __future__ import annotations

import functools
import ipaddress

import tldextract

# Private suffixes count (github.io, herokuapp.com): each user there is its own site.
_extract = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


@functools.lru_cache(maxsize=65_536)
def registrable_domain(host: str) -> str:
    """``www.shop.example.co.uk`` → ``example.co.uk``; IPs and bare names as they are.

    A name under no known public suffix (``acme.test``, ``localhost``) is its own site,
    minus a leading ``www.``.
    """
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return host
    extracted = _extract(host)
    if extracted.suffix and extracted.domain:
        return f"{extracted.domain}.{extracted.suffix}"
    return host.removeprefix("www.")


def same_site(host_a: str, host_b: str) -> bool:
    return registrable_domain(host_a) == registrable_domain(host_b)
