"""Company registration numbers printed on a page.

UK law (the 2015 trading-disclosure regulations) makes a company's website show its
registered number, usually in the footer or on the legal pages: "Registered in England
and Wales No. 01234567", "Company number SC123456", "Company Reg. No: 1234567". A number
is only taken where such words introduce it, because bare eight-digit runs on a page are
far more often phone numbers, order numbers or dates.
"""

from __future__ import annotations

import re

from crawler.keys import normalise_company_number

# Written by hand: no maintained library recognises UK trading disclosures.
_INTRO = (
    r"(?:company|registered|registration|reg(?:istered)?\.?|co\.?|crn)"
    r"(?:[\s\w.,&()-]{0,60}?)"  # "in England and Wales", "office:", …
    r"(?:number|no\.?|num\.?|n[ºo°]|#|:)"
)
_NUMBER = r"((?:SC|NI|OC|SO|NC|R0|FC|SF|NF|GE|IP|SP|LP|SL|NL|RC|SR|NR|ZC|SZ|NZ|CE|CS)\s?\d{6}|\d{6,8})"
_PATTERN = re.compile(_INTRO + r"\s*[:.]?\s*" + _NUMBER + r"(?!\d)", re.IGNORECASE)


def find_company_numbers(text: str) -> list[str]:
    """Company numbers introduced as such in *text*, normalised, in order of first use."""
    found: dict[str, None] = {}
    for match in _PATTERN.finditer(text):
        raw = match.group(1).replace(" ", "")
        try:
            found[normalise_company_number(raw)] = None
        except ValueError:
            continue
    return list(found)
