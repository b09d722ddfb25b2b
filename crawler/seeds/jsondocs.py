"""JSON documents of a file: one document, or one per line (JSON Lines)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from crawler.seeds.badrows import BadRows
from crawler.seeds.csvrows import HEARTBEAT, Tally
from crawler.seeds.filters import Filters
from crawler.seeds.formats import Source
from crawler.seeds.records import Record, RowError, check_text

# Turns one document into (where-suffix, company item) pairs, e.g. ("item 3", {...}).
Items = Callable[[Any], Iterator[tuple[str, Any]]]
# Turns one company item into a Record, or raises RowError.
Build = Callable[[Any, str], Record]


def documents(source: Source, text: TextIO, bad: BadRows) -> Iterator[tuple[str, Any]]:
    """``(where, document)``: the whole file, or each non-blank line of JSON Lines."""
    if not source.json_lines:
        yield "", json.load(text)
        return

    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            check_text([line])
            yield f"line {number}", json.loads(line)
        except RowError as error:
            bad.add(source.name, f"line {number}", error.reason, error.detail)
        except ValueError as error:
            bad.add(source.name, f"line {number}", "bad JSON", str(error))


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a row's values, for the UTF-8 and NUL checks."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _listed(document: Any, items: Items) -> Iterator[tuple[str, Any]]:
    """*items* of a document, where a JSON list of documents is read element by element
    (every API shape may come as a list of its responses)."""
    if not isinstance(document, list):
        yield from items(document)
        return
    for index, element in enumerate(document, start=1):
        for where, item in _listed(element, items):
            yield " ".join(p for p in (f"item {index}", where) if p), item


def read_json(
    source: Source,
    text: TextIO,
    filters: Filters,
    bad: BadRows,
    tally: Tally,
    items: Items,
    build: Build,
) -> Iterator[Record | None]:
    """Records of the company items that pass *filters*; ``None`` is a heartbeat."""
    count = 0
    for where, document in documents(source, text, bad):
        for item_where, item in _listed(document, items):
            place = " ".join(p for p in (where, item_where) if p) or "document"
            count += 1
            if not count % HEARTBEAT:
                tally.read += HEARTBEAT
                yield None
            try:
                record = build(item, place)
                check_text([*_strings(record.organisation), *record.websites])
            except RowError as error:
                bad.add(source.name, place, error.reason, error.detail)
                continue
            except (TypeError, AttributeError) as error:
                # A field of an unexpected JSON type (a list where a string belongs).
                bad.add(source.name, place, "unexpected JSON shape", str(error))
                continue
            if filters.accepts(record.organisation):
                tally.kept += 1
                yield record
    tally.read += count % HEARTBEAT
