"""Technologies from the MIT Wappalyzer fingerprints: headers, HTML, meta, scripts, cookies."""

from __future__ import annotations

from crawler.extract.page import Page
from crawler.extract.signals import extract_signals
from crawler.extract.technologies import (
    FINGERPRINTS,
    NOT_EVALUATED_KINDS,
    _required_literals,
    detect_technologies,
    fingerprints,
)
from tests.conftest import shared_data


def names(page: Page) -> set[str]:
    return {tech.name for tech in detect_technologies(page)}


def test_meta_generator_gives_the_technology_and_its_version() -> None:
    """<meta name=generator content="WordPress 6.4"> is WordPress 6.4, implying PHP."""
    page = Page(
        "https://a.co.uk/",
        '<html><head><meta name="generator" content="WordPress 6.4.2"></head></html>',
    )
    found = {t.name: t for t in detect_technologies(page)}
    assert found["WordPress"].version == "6.4.2"
    assert "PHP" in found
    assert found["PHP"].evidence == "implied by WordPress"


def test_script_sources_headers_and_cookies() -> None:
    """Script URLs, response headers and Set-Cookie names each identify technologies."""
    page = Page(
        "https://a.co.uk/",
        '<html><head><script src="https://cdn.shopify.com/s/app.js"></script></head></html>',
        headers={"server": ["cloudflare"], "set-cookie": ["_ga_ABC123=1; Path=/"]},
    )
    assert {"Shopify", "Cloudflare", "Google Analytics"} <= names(page)


def test_html_patterns() -> None:
    """A pattern on the raw HTML matches, case-insensitively."""
    page = Page(
        "https://a.co.uk/",
        '<html><head><link rel="stylesheet" href="/wp-content/themes/x/style.css">'
        "</head></html>",
    )
    assert "WordPress" in names(page)


def test_a_plain_page_has_no_technologies() -> None:
    """Plain HTML with no fingerprint matches nothing."""
    assert (
        names(Page("https://a.co.uk/", "<html><body><p>Hello</p></body></html>"))
        == set()
    )


def test_technology_signals_weigh_nothing() -> None:
    """Using Shopify is evidence kept with weight 0: it does not make a shop digital."""
    page = Page(
        "https://a.co.uk/",
        '<script src="https://cdn.shopify.com/s/app.js"></script><p>Cakes</p>',
    )
    (shopify,) = [s for s in extract_signals(page) if s.value == "Shopify"]
    assert shopify.kind == "technology"
    assert shopify.weight == 0.0


def test_guard_literals_are_required_by_the_regex() -> None:
    """Guards come from required text only; optional text and markup never guard."""
    assert _required_literals(r"cdn\.shopify\.com") == ["cdn.shopify.com"]
    assert _required_literals(r"(?:foo-bar|baz-qux)\.js") in (
        ["foo-bar", "baz-qux"],
        [".js"],
    )
    assert _required_literals(r"<link[^>]+href=") is None
    assert _required_literals(r"(?:widgetry)?x") is None


def test_fingerprints_compile_and_kinds_not_evaluated_are_listed() -> None:
    """All 3,588 technologies load, no pattern fails to compile, and JS/DOM are named."""
    prints = fingerprints()
    assert len(prints.categories) == 3588
    assert prints.skipped == 0
    assert {"js", "dom", "dns"} <= set(NOT_EVALUATED_KINDS)
    assert (FINGERPRINTS / "LICENSE.MIT.txt").read_text().startswith("Copyright 2008")


def test_saved_site_technologies() -> None:
    """A saved real page built on Bootstrap and jQuery reports both."""
    page_file = shared_data("websites", "sites", "tlddesigns.co.uk", "index.html")
    page = Page("https://tlddesigns.co.uk/", page_file.read_text("utf-8"))
    found = names(page)
    assert found & {"Bootstrap", "jQuery", "Font Awesome"}
