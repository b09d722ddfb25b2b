"""Natural keys: how the register recognises the same organisation twice."""

from __future__ import annotations

import re

# Eight characters: digits (England and Wales), two letters and six digits (SC, NI,
# OC, …), and the older registers' forms such as R0123456 and IP10067R.
_COMPANY_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6}|[A-Z]\d{7}|[A-Z]{2}\d{5}[A-Z])$")


def normalise_company_number(raw: str) -> str:
    """Return the 8-character Companies House form of *raw* (``1234`` → ``00001234``).

    Raises ValueError when *raw* cannot be a company number.
    """
    number = raw.strip().upper().replace(" ", "")
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    elif len(number) < 8 and number[:2].isalpha() and number[2:].isdigit():
        number = number[:2] + number[2:].zfill(6)

    if not _COMPANY_NUMBER.match(number):
        msg = f"not a company number: {raw!r} (expected 8 digits, or letters and digits such as SC123456)"
        raise ValueError(msg)
    return number


def organisation_key(
    *,
    jurisdiction: str | None = None,
    company_number: str | None = None,
    domain: str | None = None,
) -> str:
    """Key an organisation by (jurisdiction, number) where it has one, else by domain.

    The jurisdiction names the registry: ``gb`` for Companies House, following the
    OpenCorporates jurisdiction codes so that both sources key a company alike.
    """
    if jurisdiction and company_number:
        return f"{jurisdiction.lower()}:{company_number}"
    if domain:
        return f"domain:{domain.lower()}"
    msg = "an organisation needs a jurisdiction and company number, or a domain"
    raise ValueError(msg)
