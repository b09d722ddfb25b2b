"""Which seed format a file holds, told from its content (never from its name).

A path may be a plain file or a zip (the Companies House bulk product ships as one zip,
or as several part zips, each holding one CSV with its own header); every member of a
zip is detected on its own. Files are opened as streams, so memory stays flat whatever
their size.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from crawler.errors import DatacityError
from crawler.seeds.plain import columns_of

# Enough of a file to hold any header line, including the 55-column bulk header.
_SNIFF_BYTES = 64 * 1024
_READ_BUFFER = 1 << 20

BULK_REQUIRED = frozenset(
    {"CompanyName", "CompanyNumber", "CompanyStatus", "RegAddress.PostCode"}
)
SEARCH_EXPORT_REQUIRED = frozenset(
    {"company_name", "company_number", "company_status", "registered_office_address"}
)


class Format(StrEnum):
    BULK = "Companies House BasicCompanyData CSV"
    SEARCH_EXPORT = "Companies House advanced-search export CSV"
    CH_API = "Companies House API JSON"
    OPENCORPORATES = "OpenCorporates API JSON"
    PLAIN = "plain CSV of organisations"


class UnknownFormatError(DatacityError):
    """A file that none of the accepted formats describes; the message says which."""


@dataclass(frozen=True, slots=True)
class Source:
    """One stream to import: a file, or one member of a zip, and its format."""

    path: Path
    member: str | None
    format: Format
    size: int
    json_lines: bool = False

    @property
    def name(self) -> str:
        return f"{self.path}:{self.member}" if self.member else str(self.path)


@contextlib.contextmanager
def open_binary(path: Path, member: str | None = None) -> Iterator[IO[bytes]]:
    """The raw bytes of a file or zip member, streamed; ``tell()`` gives progress."""
    if member is None:
        with open(path, "rb", buffering=_READ_BUFFER) as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
        yield handle


@contextlib.contextmanager
def open_text(source: Source) -> Iterator[io.TextIOWrapper]:
    """The text of *source*: UTF-8, a byte-order mark dropped, newlines untouched.

    Bytes that are not UTF-8 become lone surrogates (``surrogateescape``) so that the
    row holding them can be reported and skipped while the rest is read.
    """
    with open_binary(source.path, source.member) as raw:
        text = io.TextIOWrapper(
            raw, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        try:
            yield text
        finally:
            text.detach()


def detect(path: Path) -> list[Source]:
    """The sources in *path*: itself, or each file member of a zip.

    Raises UnknownFormatError naming the file when it (or a member) is in no known
    format, and OSError when it cannot be read.
    """
    if zipfile.is_zipfile(path):
        return _detect_zip(path)
    with open_binary(path) as handle:
        start = handle.read(_SNIFF_BYTES)
    size = path.stat().st_size
    return [_detect_start(path, None, start, size)]


def _detect_zip(path: Path) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            sources = []
            for info in members:
                with archive.open(info) as handle:
                    start = handle.read(_SNIFF_BYTES)
                sources.append(
                    _detect_start(path, info.filename, start, info.file_size)
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as error:
        msg = f"{path}: unreadable zip ({error})"
        raise UnknownFormatError(msg) from None
    if not sources:
        msg = f"{path}: empty zip; expected a zip holding CSV or JSON files"
        raise UnknownFormatError(msg)
    return sources


def _detect_start(path: Path, member: str | None, start: bytes, size: int) -> Source:
    text = start.decode("utf-8-sig", errors="replace").lstrip()
    name = f"{path}:{member}" if member else str(path)
    if text[:1] in ("{", "["):
        fmt, json_lines = _detect_json(path, member, text)
        return Source(path, member, fmt, size, json_lines)

    fmt = csv_format(_first_record(text))
    if fmt is None:
        first = text.splitlines()[0][:80] if text.strip() else "(empty)"
        msg = f"{name}: not a known seed format; it starts {first!r}"
        raise UnknownFormatError(msg)
    return Source(path, member, fmt, size)


def _first_record(text: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return []


def csv_format(header: list[str]) -> Format | None:
    """The CSV format a header row announces, or None."""
    names = {column.strip() for column in header}
    if names >= BULK_REQUIRED:
        return Format.BULK
    if names >= SEARCH_EXPORT_REQUIRED:
        return Format.SEARCH_EXPORT

    columns = columns_of(header)
    if "website" in columns or "company_number" in columns:
        return Format.PLAIN
    return None


def _detect_json(path: Path, member: str | None, start: str) -> tuple[Format, bool]:
    """JSON Lines when the first line is a whole document; else one JSON document."""
    name = f"{path}:{member}" if member else str(path)
    first_line = start.split("\n", 1)[0].strip()
    try:
        document = json.loads(first_line)
        json_lines = True
    except ValueError:
        json_lines = False
        with open_binary(path, member) as handle:
            try:
                text = io.TextIOWrapper(
                    handle, encoding="utf-8-sig", errors="surrogateescape"
                )
                document = json.load(text)
            except ValueError as error:
                msg = f"{name}: not valid JSON ({error}); expected an API response"
                raise UnknownFormatError(msg) from None

    fmt = json_format(document)
    if fmt is None:
        keys = ", ".join(sorted(document)[:8]) if isinstance(document, dict) else ""
        msg = (
            f"{name}: JSON that is neither a Companies House nor an OpenCorporates"
            f" response (top-level keys: {keys or type(document).__name__})"
        )
        raise UnknownFormatError(msg)
    return fmt, json_lines


def _company_like(item: Any) -> bool:
    return isinstance(item, dict) and "company_number" in item


def json_format(document: Any) -> Format | None:
    """Which API a parsed JSON document came from, or None."""
    if isinstance(document, list):
        return json_format(document[0]) if document else None
    if not isinstance(document, dict):
        return None

    results = document.get("results")
    if isinstance(results, dict) and ("companies" in results or "company" in results):
        return Format.OPENCORPORATES
    company = document.get("company", document)
    if isinstance(company, dict) and (
        "jurisdiction_code" in company or "opencorporates_url" in company
    ):
        return Format.OPENCORPORATES

    items = document.get("items")
    if isinstance(items, list):
        # Search responses; an officer or filing list has items that are no companies.
        searched = str(document.get("kind", "")).startswith("search")
        return Format.CH_API if searched or any(map(_company_like, items)) else None
    profile = document.get("data", document)
    if isinstance(profile, dict) and "company_number" in profile:
        return Format.CH_API
    if isinstance(profile, dict) and "/company/" in str(profile.get("links", "")):
        return Format.CH_API
    return None
