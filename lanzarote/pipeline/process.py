"""Process: every stale report through media → linking → routing → triage, in batches, results into the store.

Each stage is a pure function of the batch and the state handed to it (hash lists, the identifier index lookup,
routing tables, rules). Only new or changed reports are stale, so adding reports links them against history
without recomputing it; `everything=True` re-runs the stages over all history (after a rules or list change).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.linking.identifiers import Sighting, sightings_of
from lanzarote.linking.linker import link_batch
from lanzarote.linking.priors import PriorRecords
from lanzarote.linking.subjects import assign_subjects
from lanzarote.model.linking import Identifier, IdentifierKind
from lanzarote.model.media import FileVerdict
from lanzarote.model.priority import Reason, Tier
from lanzarote.model.report import Report
from lanzarote.routing.resolve import overridden, route
from lanzarote.routing.tables import RoutingTables
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store import work as store_work
from lanzarote.store.db import session
from lanzarote.store.state import ReportState, StoredSighting
from lanzarote.triage.context import TriageContext
from lanzarote.triage.lexicon import Lexicon
from lanzarote.triage.lexicon import load as load_lexicon
from lanzarote.triage.rank import triage
from lanzarote.triage.rules import Rules

TOP_SIGNALS = {"T3", "T6", "T15", "T11", "T5", "T8", "T10"}
"""Signals a subject's other reports pass on (a subject's strongest reasons lift its other reports)."""
MAX_LINKED_SHOWN = 100


def priors_path() -> Path:
    """Where the installed prior records live (CSV, or JSON when imported as JSON)."""
    csv_path = config.data_dir() / "priors.csv"
    json_path = csv_path.with_suffix(".json")
    return json_path if json_path.exists() and not csv_path.exists() else csv_path


def hashlists_dir() -> Path:
    return config.data_dir() / "hashlists"


@dataclass
class Stages:
    """What the stages need, loaded once per run."""

    tables: RoutingTables
    rules: Rules
    lexicon: Lexicon
    priors: PriorRecords
    matcher: Any | None
    """The media stage's matcher when hash lists are installed; None means matching has not run."""

    @classmethod
    def load(cls) -> Stages:
        return cls(RoutingTables.load(), Rules.load(), load_lexicon(), PriorRecords.load(priors_path()), _matcher())


def _matcher() -> Any | None:
    try:
        from lanzarote.media.library import HashLibrary  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    directory = hashlists_dir()
    if not directory.exists():
        return None
    library = HashLibrary(directory)
    return library.matcher() if library.lists() else None


@dataclass
class ProcessSummary:
    processed: int = 0
    links: int = 0
    held: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    matching_ran: bool = False


def _verdicts(stages: Stages, reports: Sequence[Report]) -> list[tuple[FileVerdict, ...] | None]:
    """Every report's file verdicts in one pass over the hash lists (None for all: matching has not run)."""
    if stages.matcher is None:
        return [None] * len(reports)
    verdicts: list[tuple[FileVerdict, ...] | None] = list(stages.matcher.batch_report_verdicts(reports))
    return verdicts


def _history(s: Session) -> Callable[[Collection[Identifier]], Sequence[tuple[str, Sighting]]]:
    def lookup(identifiers: Collection[Identifier]) -> Sequence[tuple[str, Sighting]]:
        stored = store_state.sightings_of(s, {(i.kind.value, i.value) for i in identifiers})
        return [
            (x.report_key, Sighting(Identifier.model_construct(kind=IdentifierKind(x.kind), value=x.value,
                                                               strong=x.strong), x.at, x.proxy, x.account))
            for x in stored
        ]

    return lookup


def process_batch(s: Session, keys: Sequence[str], stages: Stages, held: set[tuple[str, str]],
                  now: datetime) -> tuple[list[ReportState], int, set[str]]:
    """Run the stages over one batch; returns the states, the number of new links and reports made stale."""
    reports = store_reports.assembled(s, keys)
    keys = [k for k in keys if k in reports]
    sightings = {k: sightings_of(reports[k]) for k in keys}
    result = link_batch(
        [(k, sightings[k]) for k in keys], _history(s),
        window_minutes=int(config.get("ip_link_window_minutes")),
        fanout_limit=int(config.get("identifier_fanout_limit")), held_already=held,
    )
    store_state.replace_identifiers(s, keys, (
        StoredSighting(k, x.identifier.kind.value, x.identifier.value, x.at, x.proxy, x.identifier.strong, x.account)
        for k in keys for x in sightings[k]
    ))
    store_state.save_links(s, result.links)
    new_held = [(h.identifier.kind.value, h.identifier.value, h.reason, h.reports) for h in result.held]
    store_state.save_held(s, new_held)
    held.update((k, v) for k, v, _, _ in new_held)
    touched = {k for link in result.links for k in (link.report_a, link.report_b)}
    existing = store_state.subjects_of(s, touched | set(keys))
    members_before = store_state.members(s, {v for v in existing.values() if v})
    assignment = assign_subjects(result.links, existing,
                                 {sid: [k for k, _ in ms] for sid, ms in members_before.items()})
    changed = store_state.set_subjects(s, assignment)
    stale_elsewhere = changed - set(keys)
    store_state.mark_stale(s, stale_elsewhere)
    subject_of = {k: assignment.get(k) or existing.get(k) for k in keys}
    members = store_state.members(s, {v for v in subject_of.values() if v})
    other_keys = {k for ms in members.values() for k, _ in ms} - set(keys)
    stored_reasons = store_state.reasons_of(s, other_keys)
    source_id = {k: sid for ms in members.values() for k, sid in ms}
    states = []
    batch_verdicts = dict(zip(keys, _verdicts(stages, [reports[k] for k in keys]), strict=True))
    decisions = store_work.overrides_of(s, keys)
    for key in keys:
        report = reports[key]
        subject = subject_of[key]
        linked = [k for k, _ in members.get(subject, [])] if subject else []
        linked = [k for k in linked if k != key]
        verdicts = batch_verdicts[key]
        report_route = route(report, stages.tables)
        if key in decisions:
            report_route = overridden(report_route, decisions[key], stages.tables)
        subject_reasons: list[tuple[str, Reason]] = [
            (source_id.get(k, k), r) for k in linked for r in stored_reasons.get(k, ()) if r.signal in TOP_SIGNALS
        ]
        context = TriageContext(
            verdicts=verdicts, route=report_route,
            prior_hits=tuple(sorted({h.case_reference for h in stages.priors.hits(report, sightings[key])})),
            linked_reports=tuple(source_id.get(k, k) for k in linked[:MAX_LINKED_SHOWN]),
            subject_reasons=tuple(subject_reasons),
        )
        decision = triage(report, context, stages.rules, stages.lexicon)
        states.append(ReportState(key, verdicts, report_route, decision, subject,
                                  tuple(source_id.get(k, k) for k in linked[:MAX_LINKED_SHOWN]),
                                  report.reporter.name if report.reporter else None,
                                  report.incident_type.value if report.incident_type else None))
    store_state.save(s, states, now)
    return states, len(result.links), stale_elsewhere


def process(
    engine: Engine,
    *,
    everything: bool = False,
    progress: Callable[[int], None] | None = None,
    stages: Stages | None = None,
) -> ProcessSummary:
    """Run every stage over the stale reports (or all of them); returns what happened."""
    stages = stages or Stages.load()
    summary = ProcessSummary(matching_ran=stages.matcher is not None)
    batch_size = int(config.get("batch_size"))
    with session(engine) as s:
        held = {(k, v) for k, v, _, _ in store_state.held(s)}
    for _ in range(3):  # a second pass re-ranks reports whose subject changed under them
        after: str | None = None
        while True:
            now = datetime.now(UTC)
            with session(engine) as s:
                keys = store_state.stale_keys(s, batch_size, after=after, everything=everything)
                if not keys:
                    break
                states, links, _ = process_batch(s, keys, stages, held, now)
            after = keys[-1]
            summary.processed += len(states)
            summary.links += links
            for st in states:
                tier = st.triage.tier.value if st.triage else "-"
                summary.tiers[tier] = summary.tiers.get(tier, 0) + 1
            if progress:
                progress(len(keys))
        everything = False
        with session(engine) as s:
            if store_state.count_stale(s) == 0:
                break
    summary.held = len(held)
    return summary


def rematch(engine: Engine, progress: Callable[[int], None] | None = None) -> ProcessSummary:
    """Re-run every stage over all stored reports (after a hash list was imported, updated or removed)."""
    return process(engine, everything=True, progress=progress)


def prepare_demo(engine: Engine, out: Path) -> None:
    """Install the synthetic set's prior records and hash list, as a unit would install its own."""
    priors = out / "priors.csv"
    if priors.exists():
        PriorRecords.load(priors)
        shutil.copyfile(priors, priors_path())
    vics = out / "hashlists" / "synthetic-vics.json"
    try:
        from lanzarote.media.library import HashLibrary
    except ImportError:
        return
    library = HashLibrary(hashlists_dir())
    if vics.exists() and not any(getattr(x, "name", None) == "synthetic-vics" for x in library.lists()):
        library.import_list(vics, "synthetic-vics", "vics")


__all__ = ["ProcessSummary", "Stages", "Tier", "prepare_demo", "process", "process_batch", "rematch"]
