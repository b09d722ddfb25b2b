"""Email addresses published on a page.

Sources, in the order a visitor meets them: ``mailto:`` links, addresses in the visible
text (including the "name [at] domain [dot] com" style of hiding them), Cloudflare's
email protection (``data-cfemail`` and ``/cdn-cgi/l/email-protection#…``) and schema.org
JSON-LD ``email`` properties. Placeholders left in themes and forms (``you@example.com``),
image names (``logo@2x.png``), package versions (``lodash@4.17.21``) and tracking
addresses are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import tldextract

from crawler.extract.jsonld import walk
from crawler.extract.lines import lines_with
from crawler.extract.page import Page


@dataclass(frozen=True, slots=True)
class FoundEmail:
    value: str  # lower case
    shown: str  # as printed, or as written in the link
    source: str  # mailto | text | obfuscated | cloudflare | jsonld
    context: str  # the line of text around it, for role/personal tagging


# Written by hand: no maintained library finds addresses in free text with the
# false-positive rules a crawl of small business sites needs.
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
_EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+-])({_LOCAL})@({_DOMAIN})(?![A-Za-z0-9-]*@)")
_FULL = re.compile(rf"^{_LOCAL}@{_DOMAIN}$")

_OPEN = r"\s*[\[({<]\s*"
_CLOSE = r"\s*[\])}>]\s*"
_AT = (
    rf"(?:{_OPEN}(?:at|@){_CLOSE}|\s+at\s+(?=\S+\s*[\[({{<]\s*dot)"
    r"|(?-i:\s+AT\s+(?=\S+\s+DOT\s)))"
)
_DOT_WORD = rf"{_OPEN}dot{_CLOSE}|(?-i:\s+DOT\s+)"
_OBFUSCATED = re.compile(
    rf"(?<![\w.])([A-Za-z0-9][\w.+-]*){_AT}"
    rf"([A-Za-z0-9-]+(?:(?:{_DOT_WORD}|\.)[A-Za-z0-9-]+)+)",
    re.IGNORECASE,
)
_AT_SIGN = re.compile("@")
_AT_WORD = re.compile(r"[\[({<]\s*(?:at|@)\s*[\])}>]|\sat\s", re.IGNORECASE)
_DOT = re.compile(_DOT_WORD, re.IGNORECASE)

_FILE_SUFFIXES = {
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "tif", "tiff",
    "css", "js", "mjs", "map", "json", "xml", "woff", "woff2", "ttf", "eot", "mp4",
    "webm", "mp3", "pdf", "html", "htm", "php", "aspx",
}  # fmt: skip

# Registrable names used as stand-ins in themes, forms and documentation.
_PLACEHOLDER_NAMES = {
    "example", "domain", "yourdomain", "mydomain", "yourcompany", "company",
    "yourbusiness", "yoursite", "yourwebsite", "website", "email", "youremail",
    "test", "sample", "someone", "somewhere", "address", "site",
    "sentry", "wixpress", "sentry-next", "placeholder", "ourappcompany", "mysite",
}  # fmt: skip
_PLACEHOLDER_LOCALS = {
    "your", "you", "yourname", "your.name", "your.email", "youremail", "name",
    "email", "user", "username", "someone", "firstname", "first.last",
    "firstname.lastname", "name.surname", "john.doe", "jane.doe", "johndoe",
    "janedoe", "test", "example", "me", "mail",
}  # fmt: skip
_TRACKING_HOSTS = ("sentry.io", "wixpress.com", "sentry.wixpress.com")


def find_emails(page: Page) -> list[FoundEmail]:
    """Every distinct real address on *page*, first sighting kept."""
    found: dict[str, FoundEmail] = {}
    for email in _candidates(page):
        if email.value not in found:
            found[email.value] = email
    return list(found.values())


def _candidates(page: Page) -> Iterator[FoundEmail]:
    yield from _from_mailto(page)
    yield from _from_text(page)
    yield from _from_cloudflare(page)
    yield from _from_jsonld(page)


def _from_mailto(page: Page) -> Iterator[FoundEmail]:
    for link in page.links:
        if link.url[:7].lower() != "mailto:":
            continue
        target = unquote(link.url[7:]).split("?", 1)[0]
        for part in re.split(r"[,;]", target):
            address = _clean(part)
            if address and _is_real(address):
                yield FoundEmail(address.lower(), part.strip(), "mailto", link.text)


def _from_text(page: Page) -> Iterator[FoundEmail]:
    for line in lines_with(page.text, _AT_SIGN):
        for match in _EMAIL.finditer(line):
            address = _unglue(match.group(1), match.group(2))
            if address and _is_real(address):
                yield FoundEmail(address.lower(), match.group(0), "text", line)
    for line in lines_with(page.text, _AT_WORD):
        for match in _OBFUSCATED.finditer(line):
            domain = _DOT.sub(".", match.group(2))
            address = f"{match.group(1)}@{domain}"
            if _FULL.match(address) and _is_real(address):
                yield FoundEmail(address.lower(), match.group(0), "obfuscated", line)


def _from_cloudflare(page: Page) -> Iterator[FoundEmail]:
    if page.tree is None:
        return
    if "cfemail" not in page.html and "email-protection" not in page.html:
        return
    for element in page.tree.xpath("//*[@data-cfemail]"):
        address = decode_cfemail(element.get("data-cfemail", ""))
        if address and _FULL.match(address) and _is_real(address):
            yield FoundEmail(address.lower(), address, "cloudflare", "")
    for link in page.links:
        if "/cdn-cgi/l/email-protection#" in link.url:
            address = decode_cfemail(link.url.rsplit("#", 1)[1])
            if address and _FULL.match(address) and _is_real(address):
                yield FoundEmail(address.lower(), address, "cloudflare", link.text)


def decode_cfemail(encoded: str) -> str | None:
    """Decode Cloudflare's email protection: hex bytes XOR-ed with the first byte."""
    try:
        data = bytes.fromhex(encoded.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(byte ^ key for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _from_jsonld(page: Page) -> Iterator[FoundEmail]:
    for key, value in walk(page.jsonld):
        if key.lower() != "email" or not isinstance(value, str):
            continue
        address = _clean(unquote(value.removeprefix("mailto:")))
        if address and _is_real(address):
            yield FoundEmail(address.lower(), value, "jsonld", "")


def _clean(raw: str) -> str | None:
    """The address inside a link target or JSON value, without stray characters."""
    match = _EMAIL.search(raw.strip().strip("\\\"'<>"))
    return f"{match.group(1)}@{match.group(2)}" if match else None


def _unglue(local: str, domain: str) -> str | None:
    """Split a word glued after the address by markup ("…@gmail.comPhone").

    The last domain label is cut where a capital follows lower-case letters, as
    long as what remains is a real public suffix.
    """
    address = f"{local}@{domain}"
    if _suffix_ok(domain):
        return address
    head, _, last = domain.rpartition(".")
    match = re.match(r"([a-z]{2,24})[A-Z]", last)
    if match and _suffix_ok(f"{head}.{match.group(1)}"):
        return f"{local}@{head}.{match.group(1)}"
    return None


@lru_cache(maxsize=4096)
def _split_domain(domain: str) -> tldextract.tldextract.ExtractResult:
    return _EXTRACT(domain.lower())


def _suffix_ok(domain: str) -> bool:
    parts = _split_domain(domain)
    return bool(parts.suffix and parts.domain)


def _is_real(address: str) -> bool:
    """False for placeholders, file names, version strings and tracking ids."""
    local, _, domain = address.lower().rpartition("@")
    if not local or not domain:
        return False
    last = domain.rsplit(".", 1)[-1]
    if last in _FILE_SUFFIXES or not _suffix_ok(domain):
        return False
    if domain.endswith(_TRACKING_HOSTS) or re.fullmatch(r"[0-9a-f]{24,}", local):
        return False
    name = _split_domain(domain).domain
    if "example" in name or name in _PLACEHOLDER_NAMES:
        return False
    if name.startswith("your"):
        return False
    return local not in _PLACEHOLDER_LOCALS


def registrable_domain(domain: str) -> str:
    """``mail.example.co.uk`` → ``example.co.uk``."""
    parts = _split_domain(domain)
    return f"{parts.domain}.{parts.suffix}" if parts.suffix else parts.domain


# The bundled public-suffix snapshot: extraction never reaches the network.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
