"""Register views: the digital register, sector and district counts, SIC vs web

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 16:55:00.000000+00:00

The views are written out per dialect because the JSON functions differ:
``json_each`` on SQLite, ``jsonb_array_elements_text`` on PostgreSQL, and SQLite
3.40 has no ``ORDER BY`` inside an aggregate, so ordered lists are aggregated from
an ordered subquery there. Every other expression is the same on both.

A later migration that rebuilds ``organisations``, ``websites``, ``signals`` or
``contacts`` on SQLite (batch mode) must drop these views first and create them
again afterwards: SQLite refuses to rename a table a view depends on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The DCMS digital sector: 36 four-digit SIC 2007 classes (DCMS Sector Economic
# Estimates). Class titles: UK SIC 2007, Crown copyright, Open Government Licence v3.0.
DCMS_DIGITAL_SIC = [
    ("2611", "Manufacture of electronic components"),
    ("2612", "Manufacture of loaded electronic boards"),
    ("2620", "Manufacture of computers and peripheral equipment"),
    ("2630", "Manufacture of communication equipment"),
    ("2640", "Manufacture of consumer electronics"),
    ("2680", "Manufacture of magnetic and optical media"),
    ("4651", "Wholesale of computers, computer peripheral equipment and software"),
    ("4652", "Wholesale of electronic and telecommunications equipment and parts"),
    ("5811", "Book publishing"),
    ("5812", "Publishing of directories and mailing lists"),
    ("5813", "Publishing of newspapers"),
    ("5814", "Publishing of journals and periodicals"),
    ("5819", "Other publishing activities"),
    ("5821", "Publishing of computer games"),
    ("5829", "Other software publishing"),
    ("5911", "Motion picture, video and television programme production activities"),
    (
        "5912",
        "Motion picture, video and television programme post-production activities",
    ),
    ("5913", "Motion picture, video and television programme distribution activities"),
    ("5914", "Motion picture projection activities"),
    ("5920", "Sound recording and music publishing activities"),
    ("6010", "Radio broadcasting"),
    ("6020", "Television programming and broadcasting activities"),
    ("6110", "Wired telecommunications activities"),
    ("6120", "Wireless telecommunications activities"),
    ("6130", "Satellite telecommunications activities"),
    ("6190", "Other telecommunications activities"),
    ("6201", "Computer programming activities"),
    ("6202", "Computer consultancy activities"),
    ("6203", "Computer facilities management activities"),
    ("6209", "Other information technology and computer service activities"),
    ("6311", "Data processing, hosting and related activities"),
    ("6312", "Web portals"),
    ("6391", "News agency activities"),
    ("6399", "Other information service activities n.e.c."),
    ("9511", "Repair of computers and peripheral equipment"),
    ("9512", "Repair of communication equipment"),
]

# The pieces that differ between the dialects. {json} is a JSON column expression;
# each JSON expansion yields rows with one text column, ``value``.
DIALECT_SQL = {
    "sqlite": {
        "elements": (
            "json_each(CASE WHEN json_type({json}) = 'array' THEN {json} ELSE '[]' END)"
        ),
        "weight": "printf('%.2f', {weight})",
    },
    "postgresql": {
        "elements": (
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof({json}) = 'array'"
            " THEN {json} ELSE '[]'::jsonb END)"
        ),
        "weight": "to_char({weight}, 'FM990.00')",
    },
}


def _ordered_list(dialect: str, value: str, from_where: str, order: str) -> str:
    """A scalar subquery joining *value* over the rows of *from_where*, in *order*."""
    if dialect == "postgresql":
        return f"(SELECT string_agg({value}, '; ' ORDER BY {order}) {from_where})"
    return (
        f"(SELECT group_concat(item, '; ') FROM"
        f" (SELECT {value} AS item {from_where} ORDER BY {order}))"
    )


def _register_sql(dialect: str) -> str:
    # Website flags use an uncorrelated IN, which both databases evaluate once as a
    # hashed set: five times faster than a correlated EXISTS per organisation.
    parts = DIALECT_SQL[dialect]
    sic_codes = parts["elements"].format(json="o.sic_codes")
    alias = "code(value)" if dialect == "postgresql" else "code"

    digital_sic_codes = _ordered_list(
        dialect,
        "code.value",
        f"FROM {sic_codes} AS {alias}"
        " JOIN dcms_digital_sic d ON d.sic_class = substr(code.value, 1, 4)",
        "code.value",
    )
    # Top evidence: the three strongest active web signals, one line per kind and
    # value however many pages showed it. The SIC and sector signals are left
    # out: they have their own columns.
    top_evidence = _ordered_list(
        dialect,
        "t.kind || ': ' || t.value || ' (' || "
        + parts["weight"].format(weight="t.weight")
        + " || ')'",
        "FROM (SELECT s.kind, s.value, max(s.weight) AS weight FROM signals s"
        " WHERE s.organisation_id = o.id AND s.active"
        " AND s.kind NOT IN ('sic', 'sector')"
        " GROUP BY s.kind, s.value"
        " ORDER BY max(s.weight) DESC, s.kind, s.value LIMIT 3) AS t",
        "t.weight DESC, t.kind, t.value",
    )

    def role_contacts(kind: str) -> str:
        return _ordered_list(
            dialect,
            "c.value",
            f"FROM contacts c WHERE c.organisation_id = o.id AND c.kind = '{kind}'"
            " AND NOT c.is_personal",
            "c.value",
        )

    return f"""
CREATE VIEW register AS
SELECT
    b.organisation_id, b.key, b.jurisdiction, b.company_number, b.name, b.status,
    b.sic_codes, b.digital_sic_codes,
    (b.digital_sic_codes IS NOT NULL) AS digital_by_sic,
    (b.is_digital IS TRUE) AS digital_by_web,
    CASE
        WHEN b.digital_sic_codes IS NOT NULL AND b.is_digital IS TRUE THEN 'both'
        WHEN b.digital_sic_codes IS NOT NULL THEN 'sic_only'
        WHEN b.is_digital IS TRUE THEN 'web_only'
        ELSE 'neither'
    END AS digital_basis,
    b.is_digital, b.digital_score, b.sectors, b.top_evidence,
    b.primary_domain, b.website, b.website_matched, b.website_verified,
    b.role_emails, b.role_phones,
    b.postcode,
    CASE WHEN length(b.pc) BETWEEN 5 AND 7
        THEN substr(b.pc, 1, length(b.pc) - 3) END AS postcode_district,
    CASE WHEN length(b.pc) BETWEEN 5 AND 7 THEN
        CASE WHEN substr(b.pc, 2, 1) IN ('0','1','2','3','4','5','6','7','8','9')
            THEN substr(b.pc, 1, 1) ELSE substr(b.pc, 1, 2) END
    END AS postcode_area,
    b.post_town, b.incorporated_on, b.last_crawled, b.first_seen, b.last_seen
FROM (
    SELECT
        o.id AS organisation_id, o.key, o.jurisdiction, o.company_number, o.name,
        o.status, o.sic_codes, o.is_digital, o.digital_score, o.sectors,
        o.primary_domain, o.postcode, o.post_town, o.incorporated_on,
        o.last_crawled, o.first_seen, o.last_seen,
        upper(replace(o.postcode, ' ', '')) AS pc,
        {digital_sic_codes} AS digital_sic_codes,
        {top_evidence} AS top_evidence,
        (SELECT coalesce(w.url, w.domain) FROM websites w
            WHERE w.organisation_id = o.id AND w.verification = 'verified'
            ORDER BY coalesce(w.match_score, 0) DESC, w.id LIMIT 1) AS website,
        o.id IN (SELECT w.organisation_id FROM websites w
            WHERE w.verification <> 'rejected') AS website_matched,
        o.id IN (SELECT w.organisation_id FROM websites w
            WHERE w.verification = 'verified') AS website_verified,
        {role_contacts("email")} AS role_emails,
        {role_contacts("phone")} AS role_phones
    FROM organisations o
) AS b
"""


def _views(dialect: str) -> list[tuple[str, str]]:
    """(name, CREATE VIEW statement) in dependency order."""
    parts = DIALECT_SQL[dialect]
    sic_codes = parts["elements"].format(json="o.sic_codes")
    sectors = parts["elements"].format(json="r.sectors")
    code = "code(value)" if dialect == "postgresql" else "code"
    sector = "sector(value)" if dialect == "postgresql" else "sector"

    names = [
        "organisations",
        "websites_matched",
        "websites_verified",
        "digital_by_sic",
        "digital_by_web",
        "digital_by_both",
        "sic_only",
        "web_only",
        "digital_either",
        "web_verdict_unknown",
    ]
    totals = ",\n".join(
        f"    CAST(coalesce(SUM({name}), 0) AS BIGINT) AS {name}" for name in names
    )

    return [
        (
            "organisation_digital_sic",
            f"""
CREATE VIEW organisation_digital_sic AS
SELECT o.id AS organisation_id, code.value AS sic_code, d.sic_class, d.description
FROM organisations o
CROSS JOIN {sic_codes} AS {code}
JOIN dcms_digital_sic d ON d.sic_class = substr(code.value, 1, 4)
""",
        ),
        ("register", _register_sql(dialect)),
        (
            "digital_register",
            """
CREATE VIEW digital_register AS
SELECT * FROM register WHERE digital_by_sic OR digital_by_web
""",
        ),
        # Each flag is computed once per organisation in a materialised CTE: read
        # straight from the view, every FILTER below would repeat the subqueries
        # behind the flag it names (neither database shares them).
        (
            "district_counts",
            """
CREATE VIEW district_counts AS
WITH flags AS MATERIALIZED (
    SELECT postcode_area, postcode_district, website_matched, website_verified,
        digital_by_sic, digital_by_web, is_digital
    FROM register
)
SELECT postcode_area, postcode_district,
    count(*) AS organisations,
    count(*) FILTER (WHERE website_matched) AS websites_matched,
    count(*) FILTER (WHERE website_verified) AS websites_verified,
    count(*) FILTER (WHERE digital_by_sic) AS digital_by_sic,
    count(*) FILTER (WHERE digital_by_web) AS digital_by_web,
    count(*) FILTER (WHERE digital_by_sic AND digital_by_web) AS digital_by_both,
    count(*) FILTER (WHERE digital_by_sic AND NOT digital_by_web) AS sic_only,
    count(*) FILTER (WHERE digital_by_web AND NOT digital_by_sic) AS web_only,
    count(*) FILTER (WHERE digital_by_sic OR digital_by_web) AS digital_either,
    count(*) FILTER (WHERE is_digital IS NULL) AS web_verdict_unknown
FROM flags
GROUP BY postcode_area, postcode_district
""",
        ),
        # The headline is the districts' sum, so the two can never disagree.
        (
            "digital_comparison",
            f"CREATE VIEW digital_comparison AS SELECT\n{totals}\nFROM district_counts\n",
        ),
        (
            "sector_counts",
            f"""
CREATE VIEW sector_counts AS
SELECT sector.value AS sector, r.postcode_area, r.postcode_district,
    count(DISTINCT r.organisation_id) AS organisations
FROM register r
CROSS JOIN {sectors} AS {sector}
WHERE r.digital_by_web
GROUP BY sector.value, r.postcode_area, r.postcode_district
""",
        ),
    ]


def upgrade() -> None:
    """Create the DCMS reference table and the register views."""
    dcms = op.create_table(
        "dcms_digital_sic",
        sa.Column("sic_class", sa.String(length=4), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sic_class", name=op.f("pk_dcms_digital_sic")),
    )
    op.bulk_insert(
        dcms,
        [{"sic_class": c, "description": d} for c, d in DCMS_DIGITAL_SIC],
    )

    dialect = op.get_bind().dialect.name
    for _name, statement in _views(dialect):
        op.execute(statement)


def downgrade() -> None:
    """Drop the register views and the DCMS reference table."""
    dialect = op.get_bind().dialect.name
    for name, _statement in reversed(_views(dialect)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table("dcms_digital_sic")
