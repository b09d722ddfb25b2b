"""Rows an import skipped: counted by reason, the first few kept with their place."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LISTED = 20


@dataclass(frozen=True, slots=True)
class BadRow:
    file: str
    where: str
    reason: str
    detail: str

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.file} {self.where}: {self.reason}{detail}"


@dataclass
class BadRows:
    """Every skipped row is counted; the first :data:`LISTED` are kept for the report."""

    counts: Counter[str] = field(default_factory=Counter)
    listed: list[BadRow] = field(default_factory=list)

    def add(self, file: str, where: str, reason: str, detail: str = "") -> None:
        self.counts[reason] += 1
        if len(self.listed) < LISTED:
            self.listed.append(BadRow(file, where, reason, detail[:200]))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unlisted(self) -> int:
        return self.total - len(self.listed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_reason": dict(self.counts),
            "first": [str(row) for row in self.listed],
        }
