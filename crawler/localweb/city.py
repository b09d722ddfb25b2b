"""Generate a city of small company websites for the local test web.

Benchmarks and tests need many sites with realistic pages: a home page linking to
about, contact, services, team, careers and legal pages, further pages (news posts)
beyond those, 20-80 KB of HTML each, a robots.txt, and optionally a sitemap.xml that
also lists a page no link reaches. Content is deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

EVIDENCE_PAGES = ["about", "contact", "services", "team", "careers", "privacy", "terms"]
WORDS = [
    "digital",
    "software",
    "cloud",
    "data",
    "platform",
    "studio",
    "design",
    "engineering",
    "consulting",
    "analytics",
    "security",
    "network",
    "systems",
    "solutions",
    "services",
    "product",
    "customers",
    "team",
    "people",
    "leeds",
    "yorkshire",
    "city",
    "north",
    "community",
    "bespoke",
    "web",
    "mobile",
    "app",
    "support",
    "managed",
    "hosting",
    "training",
    "partners",
    "delivery",
    "quality",
    "project",
    "innovation",
    "growth",
]
NAMES = ["Aire", "Pennine", "Kirkstall", "Headingley", "Roundhay", "Calder", "Wharfe"]
TRADES = ["Digital", "Software", "Bakery", "Builders", "Studio", "Analytics", "Joinery"]


@dataclass(frozen=True, slots=True)
class GeneratedSite:
    name: str
    domain: str
    company_number: str
    paths: list[str]  # every page's URL path, home first
    hidden: str | None = None  # a page listed only in sitemap.xml


def page_paths(pages: int) -> list[str]:
    """URL paths of a site with *pages* pages: home, evidence pages, then news."""
    paths = ["/"] + [f"/{p}/" for p in EVIDENCE_PAGES]
    paths += [f"/news/post-{n}/" for n in range(1, max(0, pages - len(paths)) + 1)]
    return paths[:pages]


def _html(rng: random.Random, site: GeneratedSite, path: str, size: int) -> str:
    title = path.strip("/").replace("/", " ").replace("-", " ").title() or "Home"
    nav = "".join(
        f'<li><a href="{p}">{p.strip("/") or "home"}</a></li>' for p in site.paths
    )
    footer = (
        f"<footer><p>{site.name} Limited, registered in England and Wales, company "
        f"number {site.company_number}. Registered office: 1 Park Row, Leeds LS1 5AB."
        "</p></footer>"
    )
    head = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} | {site.name}</title>"
        f'<meta name="description" content="{site.name}: {" ".join(rng.sample(WORDS, 8))}">'
        f"</head><body><header><nav><ul>{nav}</ul></nav></header><main><h1>{title}</h1>"
    )
    paragraphs = []
    length = len(head) + len(footer) + 20
    while length < size:
        sentence = " ".join(rng.choices(WORDS, k=rng.randint(60, 120)))
        paragraph = f"<p>{sentence.capitalize()}.</p>\n"
        paragraphs.append(paragraph)
        length += len(paragraph)
    return head + "".join(paragraphs) + "</main>" + footer + "</body></html>"


def generate_city(
    root: Path,
    sites: int,
    pages: int,
    *,
    page_bytes: tuple[int, int] = (20_000, 80_000),
    sitemap_every: int = 0,
    seed: int = 7,
) -> list[GeneratedSite]:
    """Write *sites* sites of *pages* pages each under *root*; returns what was made.

    Every *sitemap_every*-th site (0: none) gets a sitemap.xml, named in its
    robots.txt, that also lists one page no link reaches.
    """
    rng = random.Random(seed)
    made = []
    for index in range(sites):
        name = f"{rng.choice(NAMES)} {rng.choice(TRADES)} {index}"
        domain = f"{name.lower().replace(' ', '-')}.co.uk"
        has_sitemap = bool(sitemap_every) and index % sitemap_every == 0
        site = GeneratedSite(
            name=name,
            domain=domain,
            company_number=f"{10_000_000 + index:08d}",
            paths=page_paths(pages),
            hidden="/partners-unlinked/" if has_sitemap else None,
        )
        _write_site(rng, root / domain, site, page_bytes)
        made.append(site)
    return made


def _write_site(
    rng: random.Random, folder: Path, site: GeneratedSite, page_bytes: tuple[int, int]
) -> None:
    all_paths = site.paths + ([site.hidden] if site.hidden else [])
    for path in all_paths:
        target = folder / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_html(rng, site, path, rng.randint(*page_bytes)))

    robots = "User-agent: *\nDisallow: /admin/\n"
    if site.hidden:
        robots += f"Sitemap: http://{site.domain}/sitemap.xml\n"
        entries = "".join(
            f"<url><loc>http://{site.domain}{p}</loc></url>" for p in all_paths
        )
        (folder / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>"
        )
    (folder / "robots.txt").write_text(robots)
