"""What the other stages tell triage about a report."""

from __future__ import annotations

from dataclasses import dataclass

from lanzarote.model.jurisdiction import Route
from lanzarote.model.media import FileVerdict
from lanzarote.model.priority import Reason


@dataclass(frozen=True)
class TriageContext:
    verdicts: tuple[FileVerdict, ...] | None = None
    """None: hash matching has not run — which is never read as 'unknown material'."""
    route: Route | None = None
    prior_hits: tuple[str, ...] = ()
    """Prior records (earlier cases) the report's identifiers hit, as case references."""
    linked_reports: tuple[str, ...] = ()
    subject_reasons: tuple[tuple[str, Reason], ...] = ()
    """The heaviest reason of each of the subject's other reports in the top tier, with the report id it comes from."""
