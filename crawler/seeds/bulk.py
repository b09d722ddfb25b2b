"""Reader of the Companies House "BasicCompanyData" bulk CSV (55 columns).

The header names some columns with a leading space (`` CompanyNumber``); names are
matched stripped, so the reader also takes extracts with fewer columns. Dates are
``dd/mm/yyyy``; SIC cells read ``62012 - Business and domestic software development``.

With a postcode area or district filter, a line whose capitals lack every wanted
area letter pair cannot be kept and is not parsed at all; the other lines, and every
line without such a filter, go through the csv module, and the status and place tests
run on the raw cells before the rest of a row is parsed. On a city-sized import
almost every row stops at one of these tests, so rows a filter drops are not checked
further (their dates, numbers or shape).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO

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


class _Judge:
    """What happens to a row with the right cell count: dropped, bad, or a Record."""

    def __init__(
        self, columns: _Columns, filters: Filters, bad: BadRows, name: str
    ) -> None:
        self.columns = columns
        self.filters = filters
        self.bad = bad
        self.name = name
        self.areas = filters.area_prefilter
        self.by_place = filters.has_place
        self.i_town = columns.index.get("RegAddress.PostTown")
        # A file holds a dozen distinct statuses: each is judged once.
        self.kept_statuses: set[str] = set()
        self.dropped_statuses: set[str] = set()

    def status_ok(self, status: str) -> bool:
        if status in self.kept_statuses:
            return True
        if status in self.dropped_statuses:
            return False
        if self.filters.status_ok(status_slug(status)):
            self.kept_statuses.add(status)
            return True
        self.dropped_statuses.add(status)
        return False

    def area_ok(self, postcode: str) -> bool:
        """The cheap first test of the postcode area; full checks come later."""
        area = postcode[:2].upper()
        if area[1:].isdigit():
            area = area[:1]
        # A postcode with leading spaces is left to the full check.
        return area in self.areas or postcode[:1].isspace()

    def keep(self, row: list[str], line: int) -> Record | None:
        """Every check, for rows that reach here without the inlined loop's tests."""
        if not self.status_ok(row[self.columns.status]):
            return None
        if self.areas and not self.area_ok(row[self.columns.postcode]):
            return None
        return self.parse(row, line)

    def parse(self, row: list[str], line: int) -> Record | None:
        """The place check in full, then the row parsed and its details checked."""
        i_town = self.i_town
        if self.by_place and not self.filters.place_ok(
            row[self.columns.postcode], row[i_town] if i_town is not None else None
        ):
            return None

        row.append("")
        try:
            check_text(row)
            record = _record(self.columns, row, line)
        except RowError as error:
            self.bad.add(self.name, f"line {line}", error.reason, error.detail)
            return None
        return record if self.filters.details_ok(record.organisation) else None


def read(
    source: Source, text: TextIO, filters: Filters, bad: BadRows, tally: Tally
) -> Iterator[Record | None]:
    """Records of the rows that pass *filters*; ``None`` is a progress heartbeat."""
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    judge = _Judge(_Columns(header), filters, bad, source.name)
    if judge.areas:
        rows = _candidate_rows(text, judge, len(header), tally)
    else:
        rows = _all_rows(reader, judge, len(header), tally)
    for item in rows:
        if item is not None:
            tally.kept += 1
        yield item


def _all_rows(
    reader: Any, judge: _Judge, width: int, tally: Tally
) -> Iterator[Record | None]:
    """Every row through the csv module, the status test inlined (the hot path of a
    whole-country import without a postcode filter)."""
    bad, name = judge.bad, judge.name
    kept_statuses = judge.kept_statuses
    i_status = judge.columns.status
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
                if status not in kept_statuses and not judge.status_ok(status):
                    continue
                record = judge.parse(row, start)
                if record is not None:
                    yield record
            break
        except csv.Error as error:
            start, last = last + 1, reader.line_num
            count += 1
            bad.add(name, lines(start, last), "broken quoting", str(error))
    tally.read += count - reported


def _candidate_rows(
    text: TextIO, judge: _Judge, width: int, tally: Tally
) -> Iterator[Record | None]:
    """Rows of lines that can hold a wanted postcode area; the others are not parsed.

    A postcode in area LS has the letters LS in it, in some case, so a line whose
    capitals lack every wanted area cannot be kept. That test runs at several times
    the speed of the csv module, which then parses only the few lines that pass.
    The bulk product writes one record per line; a record broken over lines (a
    quoted line break) is reported as broken quoting wherever a part of it passes.
    """
    first, *others = sorted(judge.areas)
    bad, name = judge.bad, judge.name
    count = reported = 0
    for count, line in enumerate(text, start=1):
        if not count & (HEARTBEAT - 1):
            tally.read += count - reported
            reported = count
            yield None
        capitals = line.upper()
        if first not in capitals and not (
            others and any(area in capitals for area in others)
        ):
            continue
        number = count + 1  # the header is line 1
        try:
            row = next(csv.reader((line,), strict=True))
        except csv.Error as error:
            bad.add(name, f"line {number}", "broken quoting", str(error))
            continue
        if len(row) != width:
            misshapen(bad, name, number, number, len(row), width)
            continue
        record = judge.keep(row, number)
        if record is not None:
            yield record
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
