"""What a report says held to plausibility as a whole: the model bounds each value alone (a year, an age, a port);
here the report's times against the present and its number of files against the configured limit."""

from __future__ import annotations

from datetime import datetime

from lanzarote.intake.settings import IntakeSettings
from lanzarote.model.report import Report


def implausible(report: Report, received_at: datetime, settings: IntakeSettings) -> str | None:
    """What in the report cannot be so (a quarantine reason), or None."""
    return implausible_at(report.source, report.source_id, len(report.files), report.received_at, report.incident_at,
                          received_at, settings)


def implausible_at(source: str, source_id: str, files: int, report_received_at: datetime | None,
                   incident_at: datetime | None, received_at: datetime, settings: IntakeSettings) -> str | None:
    """`implausible` for a report's values before its record is built (the CyberTipline reader's stored form)."""
    problem = None
    max_files = settings.max_files_per_report
    if files > max_files:
        # quarantined rather than cut: a cut would drop files unseen, perhaps the unknown ones (docs/security.md)
        problem = (f"holds {files:,} files, more than the limit of {max_files:,} "
                   "(LANZAROTE_MAX_FILES_PER_REPORT): check it is one report, raise the limit and retry")
    latest = settings.latest_plausible(received_at)
    for what, when in (("received_at", report_received_at), ("incident_at", incident_at)):
        if when is not None and when > latest:
            problem = (f"{what} {when.isoformat()} lies in the future (after {latest:%Y-%m-%d %H:%M} UTC, "
                       "LANZAROTE_MAX_FUTURE_MINUTES): check the sender's clock")
    return f"report {source}/{source_id} {problem}" if problem else None
