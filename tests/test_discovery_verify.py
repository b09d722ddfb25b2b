"""Verification scores from a candidate site's pages, and the platform blacklist."""

from __future__ import annotations

import pytest

from crawler.discovery import platforms
from crawler.discovery.candidates import Candidate
from crawler.discovery.links import evidence_links
from crawler.discovery.verify import (
    CANDIDATE_AT,
    VERIFIED_AT,
    OrganisationFacts,
    name_similarity,
    verify,
)
from crawler.extract.page import Page

ORG = OrganisationFacts("SMITH & JONES LIMITED", "01234567", "LS1 4AP")
GUESSED = Candidate("smithandjones.co.uk", "http://smithandjones.co.uk/", ("name",))
UNRELATED = Candidate("pinecrest.co.uk", "http://pinecrest.co.uk/", ("name",))


def page(
    body: str, title: str = "Welcome", url: str = "http://smithandjones.co.uk/"
) -> Page:
    return Page(
        url, f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    )


@pytest.mark.parametrize(
    ("candidate", "pages", "verification", "method", "reasons"),
    [
        pytest.param(
            UNRELATED,
            [page("<footer>Registered in England and Wales No. 01234567</footer>")],
            "verified",
            "company_number",
            {"company_number"},
            id="own-number-alone",
        ),
        pytest.param(
            GUESSED,
            [
                page(
                    "<p>Solicitors in Leeds LS1 4AP</p>"
                    "<footer>&copy; 2025 Smith &amp; Jones Ltd. Company number 07654321</footer>",
                    title="Smith &amp; Jones | Solicitors",
                )
            ],
            "rejected",
            "company_number",
            {"other_company_number", "name", "postcode", "domain_name"},
            id="other-number-outweighs-name-and-postcode",
        ),
        pytest.param(
            GUESSED,
            [page("<p>Solicitors</p>", title="Smith &amp; Jones | Solicitors")],
            "candidate",
            "name",
            {"name", "domain_name"},
            id="name-only",
        ),
        pytest.param(
            UNRELATED,
            [
                page(
                    "<p>Pine Crest Lodge, Park Row, Leeds LS1 4AP</p>",
                    title="Pine Crest",
                )
            ],
            "candidate",
            "postcode",
            {"postcode"},
            id="postcode-only",
        ),
        pytest.param(
            GUESSED,
            [
                page(
                    "<address>1 Park Row, Leeds, ls14ap</address>",
                    title="Smith and Jones Solicitors",
                )
            ],
            "verified",
            "name",
            {"name", "postcode", "domain_name"},
            id="name-and-postcode",
        ),
        pytest.param(
            Candidate("facebook.com", "https://facebook.com/", ("registry",), "social"),
            [],
            "rejected",
            "registry",
            {"platform"},
            id="blacklisted-platform",
        ),
        pytest.param(
            GUESSED,
            [],
            "rejected",
            "name",
            {"unreachable"},
            id="unreachable",
        ),
        pytest.param(
            GUESSED,
            [
                page(
                    "<p>This domain is for sale! Make an offer.</p>",
                    title="smithandjones.co.uk",
                )
            ],
            "rejected",
            "name",
            {"parked", "domain_name"},
            id="parked",
        ),
        pytest.param(
            UNRELATED,
            [page("<p>Holiday lets in Cornwall</p>", title="Pine Crest Lodge")],
            "rejected",
            "name",
            set(),
            id="unrelated",
        ),
        pytest.param(
            Candidate("sj-law.co.uk", "http://sj-law.co.uk/", ("registry",)),
            [page("<p>Welcome</p>", title="SJ Law", url="http://sj-law.co.uk/")],
            "candidate",
            "registry",
            {"registry"},
            id="registry-url-alone",
        ),
        pytest.param(
            GUESSED,
            [
                page(
                    "<p>Smith &amp; Jones Ltd is registered in England.</p>",
                    title="Home",
                ),
            ],
            "candidate",
            "name",
            {"name", "domain_name"},
            id="legal-name-in-text",
        ),
    ],
)
def test_verdicts(
    candidate: Candidate,
    pages: list[Page],
    verification: str,
    method: str,
    reasons: set[str],
) -> None:
    """Each kind of evidence moves the score the documented way and names the method."""
    verdict = verify(ORG, candidate, pages, error="dns" if not pages else None)

    assert verdict.verification == verification
    assert verdict.method == method
    assert {r.reason for r in verdict.reasons if r.weight} | (
        {r.reason for r in verdict.reasons if r.reason in {"platform", "unreachable"}}
    ) == reasons
    assert 0.0 <= verdict.score <= 1.0
    if verification == "verified":
        assert verdict.score >= VERIFIED_AT
    elif verification == "candidate":
        assert CANDIDATE_AT <= verdict.score < VERIFIED_AT


def test_own_number_on_a_sub_page_verifies_and_is_cited() -> None:
    """The number printed on the legal page counts, and the evidence says where."""
    pages = [
        page("<p>Hello</p>", title="Pine Crest"),
        page(
            "<p>Company Reg. No: 1234567</p>", url="http://smithandjones.co.uk/privacy"
        ),
    ]
    verdict = verify(ORG, GUESSED, pages)
    evidence = verdict.evidence()

    assert verdict.verification == "verified"
    assert evidence["reasons"][0] == {
        "reason": "company_number",
        "weight": 1.0,
        "detail": "01234567 on http://smithandjones.co.uk/privacy",
    }
    assert evidence["pages"] == [p.url for p in pages]


def test_group_site_with_own_and_sister_numbers_is_verified() -> None:
    """Sister companies' numbers next to the own one do not count against it."""
    text = "<p>Smith Holdings Ltd, company number 07654321.</p><p>Company number 01234567.</p>"
    verdict = verify(ORG, GUESSED, [page(text)])
    numbers = [r for r in verdict.reasons if "company_number" in r.reason]
    assert verdict.verification == "verified"
    assert [(r.reason, r.weight) for r in numbers] == [
        ("company_number", 1.0),
        ("other_company_number", 0.0),
    ]


def test_redirect_to_a_platform_is_rejected() -> None:
    """A domain that forwards to a Facebook page has no site of its own."""
    landed = page(
        "<p>Smith &amp; Jones</p>", url="https://www.facebook.com/smithandjones"
    )
    verdict = verify(ORG, GUESSED, [landed])
    assert verdict.verification == "rejected"
    assert verdict.reasons[0].reason == "platform"


def test_jsonld_and_og_site_name_count_as_names() -> None:
    """The organisation's name in JSON-LD or og:site_name is read; a Person's is not."""
    html = (
        '<html><head><title>Home</title><meta property="og:site_name" content="S&amp;J">'
        '<script type="application/ld+json">{"@type": "Person", "name": "Smith and Jones"}</script>'
        '<script type="application/ld+json">{"@type": "LegalService", "name": "Smith &amp; Jones"}</script>'
        "</head><body></body></html>"
    )
    verdict = verify(ORG, UNRELATED, [Page("http://pinecrest.co.uk/", html)])
    [name] = [r for r in verdict.reasons if r.reason == "name"]
    assert "json-ld name" in name.detail


@pytest.mark.parametrize(
    ("shown", "similar"),
    [
        pytest.param("Smith & Jones", True, id="same"),
        pytest.param("Smith and Jones Ltd", True, id="legal-form"),
        pytest.param("Jones & Smith", True, id="word-order"),
        pytest.param("Smith & Jones | Solicitors in Leeds", True, id="contained"),
        pytest.param("Smith Plumbing", False, id="one-word-shared"),
        pytest.param("Jones Bakery", False, id="other"),
        pytest.param("", False, id="empty"),
    ],
)
def test_name_similarity(shown: str, similar: bool) -> None:
    """Names match across legal forms, spacing and order, not on one shared word."""
    assert (name_similarity("SMITH & JONES LIMITED", shown) >= 0.85) is similar


@pytest.mark.parametrize(
    ("host", "category"),
    [
        pytest.param("https://www.facebook.com/acme", "social", id="facebook"),
        pytest.param("m.facebook.com", "social", id="facebook-mobile"),
        pytest.param("acme.wixsite.com", "site_builder", id="wixsite"),
        pytest.param("acme.business.site", "site_builder", id="business-site"),
        pytest.param("acme.godaddysites.com", "site_builder", id="godaddysites"),
        pytest.param("acme.github.io", "site_builder", id="github-pages"),
        pytest.param(
            "find-and-update.company-information.service.gov.uk",
            "directory",
            id="companies-house",
        ),
        pytest.param("www.yell.com", "directory", id="yell"),
        pytest.param("endole.co.uk", "directory", id="endole"),
        pytest.param("www.etsy.com/shop/acme", "marketplace", id="etsy"),
        pytest.param("www.amazon.co.uk", "marketplace", id="amazon"),
        pytest.param("linktr.ee/acme", "link_in_bio", id="linktree"),
        pytest.param("acme@gmail.com", "mail", id="gmail"),
        pytest.param("acme.co.uk", None, id="own-site"),
        pytest.param("notfacebook.com", None, id="lookalike"),
    ],
)
def test_platforms(host: str, category: str | None) -> None:
    """Platforms are caught by their domain or any parent of it; look-alikes are not."""
    assert platforms.platform_of(host) == category


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        pytest.param("www.shop.example.co.uk", "example.co.uk", id="co-uk"),
        pytest.param("https://Example.COM:8080/x", "example.com", id="url-port-case"),
        pytest.param("acme.github.io", "github.io", id="private-suffix-ignored"),
        pytest.param("192.168.1.10", None, id="ip"),
        pytest.param("co.uk", None, id="bare-suffix"),
    ],
)
def test_registrable_domain(host: str, domain: str | None) -> None:
    """The bundled public suffix list gives the registrable domain, offline."""
    assert platforms.registrable_domain(host) == domain


def test_evidence_links_prefer_legal_pages_on_the_same_site() -> None:
    """Legal pages come first, then contact; other sites and files are skipped."""
    home = Page(
        "https://www.acme.co.uk/",
        '<a href="/about-us">About</a><a href="/services">Services</a>'
        '<a href="https://acme.co.uk/contact">Contact</a>'
        '<a href="/privacy-policy">Privacy</a><a href="/terms.pdf">Terms</a>'
        '<a href="https://other.co.uk/terms">Their terms</a>',
    )
    assert evidence_links(home) == [
        ("legal", "https://www.acme.co.uk/privacy-policy"),
        ("contact", "https://acme.co.uk/contact"),
    ]
    assert len(evidence_links(home, limit=3)) == 3
