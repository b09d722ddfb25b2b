"""
Writing the register out: CSV, JSON Lines and GeoJSON.

Records come from :func:`crawler.register.register_records` and are written as they
arrive, to a ``.part`` file renamed into place at the end, so a failed export never
leaves a truncated file under the name asked for.

Coordinates for GeoJSON come, in this order, from a ``geo`` contact (``"lat,lon"``,
schema.org ``GeoCoordinates`` of the organisation's own site), from the centroid of a
postcode printed on its site, and from the centroid of its registered postcode. The
centroids come from a CSV the user supplies, such as the ONS Postcode Directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from crawler.errors import DatacityError
from crawler.register import EXPORT_COLUMNS, normalise_postcode

logger = logging.getLogger(__name__)

CSV_COLUMNS = (*EXPORT_COLUMNS, "emails", "phones", "socials", "site_postcodes")
LIST_SEPARATOR = "; "

# Header names accepted for the centroid CSV, lower case; the first are the ONS
# Postcode Directory's own.
POSTCODE_HEADERS = ("pcds", "pcd", "pcd2", "postcode")
LATITUDE_HEADERS = ("lat", "latitude")
LONGITUDE_HEADERS = ("long", "lon", "lng", "longitude")

# The ONS Postcode Directory marks a postcode with no grid reference this way.
ONS_NO_LOCATION = 99.999999

Coordinates = tuple[float, float]  # (latitude, longitude)


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    geojson = "geojson"


class CentroidFileError(DatacityError, ValueError):
    """The postcode-centroid CSV cannot be used; the message names the file."""


@dataclass(slots=True)
class ExportStats:
    written: int = 0
    without_coordinates: int = 0


@dataclass(slots=True)
class CentroidStats:
    rows: int = 0
    kept: int = 0
    bad_rows: int = 0
    first_bad_line: int | None = None


def _find_column(names: dict[str, int], accepted: tuple[str, ...]) -> int | None:
    return next((names[n] for n in accepted if n in names), None)


def load_centroids(
    path: Path, wanted: set[str]
) -> tuple[dict[str, Coordinates], CentroidStats]:
    """Read the centroids of the *wanted* postcodes from a CSV with a header.

    The file is streamed and only wanted postcodes are kept, so the full ONS Postcode
    Directory (2.7M rows) needs no more memory than the register's own postcodes.
    Rows that cannot be read are counted, never fatal; a file without the needed
    columns fails at once with a CentroidFileError naming them.
    """
    stats = CentroidStats()
    found: dict[str, Coordinates] = {}
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="replace")
    except OSError as error:
        msg = f"{path}: cannot open the postcode file: {error.strerror or error}"
        raise CentroidFileError(msg) from None

    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        names = {name.strip().lower(): i for i, name in enumerate(header or [])}
        columns = (
            _find_column(names, POSTCODE_HEADERS),
            _find_column(names, LATITUDE_HEADERS),
            _find_column(names, LONGITUDE_HEADERS),
        )
        if None in columns:
            msg = (
                f"{path}: not a postcode-centroid CSV; expected a header with a"
                f" postcode column ({', '.join(POSTCODE_HEADERS)}), a latitude column"
                f" ({', '.join(LATITUDE_HEADERS)}) and a longitude column"
                f" ({', '.join(LONGITUDE_HEADERS)}), found {list(names)[:12]}"
            )
            raise CentroidFileError(msg)

        postcode_at, lat_at, lon_at = columns
        width = max(columns) + 1  # type: ignore[type-var]
        for line, row in enumerate(reader, start=2):
            stats.rows += 1
            if len(row) < width:
                _bad(stats, line)
                continue
            postcode = normalise_postcode(row[postcode_at])
            if postcode not in wanted:
                continue
            place = _coordinates(row[lat_at], row[lon_at])
            if place is None:
                _bad(stats, line)
                continue
            found[postcode] = place

    stats.kept = len(found)
    logger.info(
        "Read %d postcode rows from %s: %d centroids kept, %d rows unusable",
        stats.rows,
        path,
        stats.kept,
        stats.bad_rows,
    )
    return found, stats


def _bad(stats: CentroidStats, line: int) -> None:
    stats.bad_rows += 1
    if stats.first_bad_line is None:
        stats.first_bad_line = line


def _coordinates(lat: str, lon: str) -> Coordinates | None:
    """Latitude and longitude from text, or None when missing or impossible."""
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if latitude == ONS_NO_LOCATION or not (
        -90 <= latitude <= 90 and -180 <= longitude <= 180
    ):
        return None
    return latitude, longitude


def locate(
    record: dict[str, Any], centroids: dict[str, Coordinates]
) -> tuple[Coordinates, str] | None:
    """Where an organisation is, and how that is known; None when unknown."""
    for value in record["geo"]:
        lat, _, lon = value.replace(" ", "").partition(",")
        place = _coordinates(lat, lon)
        if place is not None:
            return place, "schema.org geo"

    for postcode in record["site_postcodes"]:
        place = centroids.get(normalise_postcode(postcode))
        if place is not None:
            return place, "site postcode centroid"

    if record["postcode"]:
        place = centroids.get(normalise_postcode(record["postcode"]))
        if place is not None:
            return place, "registered postcode centroid"
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        # SQLite hands timestamps back without their zone; the store writes UTC.
        value = value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in record.items() if k != "geo"}


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return _plain(value)


async def write_records(
    records: AsyncIterator[dict[str, Any]],
    output_format: Format,
    out: TextIO,
    *,
    centroids: dict[str, Coordinates] | None = None,
    progress: Callable[[], None] | None = None,
) -> ExportStats:
    """Write *records* to *out* in *output_format*; returns what was written."""
    stats = ExportStats()
    centroids = centroids or {}
    writer = None
    if output_format is Format.csv:
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
    elif output_format is Format.geojson:
        out.write('{"type": "FeatureCollection", "features": [\n')

    async for record in records:
        if progress is not None:
            progress()
        if writer is not None:
            writer.writerow({c: _csv_cell(record[c]) for c in CSV_COLUMNS})
        elif output_format is Format.jsonl:
            out.write(json.dumps(_jsonable(record), ensure_ascii=False) + "\n")
        else:
            located = locate(record, centroids)
            if located is None:
                stats.without_coordinates += 1
                continue
            out.write(",\n" if stats.written else "")
            out.write(json.dumps(_feature(record, *located), ensure_ascii=False))
        stats.written += 1

    if output_format is Format.geojson:
        out.write("\n]}\n")
    return stats


def _feature(record: dict[str, Any], place: Coordinates, source: str) -> dict[str, Any]:
    latitude, longitude = place
    properties = _jsonable(record)
    properties["coordinates_from"] = source
    return {
        "type": "Feature",
        # GeoJSON (RFC 7946) orders a position longitude first.
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": properties,
    }


def partial_path(output: Path) -> Path:
    """Where an export is written before it is complete."""
    return output.with_name(output.name + ".part")
