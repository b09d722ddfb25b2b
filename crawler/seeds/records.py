"""What every reader yields: one organisation row, its websites, and where it came from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from crawler.keys import normalise_company_number, organisation_key

JURISDICTION = "gb"

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Register numbers that crawler.keys does not take but Companies House issues:
# mutual societies (IP12345R, SP…R, NP…R) and pre-partition Northern Ireland (R0…).
_OTHER_NUMBERS = re.compile(r"^(?:[A-Z]{2}\d{5}R|R\d{7})$")


class RowError(ValueError):
    """A row that cannot be imported; *reason* is the category counted in the report."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(slots=True)
class Record:
    """One organisation ready for the store, with the evidence the importer derives.

    ``organisation`` holds columns of the ``organisations`` table; ``evidence_url``
    names the registry entry the SIC signals cite; ``where`` locates the row for
    messages (``"line 12"``, ``"item 3"``).
    """

    organisation: dict[str, Any]
    evidence_url: str
    where: str
    websites: list[str] = field(default_factory=list)


def company_number(raw: str | None) -> str:
    """The 8-character company number of *raw*, or RowError("bad company number")."""
    if not raw or not raw.strip():
        raise RowError("bad company number", "empty")
    try:
        return normalise_company_number(raw)
    except ValueError:
        number = raw.strip().upper()
        if _OTHER_NUMBERS.match(number):
            return number
        raise RowError("bad company number", repr(raw)) from None


def gb_key(number: str) -> str:
    return organisation_key(jurisdiction=JURISDICTION, company_number=number)


def status_slug(raw: str | None) -> str | None:
    """``"Active - Proposal to Strike off"`` → ``"active-proposal-to-strike-off"``.

    The slug is the form the Companies House API uses, so that statuses from the bulk
    file, the search export, the API and OpenCorporates compare equal.
    """
    if not raw:
        return None
    slug = _NOT_SLUG.sub("-", raw.strip().lower()).strip("-")
    return slug or None


def uk_date(raw: str) -> dt.date | None:
    """``"29/06/2011"`` → date; empty → None; anything else → RowError("bad date")."""
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) != 10 or raw[2] != "/" or raw[5] != "/":
        raise RowError("bad date", repr(raw))
    try:
        return dt.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
    except ValueError:
        raise RowError("bad date", repr(raw)) from None


def iso_date(raw: Any) -> dt.date | None:
    """``"2024-01-02"`` (or a longer ISO timestamp) → date; empty → None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise RowError("bad date", repr(raw))
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        raise RowError("bad date", repr(raw)) from None


def join_address(parts: list[Any]) -> str | None:
    """The non-empty parts of an address joined with commas, spaces tidied."""
    cleaned = [" ".join(str(p).split()) for p in parts if p and str(p).strip()]
    return ", ".join(cleaned) or None


def check_text(row: list[str]) -> None:
    """RowError("invalid UTF-8") when a cell holds bytes the decoder could not read.

    Files are decoded with ``surrogateescape``, which turns each undecodable byte into
    a lone surrogate instead of stopping the whole import; this finds them.
    """
    joined = "".join(row)
    if "\x00" in joined:
        # PostgreSQL text cannot hold NUL; the store would refuse the whole batch.
        raise RowError("NUL byte", "a cell holds \\x00")
    if joined.isascii():
        return
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = joined[error.start : error.end].encode("utf-8", "surrogateescape")
        raise RowError("invalid UTF-8", f"bytes {bad!r}") from None
