"""Reader of Companies House REST API JSON: company profiles and search results.

Accepted shapes, alone, in a list, or one per line (JSON Lines): a company profile
(``GET /company/{number}``, also wrapped as ``{"data": {...}}``), and a search
response (``GET /search/companies`` or ``/search``, whose ``items`` may mix companies
with officers; only companies are read). Search items carry no SIC codes and no
previous names, so those columns are left as they are stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TextIO

from crawler.seeds import sic
from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import Tally
from crawler.seeds.filters import Filters
from crawler.seeds.formats import Source
from crawler.seeds.jsondocs import read_json
from crawler.seeds.postcodes import find_postcode, normalise_postcode
from crawler.seeds.records import (
    JURISDICTION,
    Record,
    RowError,
    company_number,
    gb_key,
    iso_date,
    join_address,
    status_slug,
)

SOURCE = "companies_house_api"

_ADDRESS_FIELDS = (
    "care_of",
    "po_box",
    "premises",
    "address_line_1",
    "address_line_2",
    "locality",
    "region",
    "postal_code",
    "country",
)
_SELF_LINK = re.compile(r"/company/([A-Z0-9]+)$", re.IGNORECASE)


def read(
    source: Source, text: TextIO, filters: Filters, bad: BadRows, tally: Tally
) -> Iterator[Record | None]:
    """Records of the companies that pass *filters*; ``None`` is a heartbeat."""
    return read_json(source, text, filters, bad, tally, _items, _record)


def _items(document: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        for index, item in enumerate(document["items"], start=1):
            if is_company_item(item):
                yield f"item {index}", item
        return
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document = document["data"]
    yield "", document


def is_company_item(item: Any) -> bool:
    """True for a company among search results (which may also hold officers)."""
    if not isinstance(item, dict):
        return False
    kind = item.get("kind")
    return kind == "searchresults#company" if kind else "company_number" in item


def _record(item: Any, where: str) -> Record:
    if not isinstance(item, dict):
        raise RowError("not a company", f"a JSON {type(item).__name__}")
    number = company_number(item.get("company_number") or _number_from_links(item))
    is_search = "title" in item or "address_snippet" in item or "kind" in item
    organisation = _search_fields(item) if is_search else _profile_fields(item)

    organisation.update(
        key=gb_key(number),
        jurisdiction=JURISDICTION,
        company_number=number,
        status=status_slug(item.get("company_status")),
        incorporated_on=iso_date(item.get("date_of_creation")),
        source=SOURCE,
    )
    return Record(organisation, f"companies-house:{number}", where)


def _number_from_links(item: dict[str, Any]) -> str | None:
    links = item.get("links") or {}
    match = _SELF_LINK.search(str(links.get("self") or ""))
    return match.group(1) if match else None


def _profile_fields(item: dict[str, Any]) -> dict[str, Any]:
    address = item.get("registered_office_address") or {}
    previous = []
    for entry in item.get("previous_company_names") or []:
        changed = iso_date(entry.get("ceased_on"))
        previous.append(
            {
                "name": entry.get("name"),
                "changed_on": changed.isoformat() if changed else None,
            }
        )
    return {
        "name": (item.get("company_name") or "").strip() or None,
        "company_type": item.get("type"),
        "sic_codes": sic.codes_in(item.get("sic_codes") or []),
        "previous_names": previous,
        **_address_fields(address),
    }


def _search_fields(item: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "name": " ".join((item.get("title") or "").split()) or None,
        "company_type": item.get("company_type"),
        **_address_fields(item.get("address") or {}),
    }
    snippet = item.get("address_snippet")
    if snippet and not fields["registered_address"]:
        fields["registered_address"] = snippet
    if snippet and not fields["postcode"]:
        fields["postcode"] = find_postcode(snippet)
    return fields


def _address_fields(address: dict[str, Any]) -> dict[str, Any]:
    return {
        "registered_address": join_address([address.get(f) for f in _ADDRESS_FIELDS]),
        "postcode": normalise_postcode(address.get("postal_code")),
        "post_town": (address.get("locality") or "").strip() or None,
    }
