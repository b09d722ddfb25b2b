"""Tech signals from the keyword taxonomy: producers, user context, careers, code, schema."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crawler.extract.page import Page
from crawler.extract.signals import (
    TAXONOMY,
    extract_signals,
    load_taxonomy,
    normalise,
    taxonomy,
)
from tests.conftest import shared_data


def signals_of(
    html: str, url: str = "https://acme.co.uk/"
) -> dict[tuple[str, str], float]:
    page = Page(url, f"<html><body>{html}</body></html>")
    return {(s.kind, s.value): s.weight for s in extract_signals(page)}


def test_producer_phrases_give_keyword_and_sector_signals() -> None:
    """A software house's own words give keyword signals and a sector total."""
    found = signals_of(
        "<h1>Bespoke software development</h1><p>We build mobile apps and web applications.</p>"
    )
    assert found["keyword", "bespoke software"] == 1.0
    assert found["keyword", "mobile apps"] == 1.0
    assert found["sector", "Software development"] >= 2.0
    assert ("sector", "App development") in found


def test_snippet_shows_the_phrase_in_its_context() -> None:
    """Each keyword signal carries the page URL and the words around the phrase."""
    page = Page(
        "https://acme.co.uk/services",
        "<p>Since 2009 we have offered penetration testing to banks in Leeds.</p>",
    )
    (signal,) = [s for s in extract_signals(page) if s.value == "penetration testing"]
    assert signal.url == "https://acme.co.uk/services"
    assert "offered penetration testing to banks" in signal.snippet


def test_user_context_does_not_make_a_bakery_digital() -> None:
    """Taking payments online, Shopify and a designer's credit are not producer evidence."""
    found = signals_of(
        "<h1>The Village Bakery</h1><p>Fresh bread and cakes daily. Order online, "
        "book online, we take payments online.</p>"
        "<footer><p>Website design by Pixel Web Design Ltd</p>"
        "<p>Powered by Shopify</p></footer>"
    )
    producers = {v for (k, v), w in found.items() if k == "keyword" and w > 0}
    assert producers == set()
    assert found["keyword", "bakery"] < 0
    assert not any(k == "sector" for k, _ in found)


def test_whole_words_only() -> None:
    """A phrase must stand as whole words: "designed" is not "design", "saas" not in "saasy"."""
    found = signals_of("<p>Our website designed with care; a saasy cafe.</p>")
    assert ("keyword", "website design") not in found
    assert ("keyword", "saas") not in found


def test_technical_roles_count_only_on_a_careers_page() -> None:
    """A role named on a careers page is a careers signal; elsewhere it is not."""
    html = "<h2>Open roles</h2><ul><li>Senior DevOps Engineer</li><li>Data Scientist</li></ul>"
    on_careers = signals_of(html, "https://acme.co.uk/careers/")
    assert on_careers["careers", "devops engineer"] == 1.5
    assert ("careers", "data scientist") in on_careers
    assert not any(
        k == "careers" for k, _ in signals_of(html, "https://acme.co.uk/team")
    )


def test_code_hosting_links_name_the_owner() -> None:
    """Links to the firm's GitHub or GitLab give its owner URL; host pages do not count."""
    found = signals_of(
        '<a href="https://github.com/AcmeCode/widget/issues">issues</a>'
        '<a href="https://gitlab.com/acme-ops">GitLab</a>'
        '<a href="https://github.com/features/actions">Actions</a>'
        '<a href="https://github.com/">GitHub</a>'
    )
    hosting = {v for k, v in found if k == "code_hosting"}
    assert hosting == {"https://github.com/acmecode", "https://gitlab.com/acme-ops"}


def test_schema_org_types_weigh_for_software_and_against_trades() -> None:
    """A SoftwareApplication is producer evidence; an Electrician is counter-evidence."""
    found = signals_of(
        '<script type="application/ld+json">{"@graph": ['
        '{"@type": "SoftwareApplication", "name": "Ledgerly"},'
        '{"@type": "Electrician", "name": "Sparks Ltd"},'
        '{"@type": "Organization", "name": "Acme"}]}</script>'
    )
    assert found["schema_org", "SoftwareApplication"] > 0
    assert found["schema_org", "Electrician"] < 0
    assert found["schema_org", "Organization"] == 0.0


def test_weak_phrases_count_for_less() -> None:
    """A programming language alone weighs less than a producer phrase."""
    found = signals_of("<p>Children learn Python at our Saturday club.</p>")
    assert 0 < found["keyword", "python"] < 1.0


def test_normalise_keeps_positions() -> None:
    """Normalised text has the same length, so offsets point into the original."""
    text = "İstanbul: Web-Design & SaaS!"
    assert len(normalise(text)) == len(text)
    assert "web design" in normalise(text)


def test_taxonomy_phrases_have_one_meaning_per_role() -> None:
    """No phrase is listed twice in one role, nor as both producer and other sector."""
    data = tomllib.loads(TAXONOMY.read_text("utf-8"))
    producer = [
        normalise(p).strip()
        for s in data["sectors"].values()
        for p in s["phrases"] + s.get("weak", [])
    ]
    other = [normalise(p).strip() for p in data["other"]["phrases"]]
    assert len(producer) == len(set(producer))
    assert not set(producer) & set(other)
    assert taxonomy().version == data["version"]


def test_a_broken_taxonomy_file_is_named_in_the_error(tmp_path: Path) -> None:
    """A malformed taxonomy raises ValueError naming the file."""
    broken = tmp_path / "taxonomy.toml"
    broken.write_text('version = "1"\n[sectors.x]\nlabel = \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"taxonomy\.toml"):
        load_taxonomy(broken)


def test_saved_pages_producer_and_user() -> None:
    """On real saved pages a web agency has producer phrases and a tax firm has none."""
    pages = shared_data("company_web_pages", "html")
    agency = Page(
        "https://fendigital.co.uk/",
        (pages / "fen-digital__home.html").read_text("utf-8"),
    )
    accountant = Page(
        "https://directtaxsolutions.co.uk/",
        (pages / "direct-tax-solutions__home.html").read_text("utf-8"),
    )
    assert any(s.kind == "keyword" and s.weight > 0 for s in extract_signals(agency))
    assert not any(
        s.kind == "keyword" and s.weight > 0 for s in extract_signals(accountant)
    )
