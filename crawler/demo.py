"""
The sample city of ``datacity demo``: registry rows and websites, generated here.

Thirteen organisations chosen to show what the register is for: software firms the
SIC codes catch, digital firms whose SIC codes say otherwise (found only by their
websites), ordinary businesses with websites, SIC-digital companies with no usable
site (one has none, others misbehave) and one
whose guessed domain prints another company's number.

The misbehaving sites are plain files, so that the registry can name them with real
looking domains: a robots.txt that forbids everything, a home page of random bytes
and an empty home page. None of them can be verified. ``PLANTED`` is what a correct
run must count; the demo test holds the pipeline to it.
"""

from __future__ import annotations

import csv
import html
from dataclasses import dataclass
from pathlib import Path

SEARCH_EXPORT_HEADER = [
    "company_name",
    "company_number",
    "company_status",
    "company_type",
    "company_subtype",
    "dissolution_date",
    "incorporation_date",
    "removed_date",
    "registered_date",
    "nature_of_business",
    "registered_office_address",
]

DIGITAL_TEXT = [
    "We are a software development company in Leeds. Our engineers design, build and"
    " run bespoke web applications, SaaS platforms and mobile apps for clients across"
    " the UK.",
    "Services: custom software development, cloud migration and DevOps on AWS and"
    " Azure, API integration, data engineering and machine learning, and ongoing"
    " support for the products we ship.",
    "We are hiring: a senior Python developer, a React front-end engineer and a"
    " DevOps engineer to join our product team.",
]

ORDINARY_TEXT = {
    "bakery": [
        "A family bakery baking sourdough bread, pastries and celebration cakes by hand"
        " every morning since 1998.",
        "Visit our shop on the high street or order a birthday cake for collection. We"
        " take payments online and our shop is powered by Shopify.",
    ],
    "joinery": [
        "Traditional joinery: bespoke kitchens, staircases, sash windows and fitted"
        " wardrobes made in our own workshop.",
        "Our joiners have served homeowners and builders across West Yorkshire for"
        " thirty years. Call us for a free quote.",
    ],
    "plumbing": [
        "Gas Safe registered plumbers and heating engineers: boiler installation and"
        " servicing, central heating repairs and bathroom fitting.",
        "Emergency call-outs across Leeds, seven days a week. Free estimates.",
    ],
}


@dataclass(frozen=True, slots=True)
class SampleOrganisation:
    name: str
    number: str
    sic: tuple[str, ...]
    postcode: str
    # The site's hostname, a misbehaving host of the local web, or None for no site.
    domain: str | None
    # Whether the registry data names the website (else discovery guesses it).
    listed: bool
    # "digital", a key of ORDINARY_TEXT, "other-company" (prints another number), or
    # a misbehaviour: "robots-disallow", "binary" (a home page of random bytes) or
    # "empty" (a home page of no bytes at all).
    content: str | None


SAMPLE = [
    SampleOrganisation("Aire Software Ltd", "11000001", ("62012",), "LS1 4AP",
                       "airesoftware.co.uk", True, "digital"),
    SampleOrganisation("Kirkstall Code Ltd", "11000002", ("62020",), "LS5 3EH",
                       "kirkstallcode.co.uk", False, "digital"),
    SampleOrganisation("Calder Analytics Ltd", "11000003", ("70229",), "LS2 7EY",
                       "calderanalytics.co.uk", False, "digital"),
    SampleOrganisation("Wharfe Apps Ltd", "11000004", ("82990",), "LS21 1AB",
                       "wharfeapps.io", True, "digital"),
    SampleOrganisation("Roundhay Cloud Ltd", "11000005", ("74909",), "LS8 2HU",
                       "roundhaycloud.com", True, "digital"),
    SampleOrganisation("Headingley Bakery Ltd", "11000006", ("10710",), "LS6 3BN",
                       "headingleybakery.co.uk", True, "bakery"),
    SampleOrganisation("Pennine Joinery Ltd", "11000007", ("16230",), "LS28 7UR",
                       "penninejoinery.co.uk", False, "joinery"),
    SampleOrganisation("Meanwood Plumbing Ltd", "11000008", ("43220",), "LS7 2AA",
                       "meanwoodplumbing.co.uk", True, "plumbing"),
    SampleOrganisation("Chapel Allerton Data Ltd", "11000009", ("63110",), "LS7 4NZ",
                       None, False, None),
    SampleOrganisation("Holbeck Telecom Ltd", "11000010", ("61900",), "LS11 9PY",
                       "holbecktelecom.co.uk", True, "binary"),
    SampleOrganisation("Armley Media Ltd", "11000011", ("59112",), "LS12 2AB",
                       "armleymedia.co.uk", True, "robots-disallow"),
    SampleOrganisation("Bramley Digital Ltd", "11000012", ("62090",), "LS13 3AA",
                       "bramleydigital.co.uk", False, "other-company"),
    SampleOrganisation("Otley Builders Ltd", "11000013", ("41202",), "LS21 3HE",
                       "otleybuilders.co.uk", True, "empty"),
]  # fmt: skip

PLANTED = {
    "organisations": 13,
    # Verified: the eight readable sites that print their own number. Matched adds
    # the binary and the empty home pages, candidates on the registry's word alone.
    "websites_matched": 10,
    "websites_verified": 8,
    "digital_by_sic": 6,
    "digital_by_web": 5,
    "digital_by_both": 2,
    "sic_only": 4,
    "web_only": 3,
    "digital_either": 9,
}


def _page(org: SampleOrganisation, title: str, paragraphs: list[str]) -> str:
    number = "09999999" if org.content == "other-company" else org.number
    registered = "Another Company Ltd" if org.content == "other-company" else org.name
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    nav = " | ".join(
        f'<a href="/{p}/">{p.title()}</a>' for p in ("about", "services", "contact")
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | {html.escape(org.name)}</title></head>\n"
        f"<body><header><h1>{html.escape(org.name)}</h1><nav>{nav}"
        ' | <a href="/privacy/">Privacy</a></nav></header>\n'
        f"<main><h2>{html.escape(title)}</h2>\n{body}</main>\n"
        f"<footer><p>{html.escape(registered)} is registered in England and Wales,"
        f" company number {number}. Registered office: 1 Park Row, Leeds"
        f" {html.escape(org.postcode)}.</p></footer></body></html>\n"
    )


def _site_pages(org: SampleOrganisation) -> dict[str, str]:
    if org.content in ("digital", "other-company", "robots-disallow"):
        text = DIGITAL_TEXT
    else:
        text = ORDINARY_TEXT[org.content or "bakery"]
    local = org.domain.split(".")[0] if org.domain else "info"
    contact = [
        f"Email info@{org.domain} or call 0113 496 0{org.number[-3:]}.",
        f"Find us at 1 Park Row, Leeds {org.postcode}.",
        f"Press enquiries: hello@{org.domain}. Accounts: {local} accounts team.",
    ]
    return {
        "index.html": _page(org, "Home", text),
        "about/index.html": _page(org, "About us", text[:2]),
        "services/index.html": _page(org, "Services", text[1:]),
        "contact/index.html": _page(org, "Contact", contact),
        "privacy/index.html": _page(
            org, "Privacy", ["We keep the personal data you send us safe."]
        ),
    }


def _write_site(sites: Path, org: SampleOrganisation) -> None:
    root = sites / str(org.domain)
    root.mkdir(parents=True, exist_ok=True)
    if org.content == "binary":
        # Deterministic noise: the same bytes on every run.
        (root / "index.html").write_bytes(
            bytes((i * 97 + 13) % 256 for i in range(4096))
        )
        return
    if org.content == "empty":
        (root / "index.html").write_bytes(b"")
        return

    for path, text in _site_pages(org).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    rule = "Disallow: /" if org.content == "robots-disallow" else "Allow: /"
    (root / "robots.txt").write_text(f"User-agent: *\n{rule}\n")


def generate(root: Path) -> tuple[Path, Path, Path]:
    """Write the sample city under *root*; returns (sites, registry CSV, websites CSV)."""
    sites = root / "sites"
    for org in SAMPLE:
        if org.domain is not None and org.content is not None:
            _write_site(sites, org)

    registry = root / "registry.csv"
    with registry.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SEARCH_EXPORT_HEADER)
        for org in SAMPLE:
            address = f"1 Park Row Leeds {org.postcode} England"
            writer.writerow(
                [org.name, org.number, "Active", "Private limited company", "", "",
                 "2020-01-01", "", "", " ".join(org.sic), address]
            )  # fmt: skip

    websites = root / "websites.csv"
    with websites.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "company_number", "website", "postcode"])
        for org in SAMPLE:
            if org.listed and org.domain:
                writer.writerow(
                    [org.name, org.number, f"http://{org.domain}/", org.postcode]
                )
    return sites, registry, websites
