"""Prior records: a unit's earlier cases and subjects (CSV or JSON), matched against new reports (T8).

CSV columns: `case_reference, offence, identifier_kind, identifier_value` (kind: email, phone, account, device,
ip, file_hash — values as written; they are normalised like report identifiers). JSON: a list of objects with the
same keys.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lanzarote.errors import InputRejected
from lanzarote.linking.identifiers import Sighting, email, sightings_of
from lanzarote.model.report import Report

KINDS = ("email", "phone", "account", "device", "ip", "file_hash")


@dataclass(frozen=True)
class PriorHit:
    case_reference: str
    offence: str
    identifier: str


class PriorRecords:
    def __init__(self, records: dict[tuple[str, str], tuple[str, str]]) -> None:
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    @classmethod
    def load(cls, path: Path) -> PriorRecords:
        """Read a CSV or JSON file of prior records; a bad row is one clear error naming its line."""
        if not path.exists():
            return cls({})
        text = path.read_text(encoding="utf-8")
        rows: list[dict[str, str]]
        if path.suffix.lower() == ".json":
            try:
                rows = list(json.loads(text))
            except (json.JSONDecodeError, TypeError) as exc:
                raise InputRejected(f"{path}: not a JSON list of prior records ({exc})") from exc
        else:
            rows = list(csv.DictReader(text.splitlines()))
        records: dict[tuple[str, str], tuple[str, str]] = {}
        for number, row in enumerate(rows, start=2):
            try:
                kind = row["identifier_kind"].strip().lower()
                value = row["identifier_value"].strip()
                reference, offence = row["case_reference"].strip(), row.get("offence", "").strip()
            except (KeyError, AttributeError) as exc:
                raise InputRejected(f"{path} record {number}: needs case_reference, offence, identifier_kind, "
                                    f"identifier_value") from exc
            if kind not in KINDS or not value or not reference:
                raise InputRejected(f"{path} record {number}: identifier_kind must be one of {', '.join(KINDS)} "
                                    "with a value and a case reference")
            normalised = (email(value) or value.lower()) if kind == "email" else value.lower()
            records[(kind, normalised)] = (reference, offence)
        return cls(records)

    def hits(self, report: Report, sightings: Sequence[Sighting] | None = None) -> list[PriorHit]:
        """Prior records the report's identifiers hit (pass its sightings if already computed)."""
        if not self._records:
            return []
        found = []
        for s in sightings if sightings is not None else sightings_of(report):
            record = self._records.get((s.identifier.kind.value, s.identifier.value.lower()))
            if record:
                found.append(PriorHit(record[0], record[1], f"{s.identifier.kind.value}={s.identifier.value}"))
        return found
