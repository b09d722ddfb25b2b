"""Reader of the CSV that the Companies House advanced company search exports.

Unlike the bulk product it writes SIC codes as space-separated numbers without text,
dates as ``yyyy-mm-dd``, and the registered office as one string that ends with the
postcode and the country. The postcode is taken from that string; the post town is
left empty because the string has no reliable place for it (``--post-town`` then
looks for the town as a word of the address).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from crawler.seeds import sic
from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import Tally, csv_rows
from crawler.seeds.filters import Filters
from crawler.seeds.formats import Source
from crawler.seeds.postcodes import find_postcode
from crawler.seeds.records import (
    JURISDICTION,
    Record,
    RowError,
    check_text,
    company_number,
    gb_key,
    iso_date,
    join_address,
    status_slug,
)

SOURCE = "companies_house_search"


def read(
    source: Source, text: TextIO, filters: Filters, bad: BadRows, tally: Tally
) -> Iterator[Record | None]:
    """Records of the rows that pass *filters*; ``None`` is a progress heartbeat."""
    rows = csv_rows(text, source.name, bad, tally)
    first = next(rows, None)
    if first is None:
        return
    index = {name.strip(): i for i, name in enumerate(first[1])}

    for item in rows:
        if item is None:
            yield None
            continue
        line, row = item
        cells = {name: row[i] for name, i in index.items()}
        if not filters.status_ok(status_slug(cells["company_status"])):
            continue

        try:
            check_text(row)
            record = _record(cells, line)
        except RowError as error:
            bad.add(source.name, f"line {line}", error.reason, error.detail)
            continue
        if filters.accepts(record.organisation):
            tally.kept += 1
            yield record


def _record(cells: dict[str, str], line: int) -> Record:
    number = company_number(cells["company_number"])
    address = join_address([cells["registered_office_address"]])
    organisation = {
        "key": gb_key(number),
        "jurisdiction": JURISDICTION,
        "company_number": number,
        "name": cells["company_name"].strip() or None,
        "status": status_slug(cells["company_status"]),
        "company_type": cells.get("company_type", "").strip() or None,
        "sic_codes": sic.codes_in(cells.get("nature_of_business", "").split()),
        "registered_address": address,
        "postcode": find_postcode(address) if address else None,
        "incorporated_on": iso_date(cells.get("incorporation_date")),
        "source": SOURCE,
    }
    return Record(organisation, f"companies-house:{number}", f"line {line}")
