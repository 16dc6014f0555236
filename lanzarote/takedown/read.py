"""Reading URL reports: native JSON (`.json` with one object or a list, `.jsonl` one object a line) and the CSV a
hotline exports (one report a row, headed by column names), from files and folders (no archives: a CSV inside one
would go unread).

Reports are untrusted input, read with the intake's own bounds and quarantine (`lanzarote.intake`): a document
larger than the limit, a record that is not JSON, a row whose quote never closes, a field too long, a URL that is
not one — each becomes a quarantine entry naming the file and line and the reason; every other record is read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from lanzarote.errors import NotFound
from lanzarote.intake.documents import Document
from lanzarote.intake.native import _unstorable
from lanzarote.intake.settings import IntakeSettings
from lanzarote.intake.sources import PendingFile, documents, walk
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.takedown.model import Assessment, UrlReport
from lanzarote.takedown.urls import BadUrl, Url, normalise

SUFFIXES = (".json", ".jsonl", ".csv")
MAX_RECORD_LINES = 50
"""A CSV row whose quoted field spans more lines than this is taken as a quote that never closes."""
MAX_ROW_BYTES = 64 * 1024


class Accepted(NamedTuple):
    report: UrlReport
    url: Url
    location: str


Result = Accepted | QuarantineEntry

COLUMNS = {
    "reference": ("reference", "report id", "report_id", "id", "case id"),
    "url": ("url", "reported url", "reported_url", "link"),
    "hotline": ("hotline", "reporting hotline", "reporting_hotline", "source hotline"),
    "assessment": ("assessment", "classification", "class", "legal assessment"),
    "reported_at": ("reported at", "reported_at", "reported", "date reported", "received", "date"),
    "hash_type": ("hash type", "hash_type", "hash algorithm"),
    "hash": ("hash", "hash value", "hash_value", "content hash"),
    "ip": ("ip", "ip address", "ip_address", "hosting ip"),
    "hosting_country": ("hosting country", "hosting_country", "country"),
    "network_owner": ("network owner", "network_owner", "isp", "hosting provider"),
    "abuse_contact": ("abuse contact", "abuse_contact", "abuse email"),
}
_ALIASES = {alias: field for field, names in COLUMNS.items() for alias in names}
_ASSESSMENTS = {
    "baseline": Assessment.BASELINE, "baseline csam": Assessment.BASELINE, "illegal baseline": Assessment.BASELINE,
    "nationally illegal": Assessment.NATIONALLY_ILLEGAL, "national": Assessment.NATIONALLY_ILLEGAL,
    "illegal national": Assessment.NATIONALLY_ILLEGAL, "not illegal": Assessment.NOT_ILLEGAL,
    "legal": Assessment.NOT_ILLEGAL, "not assessed": Assessment.NOT_ASSESSED, "": Assessment.NOT_ASSESSED,
    "unassessed": Assessment.NOT_ASSESSED,
}
_HASH_BY_LENGTH = {32: "MD5", 40: "SHA1", 64: "SHA256"}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def read_paths(paths: list[Path], received_at: datetime, settings: IntakeSettings, hotline: str | None = None
               ) -> Iterator[Result]:
    """Every URL report under `paths`, or a quarantine entry for what cannot be read; `hotline` names the reporting
    hotline of CSV exports without a hotline column."""
    for path in paths:
        if not path.exists():
            raise NotFound(f"{path}: no such file or folder")
        locations = [p for p in walk(str(path)) if p.lower().endswith(SUFFIXES)] if path.is_dir() else [str(path)]
        for location in locations:
            yield from read_location(location, received_at, settings, hotline)


def read_location(location: str, received_at: datetime, settings: IntakeSettings, hotline: str | None = None
                  ) -> Iterator[Result]:
    if not location.lower().endswith(SUFFIXES):
        yield QuarantineEntry(location=location, content_sha256=None, received_at=received_at,
                              reason="not a URL report file: expected .json, .jsonl or .csv")
        return
    if location.lower().endswith(".csv"):
        loaded = PendingFile(location).load(settings.max_document_bytes, received_at)
        if isinstance(loaded, QuarantineEntry):
            yield loaded
        else:
            yield from read_csv(loaded, received_at, settings, hotline)
        return
    for found in documents([Path(location)], received_at, settings):
        item = found.load(settings.max_document_bytes, received_at) if isinstance(found, PendingFile) \
            else found
        if isinstance(item, QuarantineEntry):
            yield item
        else:
            yield from read_json(item, received_at, settings)


def read_document(document: Document, received_at: datetime, settings: IntakeSettings, hotline: str | None = None
                  ) -> list[Result]:
    """One uploaded document (by its name: `.csv`, `.json`, `.jsonl`)."""
    if document.location.lower().endswith(".csv"):
        return list(read_csv(document, received_at, settings, hotline))
    return list(read_json(document, received_at, settings))


def _quarantine(document: Document, location: str, reason: str, received_at: datetime) -> QuarantineEntry:
    return QuarantineEntry(location=location, content_sha256=document.sha256, reason=reason,
                           received_at=received_at, size=len(document.content))


def _text(document: Document, received_at: datetime) -> str | QuarantineEntry:
    try:
        return document.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _quarantine(document, document.location, f"not UTF-8 text: byte {exc.start} is invalid", received_at)


def read_json(document: Document, received_at: datetime, settings: IntakeSettings) -> Iterator[Result]:
    text = _text(document, received_at)
    if isinstance(text, QuarantineEntry):
        yield text
        return
    if not text.strip():
        yield _quarantine(document, document.location, "empty document: expected a URL report", received_at)
        return
    loc = document.location
    if loc.lower().endswith(".jsonl") or re.search(r"\.jsonl:\d+$", loc.lower()):
        lines = text.splitlines()
        single = len(lines) == 1 and re.search(r":\d+$", loc) is not None  # one line the intake split off already
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _json_record(document, loc if single else f"{loc}:{number}", line, received_at, settings)
        return
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        yield _quarantine(document, loc, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", received_at)
        return
    except RecursionError:
        yield _quarantine(document, loc, "JSON nested too deeply to be a URL report", received_at)
        return
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield _record(document, f"{loc}[{i}]", item, received_at, settings)
    else:
        yield _record(document, loc, data, received_at, settings)


def _json_record(document: Document, location: str, line: str, received_at: datetime, settings: IntakeSettings
                 ) -> Result:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return _quarantine(document, location, f"not JSON: {exc.msg} at column {exc.colno}", received_at)
    except RecursionError:
        return _quarantine(document, location, "JSON nested too deeply to be a URL report", received_at)
    return _record(document, location, data, received_at, settings, _MAY_BE_UNSTORABLE.search(line) is not None)


_MAY_BE_UNSTORABLE = re.compile(r"\\u0000|\\u[dD][89a-fA-F]")
"""A JSON escape of a NUL or of half a UTF-16 pair (the only ways JSON text holds what no column keeps)."""


def _record(document: Document, location: str, data: Any, received_at: datetime, settings: IntakeSettings,
            suspect: bool = True) -> Result:
    if not isinstance(data, dict):
        return _quarantine(document, location, "expected a JSON object (a URL report)", received_at)
    if suspect and (problem := _unstorable(data)):
        return _quarantine(document, location, problem, received_at)
    return _accept(document, location, data, received_at, settings)


def _accept(document: Document, location: str, data: dict[str, Any], received_at: datetime, settings: IntakeSettings
            ) -> Result:
    try:
        report = UrlReport.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'record'}: {e['msg']}"
                             for e in exc.errors()[:5])
        return _quarantine(document, location, f"not a valid URL report: {problems}", received_at)
    if report.reported_at.tzinfo is None:
        report = report.model_copy(update={"reported_at": report.reported_at.replace(tzinfo=UTC)})
    if report.reported_at > settings.latest_plausible(received_at):
        return _quarantine(document, location, f"report {report.key}: reported_at {report.reported_at.isoformat()} "
                           "lies in the future (LANZAROTE_MAX_FUTURE_MINUTES): check the hotline's clock", received_at)
    try:
        url = normalise(report.url)
    except BadUrl as exc:
        return _quarantine(document, location, f"report {report.key}: {exc}", received_at)
    return Accepted(report, url, location)


def read_csv(document: Document, received_at: datetime, settings: IntakeSettings, hotline: str | None = None
             ) -> Iterator[Result]:
    """A hotline's CSV export: a header row naming the columns (`COLUMNS` lists the names understood), then one
    report a row."""
    text = _text(document, received_at)
    if isinstance(text, QuarantineEntry):
        yield text
        return
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        yield _quarantine(document, document.location, "empty document: expected a header row and URL reports",
                          received_at)
        return
    try:
        header = [h.strip().lower() for h in next(csv.reader([lines[first]]))]
    except csv.Error as exc:
        yield _quarantine(document, f"{document.location}:{first + 1}", f"the header row cannot be read: {exc}",
                          received_at)
        return
    fields = [_ALIASES.get(h) for h in header]
    missing = [f for f in ("reference", "url", "reported_at") if f not in fields]
    if not hotline and "hotline" not in fields:
        missing.append("hotline (or name it with --hotline)")
    if missing:
        yield _quarantine(document, f"{document.location}:{first + 1}", "the header names no column for "
                          + ", ".join(missing) + f" (understood: {', '.join(sorted(COLUMNS))})", received_at)
        return
    for number, record in _records(lines, first + 1, len(header)):
        location = f"{document.location}:{number}"
        if isinstance(record, str):
            yield _quarantine(document, location, record, received_at)
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            yield _quarantine(document, location, f"expected {len(header)} columns as the header names, found "
                              f"{len(record)}", received_at)
            continue
        if any("\x00" in cell for cell in record):
            yield _quarantine(document, location, "holds a NUL character, which no text column can keep",
                              received_at)
            continue
        row = {f: cell.strip() for f, cell in zip(fields, record, strict=True) if f}
        yield _csv_report(document, location, row, hotline, received_at, settings)


def _parse(text: str) -> list[str] | str:
    try:
        return next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        return f"not a readable CSV row: {exc}"


def _whole(line: str, width: int) -> bool:
    """Whether a line is a row on its own (then it does not continue a quoted field above it)."""
    if line.count('"') % 2:
        return False
    cells = _parse(line)
    return isinstance(cells, list) and len(cells) == width


def _records(lines: list[str], start: int, width: int) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, the row's cells — or why it cannot be read) for each row from `start`. A quoted field may
    span lines, but a row that does not then come out `width` columns wide, that swallows a line that is a row on
    its own, or whose quote does not close within `MAX_RECORD_LINES` lines, costs only its first line: reading
    resumes on the next, so no valid row is lost."""
    i = start
    while i < len(lines):
        line = lines[i]
        if len(line) > MAX_ROW_BYTES:
            yield i + 1, f"the row is longer than {MAX_ROW_BYTES:,} bytes: no URL report is that long"
            i += 1
            continue
        if line.count('"') % 2 == 0:
            yield i + 1, _parse(line)
            i += 1
            continue
        j, size, quotes = i + 1, len(line), line.count('"')
        while j < len(lines) and quotes % 2 and j - i < MAX_RECORD_LINES and size <= MAX_ROW_BYTES:
            size += len(lines[j])
            quotes += lines[j].count('"')
            j += 1
        cells = _parse("".join(lines[i:j])) if quotes % 2 == 0 and size <= MAX_ROW_BYTES else None
        if isinstance(cells, list) and len(cells) == width and not any(_whole(x, width) for x in lines[i + 1:j]):
            yield i + 1, cells
            i = j
        else:
            yield i + 1, "a quoted field does not close on this row: it is skipped and reading goes on at the next line"
            i += 1


def _csv_report(document: Document, location: str, row: dict[str, str], hotline: str | None,
                received_at: datetime, settings: IntakeSettings) -> Result:
    assessment = _ASSESSMENTS.get(" ".join(row.get("assessment", "").lower().replace("_", " ").split()))
    if assessment is None:
        return _quarantine(document, location, f"the assessment {row.get('assessment', '')[:40]!r} is not one of "
                           "baseline, nationally illegal, not illegal, not assessed", received_at)
    data: dict[str, Any] = {"hotline": row.get("hotline") or hotline, "reference": row.get("reference", ""),
                            "url": row.get("url", ""), "assessment": assessment.value,
                            "reported_at": _when(row.get("reported_at", ""))}
    value = row.get("hash", "")
    if value:
        kind = row.get("hash_type") or (_HASH_BY_LENGTH.get(len(value)) if _HEX.match(value) else None)
        data["hash"] = {"type": kind or "unknown", "value": value}
    for name in ("ip", "hosting_country", "network_owner", "abuse_contact"):
        if row.get(name):
            data[name] = row[name]
    return _accept(document, location, data, received_at, settings)


def _when(text: str) -> str:
    """A hotline's date as ISO 8601 (a space for the `T`; no zone means UTC)."""
    value = text.strip().replace(" ", "T", 1)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        value += "T00:00:00"
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", value):
        value += "Z"
    return value
