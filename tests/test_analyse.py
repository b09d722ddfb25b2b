"""analyse_site and `datacity analyse` on saved pages and folders."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crawler.analyse import analyse_site
from crawler.cli import app
from crawler.extract.page import Page
from tests.conftest import shared_data

runner = CliRunner()

JSON_KEYS = {
    "is_digital",
    "digital_score",
    "sectors",
    "emails",
    "phones",
    "socials",
    "company_numbers",
    "postcodes",
    "technologies",
    "evidence",
}

AGENCY = """<html><head><title>Pixel Forge — web design and development</title>
<meta name="generator" content="WordPress 6.4"></head><body>
<h1>Web design and web development for Yorkshire businesses</h1>
<p>We are a web design agency building bespoke websites, ecommerce development and
mobile apps. Call 0113 243 8765 or email hello@pixelforge.co.uk.</p>
<footer>Pixel Forge Ltd, Registered in England and Wales No. 01234567,
1 Park Row, Leeds LS1 5AB.</footer></body></html>"""


def test_analyse_site_reports_verdict_evidence_and_contacts() -> None:
    """A web agency's page gives is_digital, evidence with weights and E.164 phones."""
    verdict = analyse_site([Page("https://pixelforge.co.uk/", AGENCY)]).to_json()
    assert set(verdict) >= JSON_KEYS
    assert verdict["is_digital"] is True
    assert "Web design and development" in verdict["sectors"]
    assert verdict["phones"] == ["+441132438765"]
    assert verdict["emails"] == ["hello@pixelforge.co.uk"]
    assert verdict["company_numbers"] == ["01234567"]
    assert verdict["postcodes"] == ["LS1 5AB"]
    assert "WordPress" in verdict["technologies"]
    top = verdict["evidence"][0]
    assert set(top) == {"kind", "value", "weight", "url", "snippet"}
    assert top["url"] == "https://pixelforge.co.uk/"


def test_an_empty_shell_abstains() -> None:
    """A JavaScript shell with no text gets is_digital null, not a guess."""
    shell = (
        '<html><body><div id="root"></div><script src="/app.js"></script></body></html>'
    )
    verdict = analyse_site([Page("https://x.co.uk/", shell)]).to_json()
    assert verdict["is_digital"] is None
    assert verdict["digital_score"] is None


def test_cli_json_on_a_file(tmp_path: Path) -> None:
    """`datacity analyse FILE --url URL --json` prints one JSON object with the keys."""
    page = tmp_path / "index.html"
    page.write_text(AGENCY, encoding="utf-8")
    result = runner.invoke(
        app, ["analyse", str(page), "--url", "https://pixelforge.co.uk/", "--json"]
    )
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert set(verdict) >= JSON_KEYS
    assert verdict["evidence"][0]["url"] == "https://pixelforge.co.uk/"


def test_cli_human_output_on_a_saved_site() -> None:
    """On a folder of a real bakery site the human output says no and shows why."""
    site = shared_data("websites", "sites", "villagebakeryandcafe.co.uk")
    result = runner.invoke(app, ["analyse", str(site)])
    assert result.exit_code == 0, result.output
    assert "Digital: no" in result.stdout
    assert "bakery" in result.stdout


def test_cli_json_on_a_saved_digital_site() -> None:
    """A real software consultancy's folder is judged digital, URLs under its domain."""
    site = shared_data("websites", "sites", "smartcodeltd.co.uk")
    result = runner.invoke(app, ["analyse", str(site), "--json"])
    verdict = json.loads(result.stdout)
    assert verdict["is_digital"] is True
    assert verdict["pages"] > 1
    assert all(
        e["url"].startswith("https://smartcodeltd.co.uk/") for e in verdict["evidence"]
    )


def test_cli_errors_name_the_path(tmp_path: Path) -> None:
    """A missing path or a folder without HTML fails with exit 2 and names the path."""
    missing = runner.invoke(app, ["analyse", str(tmp_path / "nope.html")])
    assert missing.exit_code == 2
    assert "nope.html" in missing.stderr

    empty = runner.invoke(app, ["analyse", str(tmp_path)])
    assert empty.exit_code == 2
    assert "holds no .html" in empty.stderr
