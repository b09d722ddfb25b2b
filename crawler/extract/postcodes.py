"""UK postcodes and schema.org postal addresses on a page.

A postcode is taken when it has the Royal Mail format and starts with one of the real
postcode areas (so "AB1 2CD"-looking product codes with a made-up area are dropped), and
is not introduced as an example ("e.g. CT13 9AA" in a form hint).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from crawler.extract.jsonld import objects_of_type
from crawler.extract.lines import lines_with
from crawler.extract.page import Page


@dataclass(frozen=True, slots=True)
class FoundPostcode:
    value: str  # "LS1 4AP"
    shown: str
    source: str  # text | jsonld
    context: str


# Written by hand: the format is short and stable, and no maintained Python library
# validates it offline against the list of areas. Areas as listed by Royal Mail
# (plus BF for BFPO and BX for non-geographic addresses).
_AREAS_TEXT = """
AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL
DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW
KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH
RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF
WN WR WS WV YO ZE
"""
POSTCODE_AREAS = frozenset(_AREAS_TEXT.split())
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Z]{1,2})([0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])"
)
_EXAMPLE = re.compile(r"(?:e\.?\s?g\.?|example|such as|format)[\s:,(\"']*$", re.I)


def normalise_postcode(raw: str) -> str | None:
    """``ls14ap`` → ``LS1 4AP``; None when *raw* is not a valid UK postcode."""
    match = _POSTCODE.fullmatch(re.sub(r"\s+", " ", raw.strip().upper()))
    if not match or match.group(1) not in POSTCODE_AREAS:
        return None
    return f"{match.group(1)}{match.group(2)} {match.group(3)}"


def find_postcodes(page: Page) -> list[FoundPostcode]:
    """Every distinct valid postcode on *page*, first sighting kept."""
    found: dict[str, FoundPostcode] = {}
    for postcode in _candidates(page):
        found.setdefault(postcode.value, postcode)
    return list(found.values())


def _candidates(page: Page) -> Iterator[FoundPostcode]:
    for line in lines_with(page.text, _POSTCODE):
        for match in _POSTCODE.finditer(line):
            if match.group(1) not in POSTCODE_AREAS:
                continue
            if _EXAMPLE.search(line[max(0, match.start() - 20) : match.start()]):
                continue
            value = f"{match.group(1)}{match.group(2)} {match.group(3)}"
            yield FoundPostcode(value, match.group(0), "text", line)
    for address in objects_of_type(page.jsonld, "PostalAddress"):
        raw = address.get("postalCode")
        value = normalise_postcode(raw) if isinstance(raw, str) else None
        if value:
            yield FoundPostcode(value, raw, "jsonld", format_address(address))


def find_addresses(page: Page) -> list[tuple[str, dict]]:
    """schema.org PostalAddress objects on *page*: (one-line form, the object)."""
    found: dict[str, dict] = {}
    for address in objects_of_type(page.jsonld, "PostalAddress"):
        line = format_address(address)
        if line:
            found.setdefault(line, address)
    return list(found.items())


def format_address(address: dict) -> str:
    """One line: street, locality, region, postcode, country, in that order."""
    parts = []
    for key in (
        "streetAddress",
        "addressLocality",
        "addressRegion",
        "postalCode",
        "addressCountry",
    ):
        value = address.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if value and str(value).strip():
            parts.append(re.sub(r"\s+", " ", str(value)).strip())
    return ", ".join(parts)
