"""A small planted register for the view, report and export tests.

Eight organisations chosen so that every cell of the SIC-versus-web comparison is
filled: digital by both, by SIC only, by web evidence only, by neither, with and
without websites (verified, candidate, rejected), postcodes inside and outside the
LS area, and one organisation known only by its domain. ``EXPECTED`` holds the
counts worked out by hand from the rows below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crawler.store import Store

RULESET = "2026.12.1"

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "key": "gb:00000001",
        "company_number": "00000001",
        "name": "Alpha Software Ltd",
        "sic_codes": ["62012"],
        "postcode": "LS1 4AP",
        "incorporated_on": dt.date(2021, 5, 1),
        "is_digital": True,
        "digital_score": 0.91,
        "sectors": ["software"],
        "primary_domain": "alpha.co.uk",
    },
    {
        "key": "gb:00000002",
        "company_number": "00000002",
        "name": "Beta Bakery Ltd",
        "sic_codes": ["10710"],
        "postcode": "LS2 7EY",
        "is_digital": False,
        "digital_score": 0.08,
        "sectors": [],
    },
    {
        "key": "gb:00000003",
        "company_number": "00000003",
        "name": "Gamma Consulting Ltd",
        "sic_codes": ["70229", "62020"],
        "postcode": "LS1 2AB",
    },
    {
        "key": "gb:00000004",
        "company_number": "00000004",
        "name": "Delta Games Ltd",
        "sic_codes": ["90030"],
        "postcode": "LS11 5AA",
        "incorporated_on": dt.date(2019, 2, 1),
        "is_digital": True,
        "digital_score": 0.77,
        "sectors": ["games", "software"],
    },
    {
        "key": "gb:00000005",
        "company_number": "00000005",
        "name": "Epsilon Telecom Ltd",
        "sic_codes": ["61100"],
        "postcode": "BD1 1AA",
    },
    {
        "key": "domain:zeta.io",
        "name": "Zeta",
        "is_digital": True,
        "digital_score": 0.66,
        "sectors": ["data and AI"],
        "primary_domain": "zeta.io",
    },
    {
        "key": "gb:00000007",
        "company_number": "00000007",
        "name": "Eta Holdings Ltd",
        "sic_codes": ["99999"],
        "postcode": "LS6 1AA",
    },
    {
        "key": "gb:00000008",
        "company_number": "00000008",
        "name": "Theta Joinery Ltd",
        "postcode": "ls1 2ab",
        "is_digital": False,
        "digital_score": 0.12,
    },
]

# (organisation key, domain, verification)
WEBSITES = [
    ("gb:00000001", "alpha.co.uk", "verified", 0.98),
    ("gb:00000002", "betabakery.co.uk", "verified", 0.9),
    ("gb:00000003", "gamma-consulting.com", "candidate", 0.4),
    ("gb:00000004", "deltagames.io", "verified", 0.95),
    ("gb:00000005", "epsilon.net", "rejected", 0.1),
    ("domain:zeta.io", "zeta.io", "verified", 1.0),
]

# (organisation key, kind, value, weight, active, page)
SIGNALS = [
    ("gb:00000001", "keyword", "software development", 0.8, True, "/"),
    ("gb:00000001", "keyword", "software development", 0.7, True, "/about"),
    ("gb:00000001", "keyword", "saas", 0.6, True, "/"),
    ("gb:00000001", "technology", "React", 0.3, True, "/"),
    ("gb:00000001", "careers", "developer", 0.2, True, "/careers"),
    ("gb:00000001", "keyword", "cloud", 0.95, False, "/old"),
    ("gb:00000001", "sic", "62012", 1.0, True, "registry"),
    ("gb:00000001", "sector", "software", 0.9, True, "/"),
    ("gb:00000002", "technology", "Shopify", 0.05, True, "/"),
    ("gb:00000004", "keyword", "games studio", 0.7, True, "/"),
    ("gb:00000004", "technology", "React", 0.3, True, "/"),
    ("domain:zeta.io", "keyword", "machine learning", 0.65, True, "/"),
]

# (organisation key, kind, value, is_personal)
CONTACTS = [
    ("gb:00000001", "email", "info@alpha.co.uk", False),
    ("gb:00000001", "email", "jane.smith@alpha.co.uk", True),
    ("gb:00000001", "phone", "+441131234567", False),
    ("gb:00000001", "postcode", "LS1 4AP", False),
    ("gb:00000001", "geo", "53.7960,-1.5470", False),
    ("gb:00000004", "email", "hello@deltagames.io", False),
    ("gb:00000004", "postcode", "LS11 5AA", False),
    ("domain:zeta.io", "email", "sam@zeta.io", True),
]

HEADLINE = {
    "organisations": 8,
    "websites_matched": 5,
    "websites_verified": 4,
    "digital_by_sic": 3,
    "digital_by_web": 3,
    "digital_by_both": 1,
    "sic_only": 2,
    "web_only": 2,
    "digital_either": 5,
    "web_verdict_unknown": 3,
}

HEADLINE_LS = {
    "organisations": 6,
    "websites_matched": 4,
    "websites_verified": 3,
    "digital_by_sic": 2,
    "digital_by_web": 2,
    "digital_by_both": 1,
    "sic_only": 1,
    "web_only": 1,
    "digital_either": 3,
    "web_verdict_unknown": 2,
}

SECTORS = [("software", 2), ("data and AI", 1), ("games", 1)]
SECTORS_LS = [("software", 2), ("games", 1)]

DISTRICTS = {"LS1": 3, "LS2": 1, "LS11": 1, "BD1": 1, "LS6": 1, None: 1}

ALPHA_TOP_EVIDENCE = (
    "keyword: software development (0.80); keyword: saas (0.60);"
    " technology: React (0.30)"
)


async def plant(store: Store) -> dict[str, int]:
    """Write the planted register through the store; returns ids by key."""
    ids = await store.upsert_organisations(
        [
            {"jurisdiction": "gb" if "gb:" in o["key"] else None, **o}
            for o in ORGANISATIONS
        ]
    )

    await store.upsert_websites(
        {
            "organisation_id": ids[key],
            "domain": domain,
            "url": f"https://{domain}/",
            "verification": verification,
            "match_score": score,
            "match_method": "company_number",
        }
        for key, domain, verification, score in WEBSITES
    )
    await store.upsert_signals(
        {
            "organisation_id": ids[key],
            "kind": kind,
            "value": value,
            "weight": weight,
            "active": active,
            "source_url": page,
            "snippet": f"… {value} …",
            "ruleset_version": RULESET,
        }
        for key, kind, value, weight, active, page in SIGNALS
    )
    await store.upsert_contacts(
        {
            "organisation_id": ids[key],
            "kind": kind,
            "value": value,
            "is_personal": personal,
        }
        for key, kind, value, personal in CONTACTS
    )
    return ids
