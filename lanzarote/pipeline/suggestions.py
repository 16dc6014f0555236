"""Person-matching suggestions over all stored reports, and the analyst's decisions on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.linking.persons import PersonRecord, person_records_of, suggest
from lanzarote.linking.subjects import assign_subjects
from lanzarote.model.linking import Identifier, IdentifierKind, Link, Suggestion, SuggestionStatus
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store.db import session


def run(engine: Engine, progress: Callable[[int], None] | None = None) -> int:
    """Suggest pairs of reports whose people look the same (and are not linked yet); returns how many are new.

    Records are read from the store a batch at a time into person matching's engine (working in the data folder,
    within `person_matching_memory_mib`), and its suggestions are saved a batch at a time.
    """
    with session(engine) as s:
        decided = store_state.decisions(s)
    found = suggest(_records(engine, progress), decided, folder=config.data_dir(),
                    memory_mib=int(config.get("person_matching_memory_mib")),
                    engine=str(config.get("person_matching_engine")))
    batch = int(config.get("batch_size"))
    new = 0
    while chunk := list(islice(found, batch)):
        with session(engine) as s:
            new += store_state.save_suggestions(s, [x for x in chunk if x.status is SuggestionStatus.OPEN])
    return new


def _records(engine: Engine, progress: Callable[[int], None] | None) -> Iterator[PersonRecord]:
    """The person records of all stored reports, each with its report's subject, read a batch at a time."""
    after: str | None = None
    batch = int(config.get("batch_size"))
    with session(engine) as s:
        while keys := store_state.stale_keys(s, batch, after=after, everything=True):
            subject_of = store_state.subjects_of(s, keys)
            for key, report in store_reports.assembled(s, keys).items():
                yield from person_records_of(report, subject_of.get(key))
            after = keys[-1]
            if progress:
                progress(len(keys))


def _key(engine: Engine, report_id: str) -> str:
    with session(engine) as s:
        report = store_reports.get_report(s, report_id).report
    return f"{report.source}/{report.source_id}"


def decide(engine: Engine, report_a: str, report_b: str, status: SuggestionStatus, by: str) -> Suggestion:
    """Confirm (the two reports' people are one: their subjects merge) or reject (never suggested again)."""
    a, b = sorted((_key(engine, report_a), _key(engine, report_b)))
    with session(engine) as s:
        return record_decision(s, a, b, status, by, datetime.now(UTC))


def record_decision(s: Session, a: str, b: str, status: SuggestionStatus, by: str, now: datetime) -> Suggestion:
    """An analyst's decision on the suggestion between report keys `a` and `b`, within the caller's transaction."""
    decision = store_state.decide(s, a, b, status, by, now)
    if status is SuggestionStatus.CONFIRMED:
        evidence = "; ".join(decision.evidence) or f"p={decision.probability}"
        link = Link(report_a=decision.report_a, report_b=decision.report_b, identifiers=(Identifier(
            kind=IdentifierKind.CONFIRMED, value=f"confirmed by {by} on {now:%Y-%m-%d}: {evidence}"),))
        store_state.save_links(s, [link])
        existing = store_state.subjects_of(s, [a, b])
        members = store_state.members(s, {v for v in existing.values() if v})
        assignment = assign_subjects([link], existing, {k: [m for m, _ in v] for k, v in members.items()})
        store_state.set_subjects(s, assignment)
        store_state.mark_stale(s, set(assignment))
    return decision
