"""Reader of a plain CSV list of organisations that a council or user already has.

Columns are found by name, case and punctuation ignored, under the names people
commonly give them: a name, a website, optionally a company number and a postcode
(and a town or address). A row needs a company number or a website, which become
its key: ``gb:<number>``, else ``domain:<registrable domain>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from crawler.keys import organisation_key
from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import Tally, csv_rows
from crawler.seeds.filters import Filters
from crawler.seeds.postcodes import normalise_postcode
from crawler.seeds.records import (
    JURISDICTION,
    Record,
    RowError,
    check_text,
    company_number,
    gb_key,
    join_address,
)
from crawler.seeds.websites import registrable_domain, website_url

if TYPE_CHECKING:
    from crawler.seeds.formats import Source

SOURCE = "csv"

ALIASES = {
    "name": {"name", "organisation", "organisationname", "organization",
             "organizationname", "companyname", "company", "businessname"},
    "website": {"website", "url", "web", "websiteurl", "homepage", "site", "domain",
                "webaddress"},
    "company_number": {"companynumber", "companyno", "companyregistrationnumber",
                       "registrationnumber", "registerednumber", "crn", "number"},
    "postcode": {"postcode", "postalcode", "zip", "zipcode"},
    "post_town": {"town", "posttown", "city"},
    "address": {"address", "registeredaddress", "registeredofficeaddress"},
}  # fmt: skip

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def columns_of(header: list[str]) -> dict[str, int]:
    """Field name → position of the first header cell that is one of its aliases."""
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        compact = _NOT_ALNUM.sub("", cell.lower())
        for field, aliases in ALIASES.items():
            if compact in aliases and field not in found:
                found[field] = position
    return found


def read(
    source: Source, text: TextIO, filters: Filters, bad: BadRows, tally: Tally
) -> Iterator[Record | None]:
    """Records of the rows that pass *filters*; ``None`` is a progress heartbeat."""
    rows = csv_rows(text, source.name, bad, tally)
    first = next(rows, None)
    if first is None:
        return
    columns = columns_of(first[1])

    for item in rows:
        if item is None:
            yield None
            continue
        line, row = item
        cells = {field: row[i].strip() for field, i in columns.items()}
        try:
            check_text(row)
            record = _record(cells, source, line)
        except RowError as error:
            bad.add(source.name, f"line {line}", error.reason, error.detail)
            continue
        if filters.accepts(record.organisation):
            tally.kept += 1
            yield record


def _record(cells: dict[str, str], source: Source, line: int) -> Record:
    url = website_url(cells.get("website"))
    if cells.get("website") and url is None:
        raise RowError("bad website", repr(cells["website"]))
    domain = registrable_domain(url) if url else None

    organisation = {
        "name": cells.get("name") or None,
        "postcode": normalise_postcode(cells.get("postcode")),
        "post_town": cells.get("post_town") or None,
        "registered_address": join_address([cells.get("address")]),
        "source": SOURCE,
    }
    if cells.get("company_number"):
        number = company_number(cells["company_number"])
        organisation.update(
            key=gb_key(number), jurisdiction=JURISDICTION, company_number=number
        )
        evidence = f"companies-house:{number}"
    elif domain:
        # The domain is the organisation's identity here, so it is its primary domain.
        organisation.update(key=organisation_key(domain=domain), primary_domain=domain)
        evidence = f"csv:{source.path.name}"
    else:
        raise RowError("no company number or website")

    return Record(organisation, evidence, f"line {line}", [url] if url else [])
