"""Telephone numbers published on a page, parsed with phonenumbers.

Sources: ``tel:`` links, numbers in the visible text and schema.org ``telephone``
values. A WhatsApp click-to-chat link (``wa.me/<number>``) alone is not taken as a phone
line (it is recorded as a social profile); its number counts when it is also printed.
Numbers without a country code are
read as British unless the page's own schema.org address names another country. Theme
placeholders (``+44 1234 567890``, Ofcom's drama ranges) are rejected.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from crawler.extract.jsonld import objects_of_type, walk
from crawler.extract.lines import lines_with
from crawler.extract.page import Page
from crawler.extract.urls import host_of

logger = logging.getLogger(__name__)

DEFAULT_REGION = "GB"


@dataclass(frozen=True, slots=True)
class FoundPhone:
    value: str  # E.164
    shown: str  # as printed
    source: str  # tel | text | jsonld
    context: str  # link text or the line around it


# Runs that theme authors type when they need a number that looks real.
_PLACEHOLDER_RUNS = ("123456", "234567", "345678", "456789", "987654", "000000")
# Ofcom's numbers reserved for drama (TV, film, documentation): never a real line.
_DRAMA_PREFIXES = (
    "441632960", "44207946", "44113496", "44114496", "44115496", "44116496",
    "44117496", "44118496", "44121496", "44131496", "44141496", "44151496",
    "44161496", "44191498", "44289649", "44292018", "447700900", "448081570",
    "449098790", "443069990",
)  # fmt: skip
# Seven digits with at most a few separators between them: a cheap test that spares
# most lines the full matcher.
_PHONE_LIKE = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6}")
_FAX = re.compile(r"\bfax\b|\bf\s*[:.]\s*$", re.IGNORECASE)
# Country-code domains sold for general use: they say nothing of the country.
_GENERIC_CCTLDS = {
    "io", "co", "me", "tv", "ai", "ly", "fm", "gg", "to", "cc", "ws", "sh", "ac",
    "vc", "la", "so", "am", "im", "is", "it", "st", "nu", "gl", "eu",
}  # fmt: skip
_TEL_SCHEMES = ("tel:", "callto:", "phone:")


def find_phones(page: Page) -> list[FoundPhone]:
    """Every distinct real number on *page* (E.164), first sighting kept."""
    region = page_region(page)
    found: dict[str, FoundPhone] = {}
    for phone in _candidates(page, region):
        if phone.value not in found:
            found[phone.value] = phone
    return list(found.values())


def page_region(page: Page) -> str:
    """The region for numbers written without a country code.

    The country of the page's schema.org PostalAddress; else the country of the
    site's country-code domain (``.de`` → DE, ``.uk`` → GB) unless that domain is
    one sold for general use (``.io``, ``.co``, ``.ai``…); else GB.
    """
    for address in objects_of_type(page.jsonld, "PostalAddress"):
        country = address.get("addressCountry")
        if isinstance(country, dict):
            country = country.get("name") or country.get("identifier")
        if isinstance(country, str) and len(country.strip()) == 2:
            return country.strip().upper()
    top = host_of(page.url).rpartition(".")[2]
    if len(top) == 2 and top.isalpha() and top not in _GENERIC_CCTLDS:
        region = "GB" if top == "uk" else top.upper()
        if region in phonenumbers.SUPPORTED_REGIONS:
            return region
    return DEFAULT_REGION


def _candidates(page: Page, region: str) -> Iterator[FoundPhone]:
    yield from _from_links(page, region)
    yield from _from_text(page, region)
    yield from _from_jsonld(page, region)


def _from_links(page: Page, region: str) -> Iterator[FoundPhone]:
    for link in page.links:
        if link.url.lower().startswith(_TEL_SCHEMES):
            yield from _from_tel(link.url, link.text, region)


def _from_tel(href: str, text: str, region: str) -> Iterator[FoundPhone]:
    """A tel: link; the printed number wins where the link text shows another one.

    Visitors read the text, and themes often keep a stale number in the href.
    """
    printed = list(_match(text, region))
    if printed:
        yield from (FoundPhone(value, shown, "tel", text) for value, shown in printed)
        return
    target = unquote(href.split(":", 1)[1]).split("?", 1)[0]
    target = re.sub(r"<[^>]*>", "", target).strip()
    value = parse(target, region)
    if value:
        yield FoundPhone(value, target, "tel", text)


def _from_text(page: Page, region: str) -> Iterator[FoundPhone]:
    for line in lines_with(page.text, _PHONE_LIKE):
        for value, shown in _match(line, region):
            yield FoundPhone(value, shown, "text", line)


def _from_jsonld(page: Page, region: str) -> Iterator[FoundPhone]:
    for key, value in walk(page.jsonld):
        if key.lower() != "telephone" or not isinstance(value, str):
            continue
        number = parse(value.removeprefix("tel:"), region)
        if number:
            yield FoundPhone(number, value, "jsonld", "")


def _match(text: str, region: str) -> Iterator[tuple[str, str]]:
    if not _PHONE_LIKE.search(text):
        return
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        if _FAX.search(text[max(0, match.start - 12) : match.start]):
            continue  # a fax line is no way to reach anyone today
        value = _e164(match.number)
        if value:
            yield value, match.raw_string


def parse(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of *raw*, or None when it is not a valid, real-looking number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return _e164(number)


def _e164(number: phonenumbers.PhoneNumber) -> str | None:
    value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = str(number.national_number)
    if any(run in national for run in _PLACEHOLDER_RUNS):
        return None
    if len(set(national)) <= 2 or value[1:].startswith(_DRAMA_PREFIXES):
        return None
    return value


def whatsapp_number(url: str) -> str | None:
    """The number of a WhatsApp click-to-chat link (``wa.me/447…``, ``?phone=``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    digits = parts.path.strip("/").split("/", 1)[0]
    if not digits.isdigit():
        digits = (parse_qs(parts.query).get("phone") or [""])[0]
    digits = re.sub(r"\D", "", digits)
    return parse("+" + digits) if len(digits) >= 8 else None
