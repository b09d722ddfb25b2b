"""Helpers that write seed files for the seed tests, and a check that they are faithful."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from crawler.seeds import Filters, plan
from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import Tally
from crawler.seeds.formats import open_text
from crawler.seeds.importer import READERS
from crawler.seeds.records import Record
from tests.conftest import shared_data

# The 55 column names of BasicCompanyData, leading spaces included.
BULK_HEADER = [
    "CompanyName", " CompanyNumber", "RegAddress.CareOf", "RegAddress.POBox",
    "RegAddress.AddressLine1", " RegAddress.AddressLine2", "RegAddress.PostTown",
    "RegAddress.County", "RegAddress.Country", "RegAddress.PostCode", "CompanyCategory",
    "CompanyStatus", "CountryOfOrigin", "DissolutionDate", "IncorporationDate",
    "Accounts.AccountRefDay", "Accounts.AccountRefMonth", "Accounts.NextDueDate",
    "Accounts.LastMadeUpDate", "Accounts.AccountCategory", "Returns.NextDueDate",
    "Returns.LastMadeUpDate", "Mortgages.NumMortCharges", "Mortgages.NumMortOutstanding",
    "Mortgages.NumMortPartSatisfied", "Mortgages.NumMortSatisfied", "SICCode.SicText_1",
    "SICCode.SicText_2", "SICCode.SicText_3", "SICCode.SicText_4",
    "LimitedPartnerships.NumGenPartners", "LimitedPartnerships.NumLimPartners", "URI",
    "PreviousName_1.CONDATE", " PreviousName_1.CompanyName", " PreviousName_2.CONDATE",
    " PreviousName_2.CompanyName", "PreviousName_3.CONDATE", " PreviousName_3.CompanyName",
    "PreviousName_4.CONDATE", " PreviousName_4.CompanyName", "PreviousName_5.CONDATE",
    " PreviousName_5.CompanyName", "PreviousName_6.CONDATE", " PreviousName_6.CompanyName",
    "PreviousName_7.CONDATE", " PreviousName_7.CompanyName", "PreviousName_8.CONDATE",
    " PreviousName_8.CompanyName", "PreviousName_9.CONDATE", " PreviousName_9.CompanyName",
    "PreviousName_10.CONDATE", " PreviousName_10.CompanyName", "ConfStmtNextDueDate",
    " ConfStmtLastMadeUpDate",
]  # fmt: skip


def bulk_row(number: str, **cells: str) -> list[str]:
    """A bulk row for company *number*: an active Leeds software firm unless told."""
    values = {
        "CompanyName": f"FIRM {number} LIMITED",
        "CompanyNumber": number,
        "RegAddress.AddressLine1": "1 PARK ROW",
        "RegAddress.PostTown": "LEEDS",
        "RegAddress.PostCode": "LS1 5AB",
        "CompanyCategory": "Private Limited Company",
        "CompanyStatus": "Active",
        "CountryOfOrigin": "United Kingdom",
        "IncorporationDate": "01/02/2015",
        "SICCode.SicText_1": "62012 - Business and domestic software development",
        "URI": f"http://business.data.gov.uk/id/company/{number}",
        **cells,
    }
    return [values.get(name.strip(), "") for name in BULK_HEADER]


def bulk_csv(rows: list[list[str]], header: list[str] = BULK_HEADER) -> str:
    """The text of a bulk CSV: every cell quoted, CRLF, as Companies House writes it."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    out.write(",".join(header) + "\r\n")
    writer.writerows(rows)
    return out.getvalue()


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def read_all(
    paths: list[Path], command: str = "companies-house", **filters: Any
) -> tuple[list[Record], BadRows, Tally]:
    """Every record the readers give for *paths*, without a database."""
    chosen = Filters.parse(**filters)
    bad, tally = BadRows(), Tally()
    records = []
    for source in plan(paths, command):
        with open_text(source) as text:
            for item in READERS[source.format](source, text, chosen, bad, tally):
                if item is not None:
                    records.append(item)
    return records, bad, tally


def test_bulk_header_is_the_products_header() -> None:
    """The header the tests write is the one of the real BasicCompanyData file."""
    sample = shared_data(
        "companies_house", "bulk_csv", "BasicCompanyData_header_and_sample_row.csv"
    )
    real = next(csv.reader(sample.open(encoding="utf-8", newline="")))

    assert real == BULK_HEADER
    assert len(real) == 55
