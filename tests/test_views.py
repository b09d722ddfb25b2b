"""The register views of migration 0002 and the queries documented in docs/queries.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from crawler.store import Store
from tests import register_city
from tests.register_city import plant

QUERIES_MD = Path(__file__).resolve().parent.parent / "docs" / "queries.md"
_QUERY = re.compile(r"^### (\d+)\. (.+?)\n\n```sql\n(.+?)```", re.MULTILINE | re.DOTALL)


def documented_queries() -> dict[int, tuple[str, str]]:
    """The numbered queries of docs/queries.md: {number: (title, sql)}."""
    found = _QUERY.findall(QUERIES_MD.read_text(encoding="utf-8"))
    return {int(number): (title, sql) for number, title, sql in found}


async def rows_of(store: Store, sql: str) -> list[tuple[Any, ...]]:
    async with store.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(sql))]


ALPHA_SIGNALS = [
    ("sic", "62012", 1.0),
    ("sector", "software", 0.9),
    ("keyword", "software development", 0.8),
    ("keyword", "software development", 0.7),
    ("keyword", "saas", 0.6),
    ("technology", "React", 0.3),
    ("careers", "developer", 0.2),
]

# What each documented query answers on the planted register.
EXPECTED: dict[int, list[tuple[Any, ...]]] = {
    1: [(8, 3, 3, 1, 2, 2, 5)],
    2: [
        (
            "Delta Games Ltd",
            "00000004",
            "https://deltagames.io/",
            0.77,
            "keyword: games studio (0.70); technology: React (0.30)",
        ),
        ("Zeta", None, "https://zeta.io/", 0.66, "keyword: machine learning (0.65)"),
    ],
    3: [
        ("Epsilon Telecom Ltd", "00000005", "61100", None, None),
        ("Gamma Consulting Ltd", "00000003", "62020", None, None),
    ],
    4: [
        ("LS1", 3, 2, 1, 2),
        ("LS11", 1, 0, 1, 1),
        ("LS2", 1, 0, 0, 0),
        ("LS6", 1, 0, 0, 0),
    ],
    5: register_city.SECTORS_LS,
    6: [
        ("6110", "Wired telecommunications activities", 1),
        ("6201", "Computer programming activities", 1),
        ("6202", "Computer consultancy activities", 1),
    ],
    7: [
        (
            "Alpha Software Ltd",
            "https://alpha.co.uk/",
            "info@alpha.co.uk",
            "+441131234567",
            "LS1 4AP",
        ),
        (
            "Delta Games Ltd",
            "https://deltagames.io/",
            "hello@deltagames.io",
            None,
            "LS11 5AA",
        ),
    ],
    9: [("LS", 6, 3, 50.0), ("BD", 1, 0, 0.0)],
    10: [("React", 2)],
}


def test_ten_queries_are_documented() -> None:
    """docs/queries.md holds ten numbered queries, and each has an expected answer."""
    assert sorted(documented_queries()) == list(range(1, 11))
    assert set(EXPECTED) | {8} == set(range(1, 11))


@pytest.mark.asyncio
@pytest.mark.parametrize("number", range(1, 11))
async def test_documented_query_answers(store: Store, number: int) -> None:
    """Each documented query runs on this database and answers as planted."""
    await plant(store)
    title, sql = documented_queries()[number]

    rows = await rows_of(store, sql)

    if number == 8:
        assert [(k, v, w) for k, v, w, _url, _snippet in rows] == ALPHA_SIGNALS, title
    else:
        assert rows == EXPECTED[number], title


@pytest.mark.asyncio
async def test_dcms_classes_are_seeded(store: Store) -> None:
    """The migration seeds the 36 four-digit classes of the DCMS digital sector."""
    rows = await rows_of(store, "SELECT sic_class FROM dcms_digital_sic")

    classes = {sic_class for (sic_class,) in rows}
    assert len(classes) == 36
    assert {"2611", "4651", "5821", "6201", "6399", "9512"} <= classes
    assert all(len(c) == 4 and c.isdigit() for c in classes)


@pytest.mark.asyncio
async def test_comparison_counts_every_cell(store: Store) -> None:
    """digital_comparison counts seeded, matched, verified, SIC, web, both and either."""
    await plant(store)

    async with store.engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM digital_comparison"))).mappings()
        counts = dict(row.one())

    assert counts == register_city.HEADLINE


REGISTER_CONDITIONS = {
    "organisations": "1 = 1",
    "websites_matched": "website_matched",
    "websites_verified": "website_verified",
    "digital_by_sic": "digital_by_sic",
    "digital_by_web": "digital_by_web",
    "digital_by_both": "digital_basis = 'both'",
    "sic_only": "digital_basis = 'sic_only'",
    "web_only": "digital_basis = 'web_only'",
    "digital_either": "organisation_id IN (SELECT organisation_id FROM digital_register)",
    "web_verdict_unknown": "is_digital IS NULL",
}


@pytest.mark.asyncio
async def test_comparison_equals_counting_register_rows(store: Store) -> None:
    """Each headline number equals a plain count of the register rows it describes."""
    await plant(store)

    counted = {}
    for name, condition in REGISTER_CONDITIONS.items():
        sql = f"SELECT count(*) FROM register WHERE {condition}"
        [(counted[name],)] = await rows_of(store, sql)
    [comparison] = await rows_of(store, "SELECT * FROM digital_comparison")

    assert counted == dict(zip(REGISTER_CONDITIONS, comparison, strict=True))


@pytest.mark.asyncio
async def test_register_row_explains_the_organisation(store: Store) -> None:
    """A register row carries the website, top evidence, role contacts and district."""
    ids = await plant(store)

    async with store.engine.connect() as conn:
        result = await conn.execute(
            text("SELECT * FROM register WHERE organisation_id = :id"),
            {"id": ids["gb:00000001"]},
        )
        alpha = result.mappings().one()

    assert alpha["digital_basis"] == "both"
    assert alpha["digital_sic_codes"] == "62012"
    assert alpha["website"] == "https://alpha.co.uk/"
    assert alpha["top_evidence"] == register_city.ALPHA_TOP_EVIDENCE
    assert alpha["role_emails"] == "info@alpha.co.uk"
    assert alpha["postcode_district"] == "LS1"
    assert alpha["postcode_area"] == "LS"
    assert alpha["first_seen"] is not None


@pytest.mark.asyncio
async def test_district_of_untidy_and_missing_postcodes(store: Store) -> None:
    """Lower-case postcodes fall in their district; no postcode means no district."""
    await plant(store)

    rows = await rows_of(
        store, "SELECT postcode_district, organisations FROM district_counts"
    )

    assert dict(rows) == register_city.DISTRICTS


@pytest.mark.asyncio
async def test_scalar_or_empty_sic_codes_are_not_digital(store: Store) -> None:
    """SIC codes stored as a JSON scalar, an empty list or null never break the views."""
    await store.upsert_organisations(
        [
            {"key": "gb:00000011", "name": "Scalar", "sic_codes": "62012"},
            {"key": "gb:00000012", "name": "Empty", "sic_codes": []},
            {"key": "gb:00000013", "name": "Null", "sic_codes": None},
            {"key": "gb:00000014", "name": "Old SIC 2003", "sic_codes": ["7222"]},
        ]
    )

    rows = await rows_of(
        store, "SELECT name FROM register WHERE digital_by_sic ORDER BY name"
    )

    assert rows == []
