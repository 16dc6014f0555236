"""The stages' settings, built from the configuration once per run and handed to them as typed values.

Stages never read `lanzarote.config` (tests/test_architecture.py): what they are held to arrives as an argument,
so a stage is a function of its inputs and the settings used are stated where it is run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lanzarote import config
from lanzarote.intake.settings import SHIPPED_XSD, IntakeSettings

if TYPE_CHECKING:  # the media stage loads numpy and the PDQ index: only where matching runs
    from lanzarote.media.library import HashLibrary, MatchSettings
    from lanzarote.media.scan import ScanLimits


def intake_settings() -> IntakeSettings:
    """The bounds documents and reports are held to, and where NCMEC's schema lies."""
    xsd = str(config.get("cybertipline_xsd"))
    return IntakeSettings(
        max_document_bytes=int(config.get("max_document_bytes")),
        max_archive_bytes=int(config.get("max_archive_bytes")),
        max_archive_ratio=float(config.get("max_archive_ratio")),
        max_files_per_report=int(config.get("max_files_per_report")),
        max_future_minutes=int(config.get("max_future_minutes")),
        cybertipline_xsd=Path(xsd) if xsd else SHIPPED_XSD,
    )


def match_settings() -> MatchSettings:
    """How media hashes match the installed lists."""
    from lanzarote.media.library import MatchSettings

    return MatchSettings(
        pdq_threshold=int(config.get("pdq_threshold")),
        pdq_min_quality=int(config.get("pdq_min_quality")),
        vpdq_match_fraction=float(config.get("vpdq_match_fraction")),
    )


def scan_limits() -> ScanLimits:
    """The zip-bomb bounds of a seized-media scan (the same settings as intake's)."""
    from lanzarote.media.scan import ScanLimits

    return ScanLimits(max_archive_bytes=int(config.get("max_archive_bytes")),
                      max_archive_ratio=float(config.get("max_archive_ratio")))


def hashlists_dir() -> Path:
    return config.data_dir() / "hashlists"


def hash_library(directory: Path | None = None) -> HashLibrary:
    """The installed hash lists (in the data folder unless `directory` says otherwise), matched as configured."""
    from lanzarote.media.library import HashLibrary

    return HashLibrary(directory or hashlists_dir(), match_settings())
