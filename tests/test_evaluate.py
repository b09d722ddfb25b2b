"""The evaluation: label parsing, scoring, the CLI, and the figures on the shared sets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.cli import app
from crawler.evaluate import (
    LabelsError,
    evaluate,
    load_items,
    numbers_in,
    phones_in,
    socials_in,
)
from tests.conftest import shared_data

PAGE_HEADER = [
    "file",
    "site",
    "is_digital_tech_business",
    "emails_visible",
    "emails_hidden_only",
    "phones",
    "social_and_profile_links",
    "companies_house_number_on_page",
]


def write_pages_set(root: Path, rows: list[dict[str, str]], pages: dict) -> Path:
    """A labels.csv in the per-page format with its html/ folder."""
    (root / "html").mkdir()
    for name, html in pages.items():
        (root / "html" / name).write_text(html, encoding="utf-8")
    labels = root / "labels.csv"
    with labels.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=PAGE_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in PAGE_HEADER})
    return labels


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    """Two labelled pages: one fully right, one with a miss and a false find."""
    return write_pages_set(
        tmp_path,
        [
            {
                "file": "html/a.html",
                "site": "acme.co.uk",
                "emails_visible": "info@acme.co.uk (mailto)",
                "phones": "0113 243 8610 (+441132438610)",
                "social_and_profile_links": "https://twitter.com/acme",
                "companies_house_number_on_page": "01234567",
            },
            {
                "file": "html/b.html",
                "site": "bolt.co.uk",
                "emails_visible": "sales@bolt.co.uk",
                "emails_hidden_only": "ops@bolt.co.uk (JSON-LD only)",
            },
        ],
        {
            "a.html": "<p><a href='mailto:info@acme.co.uk'>Mail</a> 0113 243 8610"
            " <a href='https://twitter.com/acme'>X</a> Company No. 01234567</p>",
            "b.html": "<p>jobs@bolt.co.uk</p><script type='application/ld+json'>"
            '{"@type": "Organization", "email": "ops@bolt.co.uk"}</script>',
        },
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("+44 7568 296136 (+447568296136)", {"+447568296136"}, id="twice"),
        pytest.param("(none usable; JS stubs only)", set(), id="none"),
        pytest.param(
            "086 3722601 (JSON-LD only; Irish mobile +353863722601)",
            {"+353863722601"},
            id="foreign-in-brackets",
        ),
        pytest.param(
            "07449 303889; 07888 868590", {"+447449303889", "+447888868590"}, id="two"
        ),
    ],
)
def test_phones_in_label_cells(cell: str, expected: set[str]) -> None:
    """Phone cells give their E.164 numbers, notes and repeats ignored."""
    assert phones_in(cell) == expected


def test_socials_and_numbers_in_label_cells() -> None:
    """Social cells give canonical profile URLs; number cells normalised numbers."""
    assert socials_in(
        "https://wa.me/447568296136 (WhatsApp); website http://www.example.org"
    ) == {"https://wa.me/447568296136"}
    assert numbers_in('16378107 (shown as "Business Number")') == {"16378107"}
    assert numbers_in("SC811790") == {"SC811790"}


def test_scores_count_hits_misses_and_optional(small_set: Path) -> None:
    """Every (item, value) is one decision; hidden-only addresses count neither way."""
    report = evaluate(small_set)

    email = report.scores["email"]
    assert (email.tp, email.fp, email.fn) == (1, 1, 1)
    assert report.exact["email"] == (1, 2)
    assert {(e.item, e.outcome, e.value) for e in report.errors} == {
        ("html/b.html", "false_positive", "jobs@bolt.co.uk"),
        ("html/b.html", "false_negative", "sales@bolt.co.uk"),
    }
    for kind in ("phone", "social", "company_number"):
        assert report.scores[kind].precision == report.scores[kind].recall == 1.0


def test_is_digital_scored_with_an_analyser(small_set: Path) -> None:
    """With an analyser, is_digital is scored; borderline and abstain count as no."""
    rows = list(csv.DictReader(small_set.open()))
    rows[0]["is_digital_tech_business"] = "yes"
    rows[1]["is_digital_tech_business"] = "borderline"
    with small_set.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PAGE_HEADER)
        writer.writeheader()
        writer.writerows(rows)

    def says_yes_to_acme(pages):
        return {"is_digital": True if "acme" in pages[0].url else None}

    report = evaluate(small_set, analyse=says_yes_to_acme)
    assert (report.is_digital.tp, report.is_digital.fp, report.is_digital.fn) == (
        1,
        0,
        0,
    )
    assert report.is_digital_abstained == 1


def test_sites_format_reads_folders(tmp_path: Path) -> None:
    """Per-site labels read every page under sites/<domain>/ with its own URL."""
    folder = tmp_path / "sites" / "acme.co.uk" / "about"
    folder.mkdir(parents=True)
    (folder.parent / "index.html").write_text("<p>hello@acme.co.uk</p>")
    (folder / "index.html").write_text("<p>Leeds LS1 5HN</p>")
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "domain,is_digital,emails,phones,socials,company_number,postcode\n"
        "acme.co.uk,yes,hello@acme.co.uk,,,,LS1 5HN\n"
    )

    fmt, (item,) = load_items(labels)
    assert fmt == "sites"
    assert [p.url for p in item.pages] == [
        "https://acme.co.uk/about/index.html",
        "https://acme.co.uk/index.html",
    ]
    report = evaluate(labels)
    assert report.scores["postcode"].tp == report.scores["email"].tp == 1


def test_sites_format_json_ld_only_is_optional(tmp_path: Path) -> None:
    """On per-site labels (visible contacts only) an address or profile found only
    in JSON-LD counts neither way; one also shown on another page is scored."""
    folder = tmp_path / "sites" / "acme.co.uk"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(
        "<p>hello@acme.co.uk</p><script type='application/ld+json'>"
        '{"@type": "Organization", "email": "care@acme.co.uk", "sameAs":'
        ' ["https://www.linkedin.com/company/acme", "https://x.com/acme"]}</script>'
    )
    (folder / "about.html").write_text('<a href="https://x.com/acme">X</a>')
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "domain,is_digital,emails,phones,socials\nacme.co.uk,yes,hello@acme.co.uk,,\n"
    )

    report = evaluate(labels)
    email, social = report.scores["email"], report.scores["social"]
    assert (email.tp, email.fp, email.fn) == (1, 0, 0)
    assert (social.tp, social.fp, social.fn) == (0, 1, 0)
    assert [e.value for e in report.errors] == ["https://x.com/acme"]


def test_unknown_columns_named_in_error(tmp_path: Path) -> None:
    """A CSV in neither format fails with the file and the columns it has."""
    labels = tmp_path / "labels.csv"
    labels.write_text("name,score\nx,1\n")
    with pytest.raises(LabelsError, match=r"labels\.csv: columns \['name', 'score'\]"):
        load_items(labels)


def test_missing_site_folder_named_in_error(tmp_path: Path) -> None:
    """A labelled domain without its folder fails naming the line and the folder."""
    labels = tmp_path / "labels.csv"
    labels.write_text("domain,is_digital,emails,phones,socials\nnowhere.uk,no,,,\n")
    with pytest.raises(LabelsError, match=r"line 2: no folder .*nowhere\.uk"):
        load_items(labels)


def test_cli_prints_scores_and_mistakes(small_set: Path) -> None:
    """`datacity evaluate` prints the table and each mistake; --json one object."""
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", "--labels", str(small_set)])
    assert result.exit_code == 0, result.output
    assert "company_number" in result.output
    assert "false positive: html/b.html email jobs@bolt.co.uk" in result.output

    result = runner.invoke(app, ["evaluate", "--labels", str(small_set), "--json"])
    data = json.loads(result.output)
    assert data["scores"]["email"]["fp"] == 1
    assert data["format"] == "pages"


def test_cli_bad_labels_exit_2(tmp_path: Path) -> None:
    """A labels file that cannot be read exits 2 with one clear line."""
    result = CliRunner().invoke(
        app, ["evaluate", "--labels", str(tmp_path / "absent.csv")]
    )
    assert result.exit_code == 2
    assert "cannot read labels file" in result.output


# Figures on the shared hand-labelled sets (measured 2026-12; see README). Each
# floor sits at the project's target where the rules meet it, and otherwise at the
# measured figure: the remaining gap is listed in the report as label disagreements
# (addresses printed on the page but missing from the labels) and known errors.


def test_shared_pages_set_meets_targets() -> None:
    """On the per-page set every contact kind meets its target but email precision."""
    report = evaluate(shared_data("company_web_pages", "labels.csv"))
    scores = report.scores
    assert scores["email"].recall >= 0.95
    assert scores["email"].precision >= 0.93  # target 0.97; fairkom prints support@
    assert scores["phone"].precision >= 0.95 and scores["phone"].recall >= 0.90
    assert scores["social"].precision >= 0.95 and scores["social"].recall >= 0.90
    assert report.exact["company_number"] == (report.items, report.items)


def test_shared_sites_set_meets_targets() -> None:
    """On the per-site set every contact kind meets its precision and recall target."""
    report = evaluate(shared_data("websites", "labels.csv"))
    scores = report.scores
    assert scores["email"].recall >= 0.95
    assert scores["email"].precision >= 0.97
    assert scores["phone"].recall >= 0.90
    assert scores["phone"].precision >= 0.95
    assert scores["social"].recall >= 0.90
    assert scores["social"].precision >= 0.95
    assert report.exact["company_number"] == (report.items, report.items)
    assert scores["postcode"].recall >= 0.9
