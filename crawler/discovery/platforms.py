"""Domains that are never an organisation's own website.

A link to a Facebook page, a Yell listing or a ``*.wixsite.com`` address names a place
where an organisation appears, not a site it owns: such a domain serves thousands of
organisations, so neither its pages nor its name can prove a match. Discovery rejects
these domains without fetching them, and ignores addresses at shared mail providers
(``someone@gmail.com`` says nothing about a website).

Domains are compared by their registrable part under the public suffix list (the
ICANN section only, so ``x.github.io`` and ``shop.wixsite.com`` fall under the
platform's own domain). The list is ours: no maintained library classifies hosts this
way, and each entry was chosen by hand.
"""

from __future__ import annotations

import ipaddress
from functools import cache

import tldextract

# The bundled public suffix snapshot, never a network fetch and no cache on disk: the
# crawler must behave the same offline and in tests.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

SOCIAL = "social"
DIRECTORY = "directory"
SITE_BUILDER = "site_builder"
MARKETPLACE = "marketplace"
LINK_IN_BIO = "link_in_bio"
DOMAIN_SELLER = "domain_seller"
MAIL = "mail"

_PLATFORMS: dict[str, tuple[str, ...]] = {
    SOCIAL: (
        "facebook.com", "fb.com", "fb.me", "instagram.com", "twitter.com", "x.com",
        "t.co", "linkedin.com", "lnkd.in", "youtube.com", "youtu.be", "tiktok.com",
        "pinterest.com", "pinterest.co.uk", "threads.net", "bsky.app", "bsky.social",
        "mastodon.social", "snapchat.com", "reddit.com", "whatsapp.com", "wa.me",
        "t.me", "telegram.me", "discord.gg", "discord.com", "github.com",
        "gitlab.com", "bitbucket.org", "behance.net", "dribbble.com", "vimeo.com",
        "flickr.com", "meetup.com", "eventbrite.co.uk", "eventbrite.com",
        "nextdoor.co.uk", "nextdoor.com", "medium.com", "substack.com",
        "tumblr.com", "soundcloud.com", "spotify.com", "twitch.tv",
    ),
    DIRECTORY: (
        "yell.com", "companieshouse.gov.uk", "service.gov.uk", "endole.co.uk",
        "bizdb.co.uk", "opencorporates.com", "companycheck.co.uk", "duedil.com",
        "checkatrade.com", "trustatrade.com", "mybuilder.com", "ratedpeople.com",
        "yelp.com", "yelp.co.uk", "thomsonlocal.com", "scoot.co.uk",
        "freeindex.co.uk", "cylex-uk.co.uk", "hotfrog.co.uk", "192.com", "bark.com",
        "trustpilot.com", "tripadvisor.com", "tripadvisor.co.uk", "glassdoor.com",
        "glassdoor.co.uk", "indeed.com", "indeed.co.uk", "reed.co.uk",
        "totaljobs.com", "crunchbase.com", "zoominfo.com", "dnb.com", "kompass.com",
        "clutch.co", "goodfirms.co", "companiesintheuk.co.uk", "misterwhat.co.uk",
        "brownbook.net", "northdata.com", "pomanda.com", "opengovuk.com",
        "find-open.co.uk", "company-information.service.gov.uk", "google.com",
        "google.co.uk", "goo.gl", "bing.com", "wikipedia.org", "upwork.com",
        "fiverr.com", "peopleperhour.com", "freelancer.com", "yably.co.uk",
    ),
    SITE_BUILDER: (
        "wixsite.com", "wix.com", "squarespace.com", "wordpress.com",
        "blogspot.com", "blogger.com", "business.site", "godaddysites.com",
        "weebly.com", "webflow.io", "netlify.app", "vercel.app", "herokuapp.com",
        "github.io", "gitlab.io", "pages.dev", "jimdosite.com", "jimdofree.com",
        "site123.me", "strikingly.com", "mystrikingly.com", "ueniweb.com",
        "yolasite.com", "simplesite.com", "webnode.page", "webnode.co.uk",
        "notion.site", "framer.website", "framer.ai", "myshopify.com",
        "square.site", "ecwid.com", "carrd.co",
    ),
    MARKETPLACE: (
        "etsy.com", "amazon.co.uk", "amazon.com", "ebay.co.uk", "ebay.com",
        "notonthehighstreet.com", "folksy.com", "depop.com", "vinted.co.uk",
        "gumtree.com", "bigcartel.com", "shopify.com", "squareup.com",
        "deliveroo.co.uk", "just-eat.co.uk", "ubereats.com", "airbnb.co.uk",
        "airbnb.com", "booking.com", "rightmove.co.uk", "zoopla.co.uk",
    ),
    LINK_IN_BIO: (
        "linktr.ee", "beacons.ai", "bio.link", "lnk.bio", "campsite.bio",
        "about.me", "allmylinks.com", "taplink.cc", "linkin.bio", "solo.to",
        "milkshake.app", "linkpop.com",
    ),
    # Where a lapsed domain is parked or offered for sale: a redirect there means
    # the domain no longer belongs to a working site.
    DOMAIN_SELLER: (
        "sedo.com", "dan.com", "afternic.com", "hugedomains.com", "godaddy.com",
        "namecheap.com", "123-reg.co.uk", "bodis.com", "parkingcrew.net",
        "above.com", "undeveloped.com", "atom.com",
    ),
    # Addresses at these say nothing about the holder's website.
    MAIL: (
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk",
        "outlook.com", "live.com", "live.co.uk", "msn.com", "yahoo.com",
        "yahoo.co.uk", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
        "aol.co.uk", "btinternet.com", "btopenworld.com", "sky.com",
        "virginmedia.com", "ntlworld.com", "blueyonder.co.uk", "talktalk.net",
        "tiscali.co.uk", "protonmail.com", "proton.me", "gmx.com", "gmx.co.uk",
        "mail.com", "yandex.com", "zoho.com", "zohomail.com", "fastmail.com",
        "hey.com", "tutanota.com",
    ),
}  # fmt: skip

_CATEGORY: dict[str, str] = {
    domain: category for category, domains in _PLATFORMS.items() for domain in domains
}


def hostname_of(value: str) -> str:
    """The lower-case hostname in a URL, a bare host or an email address."""
    value = value.strip().lower()
    if "@" in value and "://" not in value:
        value = value.rsplit("@", 1)[1]
    host = value.split("://", 1)[-1]
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0].rstrip(".")


@cache
def registrable_domain(host: str) -> str | None:
    """``www.shop.example.co.uk`` → ``example.co.uk``; None for IPs and bare suffixes."""
    host = hostname_of(host)
    if not host or _is_ip(host):
        return None
    parts = _EXTRACT(host)
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}"


def platform_of(host: str) -> str | None:
    """The platform category of *host* (``social``, ``directory``, …), or None.

    Checks the host itself and each parent, so ``company-information.service.gov.uk``
    and ``anything.wixsite.com`` are both caught.
    """
    host = hostname_of(host)
    labels = host.split(".")
    for start in range(len(labels) - 1):
        category = _CATEGORY.get(".".join(labels[start:]))
        if category:
            return category
    return None


def is_shared_mail(domain: str) -> bool:
    """True for a free or ISP mail provider's domain (gmail.com, btinternet.com…)."""
    return platform_of(domain) == MAIL


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
