"""UK postcodes: normalised form, area and district, and finding one in an address.

Written by hand because the checks are one regular expression: the libraries on offer
look postcodes up in online services or carry the whole address file, and an import of
millions of rows needs neither.
"""

from __future__ import annotations

import re

# Outward code (area letters, district digit(s) and optional letter), inward code
# (digit and two letters). GIR 0AA is the one historic exception still in use.
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
_IN_TEXT = re.compile(
    r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE
)
_AREA = re.compile(r"^[A-Z]{1,2}")


def normalise_postcode(raw: str | None) -> str | None:
    """``"ls1 4ap"`` → ``"LS1 4AP"``; None when *raw* is not a full UK postcode."""
    if not raw:
        return None
    compact = "".join(raw.split()).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def area_of(postcode: str) -> str:
    """The letters that start a postcode or district: ``"LS1 4AP"`` → ``"LS"``."""
    match = _AREA.match(postcode.strip().upper())
    return match.group(0) if match else ""


def district_of(postcode: str) -> str:
    """The outward code of a normalised postcode: ``"LS1 4AP"`` → ``"LS1"``."""
    return postcode.split(" ", 1)[0]


def find_postcode(text: str) -> str | None:
    """The last UK postcode in a one-string address, normalised; None if there is none.

    The last one is taken because an address ends with its postcode (and its country),
    while a building name may hold something postcode-like earlier on.
    """
    found = None
    for match in _IN_TEXT.finditer(text):
        candidate = normalise_postcode(match.group(1) + match.group(2))
        found = candidate or found
    return found
