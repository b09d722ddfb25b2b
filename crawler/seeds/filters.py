"""Which organisations an import keeps: place, status, SIC code, incorporation date.

Filters of different kinds must all pass; the values given for one kind are
alternatives (``--postcode-district LS1,LS2`` keeps both districts).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawler.seeds.postcodes import area_of

ANY_STATUS = frozenset({"any", "all"})


def _items(values: Iterable[str] | str | None) -> list[str]:
    """Split comma-separated and repeated option values into clean items."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [
        item.strip() for value in values for item in value.split(",") if item.strip()
    ]


@dataclass(frozen=True, slots=True)
class Filters:
    """What to keep. Empty sets keep everything; ``statuses`` defaults to active only."""

    post_towns: frozenset[str] = frozenset()
    postcode_areas: frozenset[str] = frozenset()
    postcode_districts: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset({"active"})
    sic: tuple[str, ...] = ()
    incorporated_since: dt.date | None = None

    @classmethod
    def parse(
        cls,
        *,
        post_town: Iterable[str] | str | None = None,
        postcode_area: Iterable[str] | str | None = None,
        postcode_district: Iterable[str] | str | None = None,
        status: Iterable[str] | str | None = "active",
        sic: Iterable[str] | str | None = None,
        incorporated_since: str | dt.date | None = None,
    ) -> Filters:
        """Build filters from command-line values; ValueError names a bad value."""
        areas = {a.upper() for a in _items(postcode_area)}
        for area in areas:
            if not re.fullmatch(r"[A-Z]{1,2}", area):
                msg = f"--postcode-area {area!r}: expected one or two letters, e.g. LS"
                raise ValueError(msg)

        districts = {"".join(d.split()).upper() for d in _items(postcode_district)}
        for district in districts:
            if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", district):
                msg = f"--postcode-district {district!r}: expected an outward code, e.g. LS1"
                raise ValueError(msg)

        codes = tuple(c.replace(".", "") for c in _items(sic))
        for code in codes:
            if not code.isdigit() or len(code) > 5:
                msg = f"--sic {code!r}: expected a SIC code or its first digits, e.g. 62 or 62012"
                raise ValueError(msg)

        statuses = {s.lower().replace(" ", "-") for s in _items(status)}
        since = incorporated_since
        if isinstance(since, str):
            try:
                since = dt.date.fromisoformat(since)
            except ValueError:
                msg = f"--incorporated-since {since!r}: expected a date as YYYY-MM-DD"
                raise ValueError(msg) from None

        return cls(
            post_towns=frozenset(_town(t) for t in _items(post_town)),
            postcode_areas=frozenset(areas),
            postcode_districts=frozenset(districts),
            statuses=frozenset() if statuses & ANY_STATUS else frozenset(statuses),
            sic=codes,
            incorporated_since=since,
        )

    @property
    def area_prefilter(self) -> frozenset[str]:
        """Areas that every kept postcode must be in (empty: no postcode filter).

        The bulk reader checks a postcode's first letters against this set before
        anything else: a cheap test that throws out almost every row of a city import.
        """
        if self.postcode_areas:
            return self.postcode_areas
        return frozenset(area_of(d) for d in self.postcode_districts)

    @property
    def has_place(self) -> bool:
        return bool(self.post_towns or self.postcode_areas or self.postcode_districts)

    def place_ok(
        self, postcode: str | None, post_town: str | None, address: str | None = None
    ) -> bool:
        """True when a postcode (raw or normalised) and town pass the place filters.

        Without a town column (the search export writes the address as one string),
        a wanted town passes when it appears as a whole word in the address.
        """
        if self.postcode_areas or self.postcode_districts:
            compact = "".join(postcode.split()).upper() if postcode else ""
            if len(compact) < 5:
                return False
            if self.postcode_areas and area_of(compact) not in self.postcode_areas:
                return False
            if self.postcode_districts and compact[:-3] not in self.postcode_districts:
                return False

        if self.post_towns:
            if post_town:
                return _town(post_town) in self.post_towns
            return bool(address) and self._town_in(address)
        return True

    def status_ok(self, status: str | None) -> bool:
        """True for a status slug the filter keeps; an unknown status always passes.

        ``active`` keeps ``active-proposal-to-strike-off`` too, as the API files both
        under ``company_status: active``. A plain list without a status column is the
        user's own choice of organisations and is not second-guessed.
        """
        if not self.statuses or status is None:
            return True
        if status in self.statuses:
            return True
        return any(status.startswith(f"{wanted}-") for wanted in self.statuses)

    def accepts(self, organisation: dict[str, Any]) -> bool:
        """The full check of one organisation row."""
        if not self.status_ok(organisation.get("status")):
            return False
        if self.has_place and not self.place_ok(
            organisation.get("postcode"),
            organisation.get("post_town"),
            organisation.get("registered_address"),
        ):
            return False
        return self.details_ok(organisation)

    def details_ok(self, organisation: dict[str, Any]) -> bool:
        """The SIC and incorporation-date filters, which need a parsed row."""
        if self.sic:
            codes = organisation.get("sic_codes") or []
            if not any(code.startswith(self.sic) for code in codes):
                return False
        if self.incorporated_since:
            since = organisation.get("incorporated_on")
            if since is None or since < self.incorporated_since:
                return False
        return True

    def as_dict(self) -> dict[str, Any]:
        """The filters as plain values, for the record of the run."""
        return {
            "post_town": sorted(self.post_towns),
            "postcode_area": sorted(self.postcode_areas),
            "postcode_district": sorted(self.postcode_districts),
            "status": sorted(self.statuses) or ["any"],
            "sic": list(self.sic),
            "incorporated_since": (
                self.incorporated_since.isoformat() if self.incorporated_since else None
            ),
        }

    def _town_in(self, address: str) -> bool:
        words = f" {_town(address)} "
        return any(f" {town} " in words for town in self.post_towns)


_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def _town(raw: str) -> str:
    """Town names compared in capitals, punctuation as spaces (Stockton-on-Tees)."""
    return " ".join(_NOT_WORD.sub(" ", raw).split()).upper()
