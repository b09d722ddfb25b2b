"""Candidate domains from names, registry URLs, email addresses and links."""

from __future__ import annotations

import pytest

from crawler.discovery import candidates, names
from crawler.discovery.candidates import Candidate


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "Smith & Jones Ltd",
            ["smithandjones", "smith-and-jones", "smithjones", "smith-jones"],
            id="ampersand-ltd",
        ),
        pytest.param(
            "SMITH & JONES (UK) LIMITED",
            ["smithandjones", "smith-and-jones", "smithjones", "smith-jones"],
            id="upper-case-bracketed-uk",
        ),
        pytest.param(
            "Acme Group PLC", ["acmegroup", "acme-group", "acme"], id="group-plc"
        ),
        pytest.param(
            "Leeds Digital Hub CIC",
            ["leedsdigitalhub", "leeds-digital-hub", "ldh"],
            id="cic-initials",
        ),
        pytest.param(
            "The Arne Gallery",
            ["thearnegallery", "the-arne-gallery", "arnegallery", "arne-gallery"],
            id="leading-the",
        ),
        pytest.param(
            "Keep-Alive I.T Ltd",
            ["keepaliveit", "keep-alive-it", "kai"],
            id="hyphen-and-dotted-initials",
        ),
        pytest.param(
            "Bob's Café Limited", ["bobscafe", "bobs-cafe"], id="apostrophe-accent"
        ),
        pytest.param(
            "Example Partners LLP", ["examplepartners", "example-partners"], id="llp"
        ),
        pytest.param(
            "Data+AI Ltd", ["dataandai", "data-and-ai", "dataai", "data-ai"], id="plus"
        ),
    ],
)
def test_name_labels(name: str, expected: list[str]) -> None:
    """Legal forms go, & reads "and", words are joined and hyphenated, likeliest first."""
    assert candidates.name_labels(name) == expected


def test_name_candidates_cover_the_common_tlds() -> None:
    """Smith & Jones Ltd gives smithandjones.co.uk, smith-jones.co.uk and the other TLDs."""
    domains = [c.domain for c in candidates.from_name("Smith & Jones Ltd")]

    assert domains[0] == "smithandjones.co.uk"
    for expected in (
        "smithandjones.com",
        "smith-jones.co.uk",
        "smithjones.io",
        "smith-and-jones.tech",
        "smithjones.digital",
        "smithjones.org.uk",
        "smithjones.net",
        "smithjones.ltd",
        "smithjones.uk",
    ):
        assert expected in domains
    assert len(domains) == len(set(domains)) == 4 * len(candidates.TLDS)
    assert all(
        c.sources == ("name",) and c.url == f"http://{c.domain}/"
        for c in candidates.from_name("Smith & Jones Ltd")
    )


def test_long_names_never_make_invalid_labels() -> None:
    """A label longer than 63 characters is not a DNS name, so it is not proposed."""
    name = "Very " * 20 + "Long Name Ltd"
    labels = candidates.name_labels(name)
    assert labels
    assert all(len(label) <= 63 for label in labels)


@pytest.mark.parametrize(
    ("url", "domain", "fetch", "platform"),
    [
        pytest.param(
            "www.Acme.co.uk/about",
            "acme.co.uk",
            "http://www.acme.co.uk/",
            None,
            id="bare-host-path",
        ),
        pytest.param(
            "https://shop.acme.com",
            "acme.com",
            "https://shop.acme.com/",
            None,
            id="subdomain-https",
        ),
        pytest.param(
            "https://www.facebook.com/acme",
            "facebook.com",
            "https://www.facebook.com/",
            "social",
            id="facebook",
        ),
        pytest.param(
            "acme.wixsite.com/home",
            "wixsite.com",
            "http://acme.wixsite.com/",
            "site_builder",
            id="wixsite",
        ),
    ],
)
def test_registry_urls(url: str, domain: str, fetch: str, platform: str | None) -> None:
    """A registry URL gives its registrable domain, its host's home page and any platform."""
    [candidate] = candidates.from_urls([url])
    assert (candidate.domain, candidate.url, candidate.platform) == (
        domain,
        fetch,
        platform,
    )
    assert candidate.source == "registry"


def test_registry_urls_skip_nonsense() -> None:
    """Empty values, IP addresses and non-web schemes propose nothing."""
    assert (
        candidates.from_urls(
            ["", "  ", "http://10.0.0.1/", "ftp://acme.co.uk/", "localhost"]
        )
        == []
    )


def test_email_domains_skip_shared_mail_providers() -> None:
    """info@acme.co.uk proposes acme.co.uk; gmail and BT addresses propose nothing."""
    found = candidates.from_emails(
        [
            "info@Acme.co.uk",
            "acme.leeds@gmail.com",
            "bob@btinternet.com",
            "not an email",
        ]
    )
    assert [(c.domain, c.source) for c in found] == [("acme.co.uk", "email_domain")]


def test_links_from_a_verified_site_need_the_organisations_name() -> None:
    """Only a linked domain named like the organisation becomes a candidate."""
    links = [
        "https://smithandjones-shop.co.uk/",
        "https://smithjones.com/old",
        "https://www.wordpress.org/",
        "https://twitter.com/smithjones",
        "https://smithandjones.co.uk/contact",
    ]
    found = candidates.from_links(
        links, "Smith & Jones Ltd", own_domain="smithandjones.co.uk"
    )
    assert [(c.domain, c.source) for c in found] == [("smithjones.com", "link")]


def test_merge_keeps_every_source_and_the_strongest_first() -> None:
    """One row per domain; a registry URL outranks the same domain guessed from the name."""
    merged = candidates.merge(
        candidates.from_name("Acme Ltd"),
        candidates.from_emails(["hello@acme.io"]),
        candidates.from_urls(["https://www.acme.co.uk/"]),
    )
    by_domain = {c.domain: c for c in merged}

    assert merged[0] == Candidate(
        "acme.co.uk", "https://www.acme.co.uk/", ("registry", "name")
    )
    assert by_domain["acme.io"].sources == ("email_domain", "name")
    assert len(by_domain) == len(merged)


def test_merge_limit_counts_fetched_candidates_only() -> None:
    """The limit caps requests; platform candidates are recorded without costing one."""
    merged = candidates.merge(
        candidates.from_urls(["facebook.com/acme"]),
        candidates.from_name("Acme Ltd"),
        limit=3,
    )
    assert [c.domain for c in merged] == [
        "facebook.com",
        "acme.co.uk",
        "acme.com",
        "acme.uk",
    ]


@pytest.mark.parametrize(
    ("name", "core"),
    [
        pytest.param("SMITH & JONES LIMITED", "smith and jones", id="limited"),
        pytest.param("Acme Community Interest Company", "acme", id="cic-words"),
        pytest.param("Vardar Yazılım A.Ş.", "vardar yazilim", id="turkish"),
        pytest.param("Ltd", "ltd", id="only-a-legal-form"),
    ],
)
def test_core_name(name: str, core: str) -> None:
    """The core name drops legal forms but never empties a name."""
    assert names.core(name) == core
