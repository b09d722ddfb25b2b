"""Reader of OpenCorporates API JSON: search results and single companies.

Shapes: ``{"results": {"companies": [{"company": {...}}]}}`` (search),
``{"results": {"company": {...}}}`` (one company), a bare ``{"company": {...}}`` or
company object, a list of these, or JSON Lines of them. Companies are keyed by their
OpenCorporates jurisdiction and number, so a ``gb`` company meets its Companies House
row. OpenCorporates data is ODbL: attribution and share-alike apply to what is built
from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from crawler.keys import organisation_key
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
    iso_date,
    join_address,
    status_slug,
)
from crawler.seeds.websites import website_url

SOURCE = "opencorporates"

_ADDRESS_FIELDS = ("street_address", "locality", "region", "postal_code", "country")
_UK_SIC_SCHEMES = {"uk_sic_2007"}


def read(
    source: Source, text: TextIO, filters: Filters, bad: BadRows, tally: Tally
) -> Iterator[Record | None]:
    """Records of the companies that pass *filters*; ``None`` is a heartbeat."""
    return read_json(source, text, filters, bad, tally, _items, _record)


def _items(document: Any) -> Iterator[tuple[str, Any]]:
    results = document.get("results") if isinstance(document, dict) else None
    if isinstance(results, dict) and isinstance(results.get("companies"), list):
        for index, wrapper in enumerate(results["companies"], start=1):
            yield f"item {index}", wrapper
        return
    if isinstance(results, dict) and "company" in results:
        yield "", results
        return
    yield "", document


def _record(wrapper: Any, where: str) -> Record:
    company = wrapper.get("company", wrapper) if isinstance(wrapper, dict) else None
    if not isinstance(company, dict):
        raise RowError("not a company", f"a JSON {type(company).__name__}")

    jurisdiction = (
        company.get("jurisdiction_code") or company.get("jurisdiction") or ""
    ).lower()
    raw_number = str(company.get("company_number") or "")
    if not jurisdiction:
        raise RowError("no jurisdiction", f"company {raw_number!r}")
    if jurisdiction == JURISDICTION:
        number = company_number(raw_number)
    elif raw_number.strip():
        number = raw_number.strip()
    else:
        raise RowError("bad company number", "empty")

    address = company.get("registered_address") or {}
    if not isinstance(address, dict):
        address = {}
    in_full = company.get("registered_address_in_full")
    registered = join_address([address.get(f) for f in _ADDRESS_FIELDS]) or in_full
    postcode = normalise_postcode(address.get("postal_code"))
    if postcode is None and in_full:
        postcode = find_postcode(in_full)

    organisation = {
        "key": organisation_key(jurisdiction=jurisdiction, company_number=number),
        "jurisdiction": jurisdiction,
        "company_number": number,
        "name": (company.get("name") or "").strip() or None,
        "status": status_slug(company.get("current_status")),
        "company_type": company.get("company_type"),
        "previous_names": _previous_names(company.get("previous_names") or []),
        "registered_address": registered,
        "postcode": postcode,
        "post_town": (address.get("locality") or "").strip() or None,
        "incorporated_on": iso_date(company.get("incorporation_date")),
        "source": SOURCE,
    }
    codes = _sic_codes(company.get("industry_codes") or [])
    if codes or "industry_codes" in company:
        organisation["sic_codes"] = codes

    evidence = company.get("opencorporates_url") or (
        f"opencorporates:{jurisdiction}/{number}"
    )
    return Record(organisation, evidence, where, _websites(company.get("website")))


def _previous_names(entries: list[Any]) -> list[dict[str, Any]]:
    names = []
    for entry in entries:
        changed = iso_date(entry.get("end_date"))
        names.append(
            {
                "name": entry.get("company_name"),
                "changed_on": changed.isoformat() if changed else None,
            }
        )
    return names


def _sic_codes(entries: list[Any]) -> list[str]:
    codes = []
    for entry in entries:
        code = entry.get("industry_code", entry)
        if code.get("code_scheme_id") not in _UK_SIC_SCHEMES:
            continue
        five = sic.from_class_notation(str(code.get("code") or ""))
        if five:
            codes.append(five)
    return sic.codes_in(codes)


def _websites(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    urls = [website_url(v) for v in values if isinstance(v, str)]
    return [u for u in urls if u]
