"""What intake is held to: the bounds on documents, archives and reports, and where NCMEC's schema lies.

Intake reads no settings itself: whoever runs it (`lanzarote.pipeline.settings`) builds these once from the
configuration and hands them in, so a reader is a function of its inputs and a test states its limits plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

SHIPPED_XSD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cybertipline" / "cyber_tipline.xsd"
"""NCMEC's cyber_tipline.xsd in ../shared/data beside the repository (the `cybertipline_xsd` setting's default)."""


@dataclass(frozen=True)
class IntakeSettings:
    max_document_bytes: int
    """Largest single document (or JSON Lines record) read; a larger one is quarantined."""
    max_archive_bytes: int
    """Largest total uncompressed size of a zip archive's entries."""
    max_archive_ratio: float
    """Largest compression ratio of an entry, or of an archive as a whole, before it counts as a zip bomb."""
    max_files_per_report: int
    """A report with more files is quarantined (docs/security.md)."""
    max_future_minutes: int
    """How far past its receipt a report's times may lie (clocks and zones differ)."""
    cybertipline_xsd: Path = SHIPPED_XSD
    _ahead: timedelta = field(init=False, repr=False, compare=False)
    """`max_future_minutes` as a span, made once (it is added to every document's time of receipt)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ahead", timedelta(minutes=self.max_future_minutes))

    def latest_plausible(self, received_at: datetime) -> datetime:
        """The latest time a report can say it was received or happened."""
        return received_at + self._ahead
