"""Reader of the Companies House "BasicCompanyData" bulk CSV (55 columns).

The header names some columns with a leading space (`` CompanyNumber``); names are
matched stripped, so the reader also takes extracts with fewer columns. Dates are
``dd/mm/yyyy``; SIC cells read ``62012 - Business and domestic software development``.

Status and place filters run on the raw cells before anything else is parsed: on a
city-sized import almost every row stops there, which is what keeps the reader near
the speed of a bare ``csv.reader`` loop.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from crawler.seeds import sic
from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import HEARTBEAT, Tally, lines, misshapen
from crawler.seeds.filters import Filters
from crawler.seeds.formats import Source
from crawler.seeds.postcodes import normalise_postcode
from crawler.seeds.records import (
    JURISDICTION,
    Record,
    RowError,
    check_text,
    company_number,
    gb_key,
    join_address,
    status_slug,
    uk_date,
)

SOURCE = "companies_house_bulk"

_ADDRESS = (
    "RegAddress.CareOf",
    "RegAddress.POBox",
    "RegAddress.AddressLine1",
    "RegAddress.AddressLine2",
    "RegAddress.PostTown",
    "RegAddress.County",
    "RegAddress.PostCode",
    "RegAddress.Country",
)
_SIC = tuple(f"SICCode.SicText_{n}" for n in range(1, 5))
_PREVIOUS = tuple(
    (f"PreviousName_{n}.CompanyName", f"PreviousName_{n}.CONDATE") for n in range(1, 11)
)


class _Columns:
    """Cell positions of the columns the reader uses, found by stripped name.

    A column the file lacks points one past the row's end, where the reader puts an
    empty cell before parsing a kept row: every lookup is then a plain index.
    """

    def __init__(self, header: list[str]) -> None:
        self.index = {name.strip(): i for i, name in enumerate(header)}
        self.number = self._at("CompanyNumber")
        self.name = self._at("CompanyName")
        self.status = self._at("CompanyStatus")
        self.category = self._at("CompanyCategory")
        self.postcode = self._at("RegAddress.PostCode")
        self.town = self._at("RegAddress.PostTown")
        self.incorporated = self._at("IncorporationDate")
        self.address = tuple(self._at(n) for n in _ADDRESS)
        self.sic = tuple(self._at(n) for n in _SIC)
        self.previous = tuple((self._at(n), self._at(d)) for n, d in _PREVIOUS)

    def _at(self, name: str) -> int:
        return self.index.get(name, len(self.index))


def read(
    source: Source, text: TextIO, filters: Filters, bad: BadRows, tally: Tally
) -> Iterator[Record | None]:
    """Records of the rows that pass *filters*; ``None`` is a progress heartbeat.

    The loop is :func:`~crawler.seeds.csvrows.csv_rows` written out with the status
    and area tests inside it: one generator fewer per row is a tenth of the time.
    """
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    columns = _Columns(header)
    width = len(header)
    i_status = columns.status
    i_postcode = columns.postcode
    i_town = columns.index.get("RegAddress.PostTown")
    by_place = filters.has_place
    areas = filters.area_prefilter
    # A file holds a dozen distinct statuses: each is judged once.
    kept_statuses: set[str] = set()
    dropped_statuses: set[str] = set()
    name = source.name

    last = reader.line_num
    count = reported = 0
    while True:
        try:
            for row in reader:
                start = last + 1
                last = reader.line_num
                if not row:
                    continue
                count += 1
                if not count & (HEARTBEAT - 1):
                    tally.read += count - reported
                    reported = count
                    yield None
                if len(row) != width:
                    misshapen(bad, name, start, last, len(row), width)
                    continue

                status = row[i_status]
                if status not in kept_statuses:
                    if status in dropped_statuses:
                        continue
                    if not filters.status_ok(status_slug(status)):
                        dropped_statuses.add(status)
                        continue
                    kept_statuses.add(status)
                if areas:
                    postcode = row[i_postcode]
                    area = postcode[:2].upper()
                    if area[1:].isdigit():
                        area = area[:1]
                    # A postcode with leading spaces is left to the full check below.
                    if area not in areas and not postcode[:1].isspace():
                        continue
                if by_place and not filters.place_ok(
                    row[i_postcode], row[i_town] if i_town is not None else None
                ):
                    continue

                row.append("")
                try:
                    check_text(row)
                    record = _record(columns, row, start)
                except RowError as error:
                    bad.add(name, f"line {start}", error.reason, error.detail)
                    continue
                if filters.details_ok(record.organisation):
                    tally.kept += 1
                    yield record
            break
        except csv.Error as error:
            start, last = last + 1, reader.line_num
            count += 1
            bad.add(name, lines(start, last), "broken quoting", str(error))
    tally.read += count - reported


def _record(columns: _Columns, row: list[str], line: int) -> Record:
    """The organisation of a row that ends with the extra empty cell (see _Columns)."""
    number = company_number(row[columns.number])

    previous = []
    for name_at, date_at in columns.previous:
        name = row[name_at].strip()
        if name:
            changed = uk_date(row[date_at])
            previous.append(
                {"name": name, "changed_on": changed.isoformat() if changed else None}
            )

    codes = [sic.code_of(row[i]) for i in columns.sic if row[i]]
    organisation = {
        "key": gb_key(number),
        "jurisdiction": JURISDICTION,
        "company_number": number,
        "name": row[columns.name].strip() or None,
        "status": status_slug(row[columns.status]),
        "company_type": row[columns.category].strip() or None,
        "sic_codes": sic.codes_in(c for c in codes if c),
        "previous_names": previous,
        "registered_address": _address(columns, row),
        "postcode": normalise_postcode(row[columns.postcode]),
        "post_town": row[columns.town].strip() or None,
        "incorporated_on": uk_date(row[columns.incorporated]),
        "source": SOURCE,
    }
    return Record(organisation, f"companies-house:{number}", f"line {line}")


def _address(columns: _Columns, row: list[str]) -> str | None:
    parts = [row[i].strip() for i in columns.address]
    if parts[0]:
        parts[0] = f"C/O {parts[0]}"
    if parts[1]:
        parts[1] = f"PO Box {parts[1]}"
    return join_address(parts)
