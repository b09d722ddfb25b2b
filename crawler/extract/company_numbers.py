"""Company registration numbers printed on a page.

UK law (the 2015 trading-disclosure regulations) makes a company's website show its
registered number, usually in the footer or on the legal pages: "Registered in England
and Wales No. 01234567", "Company number SC123456", "Company Reg. No: 1234567". A number
is only taken where such words introduce it, because bare eight-digit runs on a page are
far more often phone numbers, order numbers or dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from crawler.keys import normalise_company_number

# Written by hand: no maintained library recognises UK trading disclosures.
_INTRO = (
    r"\b(?:company|registered|registration|reg(?:istered)?\.?|co\.?|crn|cic|business)"
    r"(?:[\s\w.,&()-]{0,60}?)"  # "in England and Wales", "office:", …
    r"(?:number|no\.?|num\.?|n[ºo°]|#|:)"
)
_NUMBER = r"((?:SC|NI|OC|SO|NC|R0|FC|SF|NF|GE|IP|SP|LP|SL|NL|RC|SR|NR|ZC|SZ|NZ|CE|CS)\s?\d{6}|\d{6,8})"
_PATTERN = re.compile(_INTRO + r"\s*[:.]?\s*#?\s*" + _NUMBER + r"(?!\d)", re.IGNORECASE)


_SIX_DIGITS = re.compile(r"\d{6}")
_DIGIT_RUN = re.compile(r"\d{6,}")
# Every match ends in a run of six or more digits, and its introduction ("Registered
# in England and Wales, company number") is far shorter than this: _PATTERN runs only
# on the text this far before each such run, not over the whole page.
_REACH = 200
# Unicode's format characters (category Cf) that turn up in web text.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)
# Registers whose numbers share the words and the shape of a company number.
_OTHER_REGISTER = re.compile(
    r"charit|\bvat\b|\bico\b|data protection|\bgdc\b|\bfca\b|firm reference"
    r"|\bgmc\b|\bnmc\b|\bhcpc\b|\bgphc\b|\bsra\b|\bcqc\b|\bofsted\b|\burn\b",
    re.IGNORECASE,
)


def find_company_numbers(text: str) -> list[str]:
    """Company numbers introduced as such in *text*, normalised, in order of first use."""
    return [number for number, _ in find_company_number_matches(text)]


def find_company_number_matches(text: str) -> list[tuple[str, str]]:
    """(normalised number, text as printed) for each company number in *text*."""
    if not _SIX_DIGITS.search(text):
        return []  # every company number has six digits in a row
    text = _visible_characters(text)
    found: dict[str, str] = {}
    for match in _matches(text):
        if _OTHER_REGISTER.search(match.group(0)):
            continue
        raw = match.group(1).replace(" ", "")
        try:
            number = normalise_company_number(raw)
        except ValueError:
            continue
        found.setdefault(number, match.group(0).splitlines()[-1].strip())
    return list(found.items())


def _visible_characters(text: str) -> str:
    """*text* without invisible format characters (zero-width spaces, Unicode tags),
    which some sites scatter through their legal line."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def _matches(text: str) -> Iterator[re.Match[str]]:
    """_PATTERN's matches in the windows of *text* that end at a run of digits.

    Overlapping windows are merged, so a window is searched as the whole text would
    be; each starts just after a space or line break, so that the pattern's leading
    word boundary means what it means in the whole text.
    """
    for start, end in _windows(text):
        yield from _PATTERN.finditer(text, start, end)


def _windows(text: str) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for run in _DIGIT_RUN.finditer(text):
        reach = run.start() - _REACH
        start = (
            max(text.rfind(" ", 0, reach), text.rfind("\n", 0, reach)) + 1
            if reach > 0
            else 0
        )
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], run.end())
        else:
            windows.append((start, run.end()))
    return windows
