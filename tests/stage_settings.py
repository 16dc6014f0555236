"""The stages' settings as the configuration's defaults give them, stated once for the tests that run a stage
alone (a test that needs another limit says so with `dataclasses.replace`)."""

from __future__ import annotations

from lanzarote.intake.settings import IntakeSettings
from lanzarote.media.library import MatchSettings
from lanzarote.media.scan import ScanLimits

INTAKE = IntakeSettings(max_document_bytes=50_000_000, max_archive_bytes=2_000_000_000, max_archive_ratio=200,
                        max_files_per_report=5000, max_future_minutes=1440)
MATCH = MatchSettings(pdq_threshold=31, pdq_min_quality=50, vpdq_match_fraction=0.8)
SCAN = ScanLimits(max_archive_bytes=2_000_000_000, max_archive_ratio=200)
