"""SIC 2007 codes: the Companies House list, the DCMS digital sector, and SIC signals.

Both lists ship with the project (``crawler/data/sic/``, Open Government Licence; see
the SOURCES.md there).
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

RULESET_VERSION = "dcms-2016"

# Dormant (99999) and non-trading (74990) companies say nothing about their sector.
NON_TRADING = frozenset({"99999", "74990"})

_LEADING_CODE = re.compile(r"^\s*(\d{4,5})\b")


def _data_file(name: str) -> Any:
    return resources.files("crawler").joinpath("data", "sic", name)


@functools.cache
def descriptions() -> dict[str, str]:
    """Five-digit SIC 2007 code → its Companies House description."""
    with _data_file("SIC07_CH_condensed_list_en.csv").open(
        encoding="utf-8-sig", newline=""
    ) as handle:
        reader = csv.reader(handle)
        next(reader)
        return {code.strip(): text.strip() for code, text in reader}


@functools.cache
def digital_classes() -> frozenset[str]:
    """The 36 four-digit classes of the DCMS digital sector, digits only (``"6201"``)."""
    with _data_file("dcms_digital_sector_2016.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        reader = csv.DictReader(handle)
        return frozenset(row["class"].replace(".", "") for row in reader)


def describe(code: str) -> str | None:
    return descriptions().get(code)


def is_digital(code: str) -> bool:
    """True when five-digit *code* falls in a DCMS digital class (62012 → 62.01)."""
    return code not in NON_TRADING and code[:4] in digital_classes()


def code_of(text: str) -> str | None:
    """The five-digit code of a cell such as ``"62012 - Business and domestic …"``.

    ``None Supplied``, empty cells and the old four-digit SIC 2003 codes that some
    long-lived companies still carry give None: only SIC 2007 codes are kept.
    """
    match = _LEADING_CODE.match(text)
    if not match:
        return None
    code = match.group(1)
    return code if len(code) == 5 else None


def codes_in(values: Iterable[str]) -> list[str]:
    """The distinct five-digit codes among *values*, in their first order."""
    codes: list[str] = []
    for value in values:
        code = value.strip()
        if len(code) == 5 and code.isascii() and code.isdigit() and code not in codes:
            codes.append(code)
    return codes


def from_class_notation(code: str) -> str | None:
    """``"62.01/2"`` → ``"62012"``; ``"62.09"`` → ``"62090"`` when that is a code.

    OpenCorporates and the GDS register write SIC 2007 with a dot and, for subclasses,
    a slash; Companies House writes five digits, a class without subclasses ending in 0.
    """
    digits, _, subclass = code.strip().partition("/")
    digits = digits.replace(".", "")
    if len(digits) == 5 and digits.isdigit():
        return digits
    if len(digits) != 4 or not digits.isdigit():
        return None
    five = digits + (subclass or "0")
    return five if five in descriptions() else None


def signal_rows(
    organisation_id: int, sic_codes: Iterable[str], source_url: str
) -> list[dict[str, Any]]:
    """One ``sic`` signal per code of *sic_codes* in the DCMS digital sector."""
    rows = []
    for code in sic_codes:
        if not is_digital(code):
            continue
        description = describe(code)
        rows.append(
            {
                "organisation_id": organisation_id,
                "kind": "sic",
                "value": code,
                "source_url": source_url,
                "weight": 1.0,
                "snippet": f"{code} - {description}" if description else code,
                "ruleset_version": RULESET_VERSION,
                "active": True,
            }
        )
    return rows
