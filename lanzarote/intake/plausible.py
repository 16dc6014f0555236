"""What a report says held to plausibility as a whole: the model bounds each value alone (a year, an age, a port);
here the report's times against the present and its number of files against the configured limit."""

from __future__ import annotations

from datetime import datetime

from lanzarote.intake.settings import IntakeSettings
from lanzarote.model.report import Report


def implausible(report: Report, received_at: datetime, settings: IntakeSettings) -> str | None:
    """What in the report cannot be so (a quarantine reason), or None."""
    problem = None
    max_files = settings.max_files_per_report
    if len(report.files) > max_files:
        # quarantined rather than cut: a cut would drop files unseen, perhaps the unknown ones (docs/security.md)
        problem = (f"holds {len(report.files):,} files, more than the limit of {max_files:,} "
                   "(LANZAROTE_MAX_FILES_PER_REPORT): check it is one report, raise the limit and retry")
    latest = settings.latest_plausible(received_at)
    for what, when in (("received_at", report.received_at), ("incident_at", report.incident_at)):
        if when is not None and when > latest:
            problem = (f"{what} {when.isoformat()} lies in the future (after {latest:%Y-%m-%d %H:%M} UTC, "
                       "LANZAROTE_MAX_FUTURE_MINUTES): check the sender's clock")
    return f"report {report.source}/{report.source_id} {problem}" if problem else None
