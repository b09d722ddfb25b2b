"""Rows of a CSV stream with their line numbers; rows of the wrong shape reported.

Used by the search-export and plain-list readers. Each row costs only what every row
needs: line accounting, the cell count, and a heartbeat (``None``) every
:data:`HEARTBEAT` rows, at which the importer updates its progress bar and lets other
tasks (a Ctrl-C) run. The bulk reader writes the same loop out with its filters
inside, for speed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from crawler.seeds.badrows import BadRows

HEARTBEAT = 8192


@dataclass
class Tally:
    """Rows read and kept so far, over every source of one import."""

    read: int = 0
    kept: int = 0


def lines(start: int, end: int) -> str:
    return f"line {start}" if end <= start else f"lines {start}-{end}"


def misshapen(
    bad: BadRows, name: str, start: int, last: int, cells: int, width: int
) -> None:
    """Count a row with the wrong number of cells.

    A row that spans several physical lines is put down to an unbalanced quote,
    which is what makes a record run on into the next lines.
    """
    if last > start:
        bad.add(name, lines(start, last), "broken quoting", "unbalanced quote")
    else:
        detail = f"{cells} cells, header has {width}"
        bad.add(name, lines(start, last), "wrong column count", detail)


def csv_rows(
    text: TextIO, name: str, bad: BadRows, tally: Tally
) -> Iterator[tuple[int, list[str]] | None]:
    """Yield ``(line, row)`` for each data row with as many cells as the header.

    The header is read first and yielded as line 1. A row with another cell count, or
    that the csv module rejects, is counted in *bad* and skipped. Blank lines are not
    rows.
    """
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    yield 1, header

    width = len(header)
    last = reader.line_num
    count = reported = 0
    while True:
        try:
            for row in reader:
                start = last + 1
                last = reader.line_num
                if not row:
                    continue
                count += 1
                if not count & (HEARTBEAT - 1):
                    tally.read += count - reported
                    reported = count
                    yield None
                if len(row) == width:
                    yield start, row
                else:
                    misshapen(bad, name, start, last, len(row), width)
            break
        except csv.Error as error:
            start, last = last + 1, reader.line_num
            count += 1
            bad.add(name, lines(start, last), "broken quoting", str(error))
    tally.read += count - reported
