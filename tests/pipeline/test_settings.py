"""The stages' settings come from the configuration, built once by the pipeline and handed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanzarote.pipeline.settings import intake_settings, match_settings, scan_limits
from tests.stage_settings import INTAKE, MATCH, SCAN


def test_the_defaults_are_the_settings_tables() -> None:
    assert (intake_settings(), match_settings(), scan_limits()) == (INTAKE, MATCH, SCAN)


def test_each_setting_reaches_its_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {"MAX_DOCUMENT_BYTES": "1000", "MAX_ARCHIVE_BYTES": "2000", "MAX_ARCHIVE_RATIO": "50",
                        "MAX_FILES_PER_REPORT": "3", "MAX_FUTURE_MINUTES": "5", "PDQ_THRESHOLD": "20",
                        "PDQ_MIN_QUALITY": "70", "VPDQ_MATCH_FRACTION": "0.9",
                        "CYBERTIPLINE_XSD": str(tmp_path / "cyber_tipline.xsd")}.items():
        monkeypatch.setenv(f"LANZAROTE_{name}", value)
    intake, match, scan = intake_settings(), match_settings(), scan_limits()
    assert (intake.max_document_bytes, intake.max_archive_bytes, intake.max_archive_ratio,
            intake.max_files_per_report, intake.max_future_minutes) == (1000, 2000, 50, 3, 5)
    assert intake.cybertipline_xsd == tmp_path / "cyber_tipline.xsd"
    assert (match.pdq_threshold, match.pdq_min_quality, match.vpdq_match_fraction) == (20, 70, 0.9)
    assert (scan.max_archive_bytes, scan.max_archive_ratio) == (2000, 50)
