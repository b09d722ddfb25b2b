"""Postcodes, SIC codes and filters: the small parts every seed reader shares."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.seeds import Filters, sic
from crawler.seeds.postcodes import area_of, find_postcode, normalise_postcode
from crawler.seeds.records import RowError, company_number, status_slug, uk_date

# The DCMS digital sector as DOMAIN.md lists it, typed out independently of the data file.
DCMS = [
    "26.11",
    "26.12",
    "26.20",
    "26.30",
    "26.40",
    "26.80",
    "46.51",
    "46.52",
    "58.11",
    "58.12",
    "58.13",
    "58.14",
    "58.19",
    "58.21",
    "58.29",
    "59.11",
    "59.12",
    "59.13",
    "59.14",
    "59.20",
    "60.10",
    "60.20",
    "61.10",
    "61.20",
    "61.30",
    "61.90",
    "62.01",
    "62.02",
    "62.03",
    "62.09",
    "63.11",
    "63.12",
    "63.91",
    "63.99",
    "95.11",
    "95.12",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LS1 4AP", "LS1 4AP"),
        ("ls14ap", "LS1 4AP"),
        ("  LS1   4AP ", "LS1 4AP"),
        ("EC1V 9AV", "EC1V 9AV"),
        ("LS1", None),
        ("", None),
        ("NOT A POSTCODE", None),
    ],
)
def test_normalise_postcode(raw: str, expected: str | None) -> None:
    """Postcodes come out in capitals with one space before the inward code."""
    assert normalise_postcode(raw) == expected


def test_area_is_letters_only() -> None:
    """L1 is in the L area (Liverpool), LS1 in LS: the digits end the area."""
    assert (area_of("L1 8JQ"), area_of("LS1 4AP"), area_of("ls28")) == ("L", "LS", "LS")


def test_find_postcode_in_one_string_address() -> None:
    """The search export's one-string address yields its postcode."""
    text = "44-60 Richardshaw Lane Stanningley Pudsey LS28 7UR England"

    assert find_postcode(text) == "LS28 7UR"
    assert find_postcode("No postcode here, England") is None


def test_dcms_list_is_the_36_classes() -> None:
    """The shipped DCMS list holds exactly the 36 classes of the definition."""
    assert sic.digital_classes() == {c.replace(".", "") for c in DCMS}


@pytest.mark.parametrize(
    ("code", "digital"),
    [
        ("62012", True),
        ("62020", True),
        ("58190", True),
        ("26110", True),
        ("95120", True),
        ("70229", False),
        ("99999", False),
        ("74990", False),
        ("62900", False),
    ],
)
def test_is_digital(code: str, digital: bool) -> None:
    """A five-digit code is digital when its four-digit class is in the DCMS list."""
    assert sic.is_digital(code) is digital


def test_sic_cells_and_descriptions() -> None:
    """Bulk SIC cells give their five-digit code; the list gives the description."""
    assert sic.code_of("62012 - Business and domestic software development") == "62012"
    assert sic.code_of("None Supplied") is None
    assert sic.code_of("7499 - Non-trading company") is None
    assert sic.describe("62012") == "Business and domestic software development"
    assert len(sic.descriptions()) == 731


def test_class_notation() -> None:
    """OpenCorporates' dotted notation maps to Companies House five-digit codes."""
    assert sic.from_class_notation("62.01/2") == "62012"
    assert sic.from_class_notation("62.09") == "62090"
    assert sic.from_class_notation("62.01") is None


def test_signal_rows_only_for_digital_codes() -> None:
    """A signal is made for each DCMS code, with the code and its text as evidence."""
    rows = sic.signal_rows(7, ["62012", "99999", "70229"], "companies-house:00000001")

    assert [(r["value"], r["weight"], r["kind"]) for r in rows] == [
        ("62012", 1.0, "sic")
    ]
    assert rows[0]["snippet"] == "62012 - Business and domestic software development"


def test_records_helpers() -> None:
    """Dates, numbers and statuses are parsed strictly, with a reason when wrong."""
    assert uk_date("29/06/2011") == dt.date(2011, 6, 29)
    assert uk_date("") is None
    assert company_number("8209948") == "08209948"
    assert company_number("IP10067R") == "IP10067R"
    assert status_slug("Active - Proposal to Strike off") == (
        "active-proposal-to-strike-off"
    )
    with pytest.raises(RowError, match="bad date"):
        uk_date("31/02/2011")
    with pytest.raises(RowError, match="bad company number"):
        company_number("12-34-X")


def test_status_filter() -> None:
    """Active by default, proposals to strike off included; 'any' keeps all."""
    active = Filters.parse()

    assert active.status_ok("active")
    assert active.status_ok("active-proposal-to-strike-off")
    assert not active.status_ok("dissolved")
    assert Filters.parse(status="any").status_ok("dissolved")
    assert Filters.parse(status="dissolved,liquidation").status_ok("liquidation")


def test_place_filters() -> None:
    """Area, district and town filters take raw postcodes and towns in any case."""
    area = Filters.parse(postcode_area="ls")
    district = Filters.parse(postcode_district=["LS1, LS2"])
    town = Filters.parse(post_town="Leeds")

    assert area.place_ok("ls1 4ap", None)
    assert not area.place_ok("L1 8JQ", None)
    assert district.place_ok("LS2 9JT", None)
    assert not district.place_ok("LS11 5QP", None)
    assert town.place_ok(None, "LEEDS")
    assert town.place_ok(None, None, "9 Sunset Mount Leeds LS6 4LL England")
    assert not town.place_ok(None, None, "Leedstown Road, Hayle TR27 6BL")


def test_detail_filters() -> None:
    """SIC prefixes and the incorporation date need the parsed row."""
    chosen = Filters.parse(sic="62,63.11", incorporated_since="2020-01-01")

    assert chosen.details_ok(
        {"sic_codes": ["63110"], "incorporated_on": dt.date(2021, 5, 1)}
    )
    assert not chosen.details_ok(
        {"sic_codes": ["70229"], "incorporated_on": dt.date(2021, 5, 1)}
    )
    assert not chosen.details_ok(
        {"sic_codes": ["62012"], "incorporated_on": dt.date(2019, 5, 1)}
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"postcode_area": "L5"}, "--postcode-area"),
        ({"postcode_district": "LEEDS"}, "--postcode-district"),
        ({"sic": "software"}, "--sic"),
        ({"incorporated_since": "01/01/2020"}, "--incorporated-since"),
    ],
)
def test_bad_filter_values_are_named(options: dict, message: str) -> None:
    """A filter value that cannot be right names its option."""
    with pytest.raises(ValueError, match=message):
        Filters.parse(**options)
