"""The native JSON format: the model as JSON, one object per `.json` file or one per line of a `.jsonl` file.

Non-provider origins (citizen, victim, social services, foreign police, hotline) and clearing-house layers use it.
Its JSON Schema is published in `docs/native-report.schema.json` (`lanzarote schema` writes it).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from lanzarote.intake.documents import ClearingHouseDocument, Document, IntakeResult
from lanzarote.intake.plausible import implausible
from lanzarote.intake.settings import IntakeSettings
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import ClearingHouseLayer, Report


def read(document: Document, received_at: datetime, settings: IntakeSettings) -> list[IntakeResult]:
    """Every record of a `.json` or `.jsonl` document; each unusable record is quarantined on its own."""
    try:
        text = document.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [_quarantine(document, document.location, f"not UTF-8 text: byte {exc.start} is invalid", received_at)]
    if not text.strip():
        return [_quarantine(document, document.location, "empty document: expected a JSON report", received_at)]
    if document.location.lower().endswith(".jsonl"):
        results: list[IntakeResult] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                results.append(_record(document, f"{document.location}:{number}", line, received_at, settings))
        return results
    return [_record(document, document.location, text, received_at, settings)]


def _record(document: Document, location: str, text: str, received_at: datetime, settings: IntakeSettings
            ) -> IntakeResult:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return _quarantine(document, location, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                           received_at)
    except RecursionError:
        return _quarantine(document, location, "JSON nested too deeply to be a report (thousands of levels)",
                           received_at)
    if ("\\u0000" in text or _ESCAPED_SURROGATE.search(text)) and (problem := _unstorable(data)):
        return _quarantine(document, location, problem, received_at)
    if not isinstance(data, dict):
        return _quarantine(document, location, "expected a JSON object (a report or a clearing-house layer)",
                           received_at)
    try:
        if "clearing_house_for" in data:
            target = data["clearing_house_for"]
            if not isinstance(target, dict) or "source" not in target or "source_id" not in target:
                raise ValueError("clearing_house_for must be {\"source\": ..., \"source_id\": ...}")
            return ClearingHouseDocument(
                source=str(target["source"]),
                report_source_id=str(target["source_id"]),
                layer=ClearingHouseLayer.model_validate(data.get("layer") or {}),
            )
        if "source_id" in data:
            if data.get("received_at") is None:
                data["received_at"] = (document.modified_at or received_at).isoformat()
            report = Report.model_validate(data)
            if problem := implausible(report, received_at, settings):
                return _quarantine(document, location, problem, received_at)
            return report
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        return _quarantine(document, location, f"not a valid native record: {problems}", received_at)
    except ValueError as exc:
        return _quarantine(document, location, str(exc), received_at)
    return _quarantine(
        document, location, 'neither a report (no "source_id") nor a clearing-house layer (no "clearing_house_for")',
        received_at,
    )


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON escape of half a UTF-16 pair: fine in a pair, unstorable alone (JSON lets either through)."""


def _unstorable(data: Any) -> str | None:
    """Why a parsed JSON value holds text no database can keep (a NUL, half a surrogate pair), or None."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "holds a NUL character (\\u0000), which no text column can keep: remove it and retry"
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "holds half of a UTF-16 surrogate pair (\\ud800-\\udfff alone), which is not text: fix it"
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def _quarantine(document: Document, location: str, reason: str, received_at: datetime) -> QuarantineEntry:
    return QuarantineEntry(
        location=location, content_sha256=document.sha256, reason=reason, received_at=received_at,
        size=len(document.content),
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a native report (published as docs/native-report.schema.json)."""
    schema = Report.model_json_schema()
    schema["$id"] = "https://lanzarote.example.org/schema/native-report.json"
    schema["description"] = (
        "A report in Lanzarote's native format: one object per .json file or one per line of a .jsonl file."
    )
    return schema
