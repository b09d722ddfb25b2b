"""How to reach an organisation: every contact point published on one page.

``extract_contacts(page)`` gathers emails, phones, UK postcodes, schema.org postal
addresses, the organisation's own social profiles and company numbers, each with its
normalised value, the form shown on the page and whether it belongs to a named person
(personal data under UK GDPR) or to a role (info@, sales@, a switchboard).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from crawler.extract.company_numbers import find_company_number_matches
from crawler.extract.emails import find_emails, registrable_domain
from crawler.extract.jsonld import objects_of_type
from crawler.extract.page import Page
from crawler.extract.phones import FoundPhone, find_phones
from crawler.extract.postcodes import find_addresses, find_postcodes
from crawler.extract.socials import find_socials, owner_words
from crawler.extract.urls import host_of
from crawler.keys import normalise_company_number

KINDS = ("email", "phone", "postcode", "address", "social", "company_number")


@dataclass(frozen=True)
class Contact:
    kind: str  # email | phone | postcode | address | social | company_number
    value: str  # normalised: lower-case email, E.164 phone, "LS1 4AP", canonical URL
    shown: str  # as shown on the page
    url: str  # the page's URL
    is_personal: bool = False  # a named person's email or phone, not a role's
    # Where it was read: "jsonld" for schema.org data a visitor never sees; else
    # the visible source (mailto, tel, text, obfuscated, cloudflare, link).
    source: str = "text"


# A brand mailbox repeats the organisation's name: at least this many letters…
_BRAND_RUN = 5  # letters shared with the organisation's name
_BRAND_SHARE = 0.4  # …and at least this share of the local part's letters
# Free-mail providers: their name says nothing about whose mailbox it is.
_FREE_MAIL = {
    "gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "msn", "aol",
    "icloud", "me", "mac", "btinternet", "btopenworld", "sky", "virginmedia",
    "talktalk", "protonmail", "proton", "gmx", "mail", "ymail", "zoho", "yandex",
}  # fmt: skip
# Local-part words that name a function rather than a person.
_ROLE_WORDS = {
    "info", "information", "hello", "hi", "hey", "contact", "contacts", "contactus",
    "enquiries", "enquiry", "enquire", "inquiries", "inquiry", "sales", "support",
    "help", "helpdesk", "service", "services", "customerservice", "customerservices",
    "customer", "customers", "care", "admin", "administrator", "administration",
    "office", "mail", "email", "team", "accounts", "account", "billing", "finance",
    "invoices", "payments", "bookings", "booking", "reservations", "orders", "shop",
    "store", "jobs", "careers", "recruitment", "hr", "press", "media", "marketing",
    "pr", "news", "newsletter", "privacy", "gdpr", "dpo", "dataprotection", "data",
    "legal", "compliance", "security", "abuse", "webmaster", "postmaster",
    "hostmaster", "noreply", "no-reply", "donotreply", "reception", "general",
    "studio", "events", "membership", "members", "volunteer", "volunteers",
    "partners", "partnerships", "business", "contract", "contracts", "tech",
    "technical", "it", "dev", "developer", "developers", "operations", "ops",
    "feedback", "complaints", "quotes", "quote", "hire", "welcome",
    "churchwarden", "treasurer", "secretary", "chair", "reader", "prayer",
    "requests", "clerk", "headteacher", "manager", "director", "editor", "ask",
    "ltd", "limited", "group", "museum", "club", "society", "trust", "school",
}  # fmt: skip
# Function words long enough to be recognised inside a run-together local part.
_LONG_ROLE_WORDS = {word for word in _ROLE_WORDS if len(word) >= 6}
_ROLE_PHONE = re.compile(
    r"switchboard|office|main|reception|enquir|sales|support|helpline|head office"
    r"|bookings?|customer|general|landline|freephone",
    re.IGNORECASE,
)
_NAMED_CALL = re.compile(
    r"\b(?i:call|phone|ring|text|contact|speak to)\s+([A-Z][a-z]+)"
)


# Bodies whose contact details privacy notices quote: a complaint route, not the
# organisation's own line.
_REGULATOR = re.compile(
    r"information commissioner|\bICO\b|supervisory authority|data protection"
    r" (?:authority|commissioner)|\bOIC\b|ombudsman",
    re.IGNORECASE,
)
# Every _REGULATOR match contains one of these (case-folded).
_REGULATOR_WORDS = (
    "commissioner", "supervisory authority", "data protection", "ombudsman",
    "ico", "oic",
)  # fmt: skip
# …but not the organisation's own registration with the regulator.
_OWN_REGISTRATION = re.compile(
    r"regist\w*\W+(?:\w+\W+){0,3}ICO\b|\bICO\W+(?:regist|ref|number|no\b|fee)",
    re.IGNORECASE,
)
# Details theme authors type as stand-ins: North American 555 numbers, the
# "1234 567890" run and the reserved example domains.
_PLACEHOLDER = re.compile(
    r"\(?\b555\)?[\s.-]\d{3}[\s.-]?\d{4}\b|\b1234\s?567\s?890\b"
    r"|@example\.(?:com|org|net)\b",
    re.IGNORECASE,
)
# "call", "ring"… and the words that may stand between it and a number without
# naming anyone ("call us now on", "ring our office team at").
_CALL = re.compile(r"\b(?:call|ring|phone|dial|contact|text)\b", re.IGNORECASE)
_CALL_FILLER = {
    "us", "our", "we", "me", "my", "the", "a", "an", "on", "at", "or", "and", "to",
    "now", "today", "free", "anytime", "directly", "team", "office", "please",
    "for", "more", "info", "information", "details", "number", "telephone", "tel",
    "phone", "mobile", "freephone", "enquiries", "sales", "support", "help",
    "line", "via", "by", "in", "you", "can", "also", "just", "simply", "give",
    "call", "ring", "dial", "contact", "text",
}  # fmt: skip
_ACRONYM = re.compile(r"[A-Z]{2,6}")
_WORD = re.compile(r"[A-Za-z][\w&'-]*")
_CALL_REACH = 8  # words between "call" and the number
_NAME_JOINERS = {"of", "for", "and", "&"}
_OURS = {"our", "my", "us", "we"}
# Words in the names of public bodies, services and companies, not of people.
_BODY_WORDS = {
    "rail", "railway", "railways", "council", "helpline", "hotline", "trust",
    "agency", "authority", "bank", "police", "commission", "department",
    "association", "society", "foundation", "bureau", "advice", "nhs", "ltd",
    "limited", "plc", "network", "embassy", "ministry", "hospital", "ombudsman",
    "registry", "samaritans", "charity",
}  # fmt: skip
_TEMPLATE_REACH = 2  # lines either side
_LISTING_POSTCODES = 3
_ADDRESS_LINE = 60  # characters: shorter lines are read as one address block


def extract_contacts(page: Page) -> list[Contact]:
    """Every contact point on *page*, one per (kind, value), in a stable order.

    Emails, phones and postcodes quoted for a regulator (the ICO's helpline and
    address in a privacy notice) are left out, and so are those printed next to a
    theme's placeholder details ("Phone: +1 (555) 123-4567"), which mark the block
    as template text nobody filled in.
    """
    contacts = _all_contacts(page)

    # Cheap substring tests first: the case-insensitive regexes scan the whole text
    # and most pages contain none of the words they need.
    text = page.text
    folded = text.casefold()
    if any(word in folded for word in _REGULATOR_WORDS) and _REGULATOR.search(text):
        contacts = [c for c in contacts if not _for_regulator(page, c)]
    if _may_hold_placeholder(text, folded) and _PLACEHOLDER.search(text):
        contacts = [c for c in contacts if not _in_template_block(page, c)]
    if any(c.kind == "phone" for c in contacts) and _CALL.search(page.text):
        owner = owner_words(page)
        contacts = [c for c in contacts if not _for_another_body(page, c, owner)]
    return contacts


def _may_hold_placeholder(text: str, folded: str) -> bool:
    """False when *text* lacks the literals every _PLACEHOLDER match contains."""
    return "555" in text or "1234" in text or "@example." in folded


def _all_contacts(page: Page) -> list[Contact]:
    contacts: list[Contact] = []
    emails = find_emails(page)
    site = host_of(page.url)
    personal = {e.value: not is_role_address(e.value, site) for e in emails}
    personal_names = {_person_name(value) for value, mine in personal.items() if mine}
    contacts += [
        Contact("email", e.value, e.shown, page.url, personal[e.value], e.source)
        for e in emails
    ]
    contacts += [
        Contact(
            "phone",
            p.value,
            p.shown,
            page.url,
            _is_personal_phone(p, personal_names),
            p.source,
        )
        for p in find_phones(page)
    ]
    contacts += [
        Contact("postcode", p.value, p.shown, page.url) for p in find_postcodes(page)
    ]
    contacts += [
        Contact("address", line, line, page.url, source="jsonld")
        for line, _ in find_addresses(page)
    ]
    contacts += [
        Contact("social", s.value, s.shown, page.url, source=s.source)
        for s in find_socials(page)
    ]
    contacts += [
        Contact("company_number", number, shown, page.url, source=source)
        for number, (shown, source) in _company_numbers(page).items()
    ]
    return contacts


def _for_another_body(page: Page, contact: Contact, owner: set[str]) -> bool:
    """True when the sentence holding a phone number tells readers to call a named
    body other than the site's ("call the NRE contact centre on 03457 48 49 50",
    "ring National Rail Enquiries on …"): an article quoting someone else's line."""
    if contact.kind != "phone" or not contact.shown:
        return False
    for line in page.text.splitlines():
        at = line.find(contact.shown)
        if at < 0:
            continue
        sentence = re.split(r"[.!?]\s", line[:at])[-1]
        call = _CALL.search(sentence)
        if call and _names_other_body(sentence[call.end() :], owner):
            return True
    return False


def _names_other_body(words: str, owner: set[str]) -> bool:
    """True when *words* (those between "call" and the number) name a body that is
    not the site: an acronym ("NRE", not in block capitals shouting "CALL FOR A
    QUOTE"), or a run of capitalised words holding an institution's word ("National
    Rail Enquiries", "Leeds City Council"). A person's name ("call John Smith") is
    someone at the organisation, so it does not count."""
    found = _WORD.findall(words)
    if len(found) > _CALL_REACH:
        return False  # too far from "call" to be what is called
    if any(c.islower() for c in words) and any(
        _ACRONYM.fullmatch(word)
        and word.lower() not in _CALL_FILLER
        and not _owns_acronym(word, owner)
        for word in found
    ):
        return True
    run: list[str] = []
    for word in [*found, ""]:
        if word[:1].isupper() or (run and word.lower() in _NAME_JOINERS):
            run.append(word.lower())
            continue
        if (
            any(w in _BODY_WORDS for w in run)
            and not _OURS & set(run)
            and not any(w in name for w in run for name in owner)
        ):
            return True
        run = []
    return False


def _owns_acronym(word: str, owner: set[str]) -> bool:
    """True when the acronym is part of the site's name or made of its initials."""
    word = word.lower()
    return any(word in name for name in owner) or set(word) <= {n[0] for n in owner}


def _for_regulator(page: Page, contact: Contact) -> bool:
    """True when the text around *contact* names a regulator: on its line, the two
    lines before it, or anywhere in the short address lines just above it."""
    if contact.kind not in ("email", "phone", "postcode") or not contact.shown:
        return False
    lines = page.text.splitlines()
    for index, line in enumerate(lines):
        if contact.shown not in line:
            continue
        before = lines[max(0, index - 2) : index + 1]
        block = index - 1
        while block >= 0 and len(lines[block]) <= _ADDRESS_LINE and index - block <= 6:
            before.append(lines[block])
            block -= 1
        if any(_names_regulator(text) for text in before):
            return True
    return False


def _in_template_block(page: Page, contact: Contact) -> bool:
    """True when a line within two of *contact*'s holds a placeholder detail."""
    if contact.kind not in ("email", "phone") or not contact.shown:
        return False
    lines = page.text.splitlines()
    for index, line in enumerate(lines):
        if contact.shown in line and not _PLACEHOLDER.search(contact.shown):
            near = lines[max(0, index - _TEMPLATE_REACH) : index + _TEMPLATE_REACH + 1]
            if any(_PLACEHOLDER.search(text) for text in near):
                return True
    return False


def _names_regulator(line: str) -> bool:
    return bool(_REGULATOR.search(line)) and not _OWN_REGISTRATION.search(line)


def collect_contacts(pages: Iterable[Page]) -> list[Contact]:
    """The contacts of one organisation from all its pages (see site_contacts)."""
    return site_contacts([extract_contacts(page) for page in pages])


def site_contacts(per_page: Sequence[list[Contact]]) -> list[Contact]:
    """Fold the contacts of a site's pages into one list, one per (kind, value).

    *per_page* holds ``extract_contacts`` of each page, in crawl order; the first
    sighting is kept (usually the home page's). A page that prints several postcodes
    is a listing of other places (venues, stockists, galleries): its postcodes,
    phones and emails are kept only when another page of the site shows them too,
    or, for an email, when it is at the site's own domain. A one-page site is taken
    as it is.
    """
    listing = [
        len(per_page) > 1
        and sum(c.kind == "postcode" for c in contacts) >= _LISTING_POSTCODES
        for contacts in per_page
    ]
    elsewhere = {
        (c.kind, c.value)
        for contacts, is_listing in zip(per_page, listing, strict=True)
        if not is_listing
        for c in contacts
    }
    found: dict[tuple[str, str], Contact] = {}
    for contacts, is_listing in zip(per_page, listing, strict=True):
        for contact in contacts:
            key = (contact.kind, contact.value)
            if is_listing and key not in elsewhere and not _own(contact):
                continue
            found.setdefault(key, contact)
    return list(found.values())


def _own(contact: Contact) -> bool:
    """Contacts a listing page cannot be quoting for someone else."""
    if contact.kind == "email":
        site = registrable_domain(host_of(contact.url))
        return registrable_domain(contact.value.rpartition("@")[2]) == site
    return contact.kind not in ("postcode", "phone")


def _company_numbers(page: Page) -> dict[str, tuple[str, str]]:
    """Numbers from the trading disclosure in the text, then from schema.org data.

    In JSON-LD only an ``identifier`` whose name says it is a company registration
    counts; ``taxID`` and ``vatID`` hold VAT numbers, which look alike.
    """
    found = {
        number: (shown, "text")
        for number, shown in find_company_number_matches(page.text)
    }
    for organisation in objects_of_type(page.jsonld, "Organization", "LocalBusiness"):
        identifiers = organisation.get("identifier")
        for identifier in (
            identifiers if isinstance(identifiers, list) else [identifiers]
        ):
            if not isinstance(identifier, dict):
                continue
            label = f"{identifier.get('propertyID', '')} {identifier.get('name', '')}"
            value = identifier.get("value")
            if not re.search(r"compan|registration|crn", label, re.I) or not value:
                continue
            try:
                number = normalise_company_number(str(value))
                found.setdefault(number, (str(value), "jsonld"))
            except ValueError:
                continue
    return found


def is_role_address(address: str, site: str = "") -> bool:
    """True when *address* is a role or brand mailbox, not a named person's.

    Role: the local part is or holds a function word ("sales", "hello.uk",
    "bookingsteam"). Brand: it repeats a good part of the organisation's name, taken
    from the site's host or the address's own domain ("bloom.services@gmail.com" on
    bloomgardens.co.uk). Anything else (a first name, initials, "first.last") is
    treated as personal, the safe side for personal data.
    """
    local, _, domain = address.lower().partition("@")
    words = [w for w in re.split(r"[._+\-\d]+", local) if w]
    if not words:
        return False
    if local in _ROLE_WORDS or any(word in _ROLE_WORDS for word in words):
        return True
    if any(role in local for role in _LONG_ROLE_WORDS):
        return True
    if local.endswith(("ltd", "limited", "plc", "llp")):
        return True  # a company's own name as the mailbox
    letters = "".join(words)
    return any(
        _shared_run(letters, name) >= max(_BRAND_RUN, _BRAND_SHARE * len(letters))
        for name in (_name_of(site), _name_of(domain))
    )


def _name_of(host: str) -> str:
    """The letters of a host's registrable name: ``www.bloom-gardens.co.uk`` →
    bloomgardens; empty for free-mail providers, whose name says nothing."""
    name = registrable_domain(host.lower()).split(".", 1)[0] if host else ""
    return "" if name in _FREE_MAIL else re.sub(r"[^a-z]", "", name)


def _shared_run(a: str, b: str) -> int:
    """Length of the longest run of letters *a* and *b* have in common."""
    if not a or not b:
        return 0
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size


def _person_name(address: str) -> str:
    return re.split(r"[._+\-\d]", address.split("@", 1)[0])[0].lower()


def _is_personal_phone(phone: FoundPhone, personal_names: set[str]) -> bool:
    """A phone is personal when its label names someone ("Call Gary") or the line
    that holds it also holds a personal address; a role label wins."""
    if _ROLE_PHONE.search(phone.context):
        return False
    named = _NAMED_CALL.search(phone.context)
    if named and named.group(1).lower() not in _ROLE_WORDS:
        return True
    words = set(re.findall(r"[a-z]+", phone.context.lower()))
    return bool(personal_names & words)
