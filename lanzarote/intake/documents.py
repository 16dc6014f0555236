"""What intake hands to the pipeline: raw documents in, typed results out.

A *document* is one file's bytes (a file in a folder, or an entry in a zip archive). Reading a document gives
zero or more results, each one of:

- a `Report` (a CyberTipline `report` XML document, or a native JSON report);
- a `FileDetailsDocument` (a CyberTipline `fileDetails` XML document: one file of a report, attached by
  `reportId`; kept even when its report has not arrived yet, and attached when it does);
- a `ClearingHouseDocument` (the clearing house's layer for a report: geolocation, notes, where it was sent);
- a `QuarantineEntry` (the document, or one record of a JSON Lines file, is unusable; the reason says why).

Native JSON (`docs/native-format.md`): a `.json` file holds one object, a `.jsonl` file one object a line.
An object with `"source_id"` is a `Report` (the model's fields). An object with `"clearing_house_for"`
(`{"source": ..., "source_id": ...}`) and `"layer"` (a `ClearingHouseLayer`) is a clearing-house layer.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import NamedTuple

from lanzarote.model.base import Record, SourceId, SourceName
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import ClearingHouseLayer, FileDetail, Report


class Document(NamedTuple):
    """One file's bytes and where they came from ('dir/a.xml' or 'bundle.zip!reports/a.xml').

    A plain tuple, so that handing one to a reader process costs little."""

    location: str
    content: bytes
    modified_at: datetime | None = None
    """When the file (or archive entry) was last written: the best available 'received' time."""

    @property
    def sha256(self) -> str:
        """The content's SHA-256, as a quarantine entry names the document (worked out only when asked)."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def stem(self) -> str:
        """The file name without folders and extension: a CyberTipline report document's id."""
        name = self.location.rsplit("!", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0] if "." in name else name


class FileDetailsDocument(Record):
    source: SourceName
    report_source_id: SourceId
    file: FileDetail
    warnings: tuple[str, ...] = ()


class ClearingHouseDocument(Record):
    source: SourceName
    report_source_id: SourceId
    layer: ClearingHouseLayer


class StoredReport(NamedTuple):
    """A report in the form the store keeps, made by a reader straight from values that hold every bound of
    `Report`: `content` is what `Report.model_dump_json(exclude={"received_at"})` would write."""

    source: str
    source_id: str
    origin: str
    received_at: datetime | None
    content: str


class StoredFile(NamedTuple):
    """A report's file in the form the store keeps: `document` is what `FileDetail.model_dump_json()` would write."""

    source: str
    report_source_id: str
    file_id: str
    document: str


IntakeResult = Report | FileDetailsDocument | ClearingHouseDocument | QuarantineEntry
