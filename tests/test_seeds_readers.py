"""Seed readers on the real samples and on generated files: formats, filters, bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from crawler.seeds import Format, UnknownFormatError, plan
from crawler.seeds.badrows import LISTED
from tests.conftest import shared_data
from tests.test_seeds_support import (
    BULK_HEADER,
    bulk_csv,
    bulk_row,
    read_all,
    write_zip,
)

LS_POSTCODE = re.compile(r"\bLS\d[\dA-Z]?\s*\d[A-Z]{2}\b")


def by_key(records):
    return {r.organisation["key"]: r.organisation for r in records}


# Real samples


def test_bulk_sample_row_with_all_55_columns() -> None:
    """The real 55-column sample row becomes a complete organisation."""
    path = shared_data(
        "companies_house", "bulk_csv", "BasicCompanyData_header_and_sample_row.csv"
    )

    records, bad, _ = read_all([path])

    [org] = [r.organisation for r in records]
    assert bad.total == 0
    assert org["key"] == "gb:07687209"
    assert org["name"] == "!OBAC UK LIMITED"
    assert org["postcode"] == "RG26 5AT"
    assert org["post_town"] == "TADLEY"
    assert org["status"] == "active"
    assert org["company_type"] == "Private Limited Company"
    assert org["sic_codes"] == ["70229"]
    assert org["incorporated_on"] == dt.date(2011, 6, 29)
    assert org["previous_names"] == [
        {"name": "!OBAC FITTINGS LIMITED", "changed_on": "2011-07-15"}
    ]
    assert org["registered_address"].startswith("UNIT 9 BERRY COURT FARM")
    assert org["source"] == "companies_house_bulk"


def test_bulk_extract_filtered_to_leeds() -> None:
    """The 1000-row bulk extract keeps exactly its active rows with post town Leeds."""
    path = shared_data(
        "companies_house",
        "bulk_csv",
        "BasicCompanyData_first1000rows_14of55cols__companieshr.csv",
    )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = {
        r["CompanyNumber"]
        for r in rows
        if r["RegAddress.PostTown"].strip().upper() == "LEEDS"
        and r["CompanyStatus"].startswith("Active")
    }

    records, bad, tally = read_all([path], post_town="Leeds")

    assert tally.read == len(rows) == 1000
    assert {r.organisation["company_number"] for r in records} == expected
    assert bad.total == 0
    dormant = by_key(records)["gb:08209948"]
    assert (dormant["postcode"], dormant["sic_codes"]) == ("LS10 2RU", ["99999"])


def test_search_export_leeds_subset_count() -> None:
    """The Leeds subset imports every active row with an LS postcode, and no other."""
    path = shared_data("companies_house", "leeds_LS_subset_2024_01_advanced_search.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        expected = {
            row["company_number"]
            for row in csv.DictReader(handle)
            if row["company_status"] == "Active"
            and LS_POSTCODE.search(row["registered_office_address"].upper())
        }

    records, bad, _ = read_all([path], postcode_area="LS")

    assert bad.total == 0
    assert {r.organisation["company_number"] for r in records} == expected
    assert len(records) == len(expected) == 151
    klin = by_key(records)["gb:15379394"]
    assert klin["postcode"] == "LS28 7UR"
    assert klin["sic_codes"] == ["56101", "56102", "56103"]
    assert klin["incorporated_on"] == dt.date(2024, 1, 1)
    assert klin["source"] == "companies_house_search"


def test_search_export_all_parts_read_without_bad_rows() -> None:
    """The six national export parts read completely; active rows are all kept."""
    folder = shared_data("companies_house", "advanced_search_export")
    paths = sorted(folder.glob("*.csv"))
    active = 0
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            active += sum(
                1 for r in csv.DictReader(handle) if r["company_status"] == "Active"
            )

    records, bad, tally = read_all(paths)

    assert bad.total == 0
    assert tally.read == 16_305
    assert len(records) == active


def test_api_profiles_and_search_results() -> None:
    """Company profiles (plain and wrapped) and search results become organisations."""
    folder = shared_data("companies_house", "api_json")
    paths = [
        folder / "company_profile_02578066_ch-guide.json",
        folder / "herrbert74__company_candour.json",
        folder / "chgov_company-profile-api__00006400-getResponse.json",
        folder / "herrbert74__search_result_you.json",
    ]

    records, bad, _ = read_all(paths, status="any")

    orgs = by_key(records)
    assert bad.total == 0
    lawn = orgs["gb:02578066"]
    assert (lawn["name"], lawn["postcode"], lawn["post_town"]) == (
        "14 LAWN ROAD LIMITED",
        "NW3 2XS",
        "London",
    )
    assert lawn["incorporated_on"] == dt.date(1991, 1, 30)
    assert orgs["gb:08957400"]["previous_names"] == [
        {"name": "LONDON & KENT ESTATES LIMITED", "changed_on": "2020-04-20"}
    ]
    assert "gb:00006400" in orgs  # number taken from links.self
    hewitson = orgs["gb:11264610"]
    assert (hewitson["postcode"], hewitson["status"]) == ("LS28 5BG", "active")
    assert "sic_codes" not in hewitson  # search results do not know them
    assert len(records) == 3 + 15
    assert {r.organisation["source"] for r in records} == {"companies_house_api"}


def test_api_search_results_filtered() -> None:
    """Default filters drop the dissolved search result; an area filter keeps Pudsey."""
    path = shared_data(
        "companies_house", "api_json", "herrbert74__search_result_you.json"
    )

    active, _, _ = read_all([path])
    leeds, _, _ = read_all([path], postcode_area="LS")

    assert len(active) == 14
    assert [r.organisation["company_number"] for r in leeds] == ["11264610"]


def test_api_json_lines(tmp_path: Path) -> None:
    """JSON Lines of profiles and search responses read line by line; a bad line is named."""
    folder = shared_data("companies_house", "api_json")
    profile = json.loads(
        (folder / "company_profile_02578066_ch-guide.json").read_text()
    )
    search = json.loads((folder / "herrbert74__search_result_you.json").read_text())
    path = tmp_path / "companies.data"
    path.write_text(
        "\n".join([json.dumps(profile), "{not json", "", json.dumps(search)]) + "\n"
    )

    records, bad, _ = read_all([path])

    assert plan([path], "companies-house")[0].json_lines
    assert len(records) == 1 + 14
    assert records[0].where == "line 1"
    assert [(b.where, b.reason) for b in bad.listed] == [("line 2", "bad JSON")]


def test_officer_list_is_not_a_seed_format() -> None:
    """An officers response is Companies House JSON, but not a list of companies."""
    path = shared_data(
        "companies_house", "api_json", "herrbert74__officers_you_limited.json"
    )

    with pytest.raises(UnknownFormatError, match="officers_you_limited"):
        plan([path], "companies-house")


def test_opencorporates_search_sample() -> None:
    """The real OpenCorporates search response keys companies by jurisdiction."""
    path = shared_data(
        "opencorporates", "oc_api_v0.3.1_companies_search_sample__WhoControlsIt.json"
    )

    everything, _, _ = read_all([path], "opencorporates", status="any")
    active, _, _ = read_all([path], "opencorporates")

    assert sorted(by_key(everything)) == ["gb:07444723", "ie:295069"]
    assert [r.organisation["name"] for r in active] == ["CHRINON LTD"]
    assert active[0].evidence_url == "https://opencorporates.com/companies/gb/07444723"


def test_opencorporates_single_company_with_codes_and_website(tmp_path: Path) -> None:
    """A v0.4 company response gives SIC codes, the address and a registry website."""
    company = {
        "name": "AIRE CODE LTD",
        "company_number": "1234567",
        "jurisdiction_code": "gb",
        "current_status": "Active",
        "incorporation_date": "2019-03-04",
        "registered_address": {
            "street_address": "1 Wellington Street",
            "locality": "Leeds",
            "postal_code": "ls1 4ap",
            "country": "England",
        },
        "industry_codes": [
            {"industry_code": {"code": "62.01/2", "code_scheme_id": "uk_sic_2007"}},
            {"industry_code": {"code": "62.01", "code_scheme_id": "eu_nace_2"}},
        ],
        "previous_names": [{"company_name": "AIRE LTD", "end_date": "2020-01-01"}],
        "website": "www.airecode.co.uk",
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"api_version": "0.4", "results": {"company": company}}))

    [record], bad, _ = read_all([path], "opencorporates", postcode_area="LS")

    org = record.organisation
    assert bad.total == 0
    assert (org["key"], org["postcode"], org["sic_codes"]) == (
        "gb:01234567",
        "LS1 4AP",
        ["62012"],
    )
    assert org["previous_names"] == [{"name": "AIRE LTD", "changed_on": "2020-01-01"}]
    assert record.websites == ["https://www.airecode.co.uk"]


def test_plain_csv(tmp_path: Path) -> None:
    """A user's list: headers in any case, keyed by number or else by website domain."""
    path = tmp_path / "our-list.csv"
    path.write_text(
        "Organisation Name,WEBSITE,Company No,Post Code\n"
        "Aire Code,https://www.airecode.co.uk/about,1234567,ls1 4ap\n"
        "Kirkstall Games,kirkstallgames.com,,LS5 3BT\n"
        "Nobody,,,LS1 1AA\n"
        "Bad Number,x.co.uk,12-34,LS1 1AA\n"
        "Far Away,faraway.co.uk,,M1 1AE\n",
        encoding="utf-8",
    )

    records, bad, _ = read_all([path], "csv", postcode_area="LS")

    orgs = by_key(records)
    assert sorted(orgs) == ["domain:kirkstallgames.com", "gb:01234567"]
    assert orgs["domain:kirkstallgames.com"]["primary_domain"] == "kirkstallgames.com"
    assert "primary_domain" not in orgs["gb:01234567"]
    assert records[0].websites == ["https://www.airecode.co.uk/about"]
    assert orgs["gb:01234567"]["postcode"] == "LS1 4AP"
    assert sorted((b.where, b.reason) for b in bad.listed) == [
        ("line 4", "no company number or website"),
        ("line 5", "bad company number"),
    ]


# Generated files: bad rows, zips, formats


def test_bad_rows_are_counted_and_located(tmp_path: Path) -> None:
    """Each kind of bad row is skipped with its line number; good rows around it stay."""
    good = bulk_csv([bulk_row("00000001")]).encode()
    lines = [
        good.rstrip(b"\r\n"),
        b'"SHORT LTD","00000002","","","1 A ROAD"',
        bulk_csv([bulk_row("00000003", IncorporationDate="31/02/2015")])
        .encode()
        .split(b"\r\n")[1],
        bulk_csv([bulk_row("NOT-A-NUMBER")]).encode().split(b"\r\n")[1],
        bulk_csv([bulk_row("00000005", CompanyName="CAF\udcff LTD")])
        .encode("utf-8", "surrogateescape")
        .split(b"\r\n")[1],
        bulk_csv([bulk_row("00000006", CompanyName="NUL\x00 LTD")])
        .encode()
        .split(b"\r\n")[1],
        b'"BROKEN "QUOTE" LTD","00000007"' + b',""' * 53,
        bulk_csv([bulk_row("00000008")]).encode().split(b"\r\n")[1],
    ]
    path = tmp_path / "bulk.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")

    records, bad, tally = read_all([path])

    assert [r.organisation["company_number"] for r in records] == [
        "00000001",
        "00000008",
    ]
    assert [(b.where, b.reason) for b in bad.listed] == [
        ("line 3", "wrong column count"),
        ("line 4", "bad date"),
        ("line 5", "bad company number"),
        ("line 6", "invalid UTF-8"),
        ("line 7", "NUL byte"),
        ("line 8", "broken quoting"),
    ]
    assert tally.read == 8


def test_unterminated_quote_is_broken_quoting(tmp_path: Path) -> None:
    """A quote left open runs a record on over lines; it is reported, not fatal."""
    first = bulk_csv([bulk_row("00000001")])
    path = tmp_path / "bulk.csv"
    path.write_text(first + '"OPEN QUOTE LTD,"00000002"\r\n', encoding="utf-8")

    records, bad, _ = read_all([path])

    assert len(records) == 1
    assert bad.counts == {"broken quoting": 1}
    assert bad.listed[0].where.startswith("line 3")


def test_only_first_bad_rows_are_listed(tmp_path: Path) -> None:
    """Past the first twenty, bad rows are counted, not listed."""
    rows = [bulk_row(f"{n:08d}", IncorporationDate="99/99/9999") for n in range(1, 31)]
    path = tmp_path / "bulk.csv"
    path.write_text(bulk_csv(rows), encoding="utf-8")

    _, bad, _ = read_all([path])

    assert (bad.total, len(bad.listed), bad.unlisted) == (30, LISTED, 10)
    assert bad.listed[0].where == "line 2"


def test_zip_and_multi_part_zips(tmp_path: Path) -> None:
    """One zip, and the product's part zips each with its own header, read as CSV."""
    rows = [bulk_row(f"{n:08d}") for n in range(1, 10)]
    single = write_zip(tmp_path / "all.zip", {"BasicCompanyData.csv": bulk_csv(rows)})
    parts = [
        write_zip(
            tmp_path / f"part{i}.zip",
            {f"BasicCompanyData-part{i}_3.csv": bulk_csv(rows[3 * i : 3 * i + 3])},
        )
        for i in range(3)
    ]

    from_one, _, _ = read_all([single])
    from_parts, _, tally = read_all(parts)

    assert [s.format for s in plan(parts, "companies-house")] == [Format.BULK] * 3
    assert len(from_one) == len(from_parts) == tally.read == 9
    assert from_parts[3].where == "line 2"


def test_format_comes_from_content_not_name(tmp_path: Path) -> None:
    """A bulk CSV named .json is read as CSV; JSON named .csv as JSON."""
    csv_named_json = tmp_path / "data.json"
    csv_named_json.write_text(bulk_csv([bulk_row("00000001")]), encoding="utf-8")
    json_named_csv = tmp_path / "data.csv"
    json_named_csv.write_text(json.dumps({"company_number": "1", "company_name": "A"}))

    formats = [
        s.format for s in plan([csv_named_json, json_named_csv], "companies-house")
    ]

    assert formats == [Format.BULK, Format.CH_API]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a known seed format"),
        (b"colour,size\nred,big\n", "not a known seed format"),
        (b'{"weather": "rain"}', "neither a Companies House nor an OpenCorporates"),
        (b"", "not a known seed format"),
    ],
)
def test_unknown_format_names_file_and_expectation(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    """A file in no known format fails before anything is read, naming the file."""
    path = tmp_path / "mystery.bin"
    path.write_bytes(content)

    with pytest.raises(UnknownFormatError) as raised:
        plan([path], "companies-house")

    message = str(raised.value)
    assert str(path) in message
    assert expected in message
    assert "expects Companies House BasicCompanyData CSV" in message


def test_unknown_member_of_a_zip_is_named(tmp_path: Path) -> None:
    """A zip holding something else names the member."""
    path = write_zip(tmp_path / "x.zip", {"readme.txt": "hello"})

    with pytest.raises(UnknownFormatError, match=r"x\.zip:readme\.txt"):
        plan([path], "companies-house")


def test_other_commands_format_is_redirected(tmp_path: Path) -> None:
    """A plain list given to the Companies House command points to `seed csv`."""
    path = tmp_path / "list.csv"
    path.write_text("name,website\nA,a.co.uk\n")

    with pytest.raises(UnknownFormatError, match="datacity seed csv"):
        plan([path], "companies-house")


def test_header_with_fewer_columns_is_read_by_name(tmp_path: Path) -> None:
    """Columns are found by their stripped names, in any order."""
    header = [" CompanyNumber", "CompanyName", "CompanyStatus", "RegAddress.PostCode"]
    path = tmp_path / "few.csv"
    path.write_text(bulk_csv([["00000042", "FEW LTD", "Active", "LS2 7HY"]], header))

    [record], _, _ = read_all([path], postcode_district="LS2")

    assert record.organisation["name"] == "FEW LTD"
    assert record.organisation["postcode"] == "LS2 7HY"
    assert BULK_HEADER[1] == " CompanyNumber"


def test_json_item_with_nul_is_skipped(tmp_path: Path) -> None:
    """A JSON company whose name holds NUL is a bad row; the others are read."""
    items = [
        {"company_number": "00000001", "company_name": "GOOD LTD"},
        {"company_number": "00000002", "company_name": "NUL\u0000 LTD"},
    ]
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(items, indent=2))

    records, bad, _ = read_all([path])

    assert [r.organisation["name"] for r in records] == ["GOOD LTD"]
    assert [(b.where, b.reason) for b in bad.listed] == [("item 2", "NUL byte")]


def test_area_fast_path_agrees_with_full_parse(tmp_path: Path) -> None:
    """With an area filter, unparsed lines hide nothing: the same rows are kept, and
    bad rows in the area are still reported, as when every row is parsed."""
    rows = [
        bulk_row("00000001"),
        bulk_row("00000002", **{"RegAddress.PostCode": "ls6 1aa"}),
        bulk_row("00000003", **{"RegAddress.PostCode": "L1 8JQ"}),
        bulk_row("00000004", **{"RegAddress.PostCode": "M1 1AE"}),
        bulk_row("00000005", IncorporationDate="40/01/2015"),
        bulk_row("00000006", **{"RegAddress.PostCode": " LS2 7HY"}),
        bulk_row(
            "00000007", CompanyName="MILLS LTD", **{"RegAddress.PostCode": "BD1 1AA"}
        ),
        bulk_row("00000008", CompanyStatus="Dissolved"),
    ]
    path = tmp_path / "bulk.csv"
    path.write_text(bulk_csv(rows) + '"CUT SHORT LTD","00000009","LS1 1AA"\r\n')

    fast, fast_bad, fast_tally = read_all([path], postcode_area="LS")
    every, every_bad, _ = read_all([path])

    in_ls = [
        r.organisation["company_number"]
        for r in every
        if (r.organisation["postcode"] or "").startswith("LS")
    ]
    assert [r.organisation["company_number"] for r in fast] == in_ls
    assert in_ls == ["00000001", "00000002", "00000006"]
    assert [(b.where, b.reason) for b in fast_bad.listed] == [
        (b.where, b.reason) for b in every_bad.listed
    ]
    assert [b.reason for b in fast_bad.listed] == ["bad date", "wrong column count"]
    assert fast_tally.read == 9


def test_opencorporates_list_of_responses(tmp_path: Path) -> None:
    """A JSON list of OpenCorporates responses is read response by response."""

    def response(number: str, name: str) -> dict:
        company = {"name": name, "company_number": number, "jurisdiction_code": "gb"}
        return {"api_version": "0.4", "results": {"company": company}}

    path = tmp_path / "oc-list.json"
    path.write_text(
        json.dumps(
            [response("00000001", "AIRE LTD"), response("bad!", "BAD LTD")], indent=2
        )
    )

    records, bad, _ = read_all([path], command="opencorporates")

    assert [r.organisation["name"] for r in records] == ["AIRE LTD"]
    assert [b.where for b in bad.listed] == ["item 2"]
