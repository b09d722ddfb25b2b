"""Registry seeds: organisations from Companies House, OpenCorporates and plain lists.

``plan(paths, command)`` detects each file's format from its content, ``Filters``
says what to keep, and ``run_import`` streams the records into the store in batches.
"""

from __future__ import annotations

from crawler.seeds.filters import Filters
from crawler.seeds.formats import Format, Source, UnknownFormatError
from crawler.seeds.importer import ImportResult, plan, run_import

__all__ = [
    "Filters",
    "Format",
    "ImportResult",
    "Source",
    "UnknownFormatError",
    "plan",
    "run_import",
]
