"""Process: every stale report through media → linking → routing → triage, in batches, results into the store.

Each stage is a pure function of the batch and the state handed to it (hash lists, the identifier index lookup,
routing tables, rules). Only new or changed reports are stale, so adding reports links them against history
without recomputing it; `everything=True` re-runs the stages over all history (after a rules or list change).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.coordination.deconfliction.messages import new_reference
from lanzarote.coordination.deconfliction.oprf import EXCHANGED
from lanzarote.intake.cybertipline import SOURCE as CYBERTIPLINE
from lanzarote.linking.identifiers import Sighting, SightingFields, fields_of, from_fields, sightings_of
from lanzarote.linking.linker import held_identifier, link_batch
from lanzarote.linking.priors import PriorRecords
from lanzarote.linking.subjects import assign_subjects
from lanzarote.model.linking import Identifier, IdentifierKind
from lanzarote.model.media import FileVerdict
from lanzarote.model.priority import Reason, Tier
from lanzarote.model.report import Report
from lanzarote.pipeline import anchor
from lanzarote.pipeline.processes import few_collections, helpers, in_order, start_helper
from lanzarote.pipeline.settings import hash_library, hashlists_dir
from lanzarote.routing.resolve import overridden, route
from lanzarote.routing.tables import RoutingTables
from lanzarote.store import deconfliction as store_deconfliction
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store import work as store_work
from lanzarote.store.db import make_engine, session
from lanzarote.store.state import ReportState, StoredRoute, StoredSighting
from lanzarote.triage import learned
from lanzarote.triage.context import TriageContext
from lanzarote.triage.lexicon import Lexicon
from lanzarote.triage.lexicon import load as load_lexicon
from lanzarote.triage.rank import rank
from lanzarote.triage.rules import Rules
from lanzarote.triage.signals import meme_evidence, own_signals, with_links

MAX_LINKED_SHOWN = 100


def priors_path() -> Path:
    """Where the installed prior records live (CSV, or JSON when imported as JSON)."""
    csv_path = config.data_dir() / "priors.csv"
    json_path = csv_path.with_suffix(".json")
    return json_path if json_path.exists() and not csv_path.exists() else csv_path


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
        """The stages' state, with what examining would load on first use loaded here (the text model; the index
        kernels, see `_matcher`): examiners forked from this process inherit it instead of each loading it again
        every run."""
        learned.load()
        return cls(RoutingTables.load(), Rules.load(), load_lexicon(), PriorRecords.load(priors_path()), _matcher())


def _matcher() -> Any | None:
    if not hashlists_dir().exists():
        return None
    try:
        library = hash_library()
    except ImportError:  # the media stage's libraries are missing: matching does not run
        return None
    return library.matcher() if library.lists() else None


@dataclass
class ProcessSummary:
    processed: int = 0
    links: int = 0
    held: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    """Files by verdict (known, near_known, unknown, not_matched), and `victim_identified` among the known."""
    matching_ran: bool = False
    audit_faults: list[str] = field(default_factory=list)
    """What the audit trail's checkpoint found wrong (then no checkpoint was written: `audit verify` says more)."""

    def add(self, states: Sequence[ReportState], links: int) -> None:
        """Count a settled batch."""
        self.processed += len(states)
        self.links += links
        for st in states:
            tier = st.triage.tier.value if st.triage else "-"
            self.tiers[tier] = self.tiers.get(tier, 0) + 1
            for v in st.verdicts or ():
                for name in (v.verdict.value, "victim_identified") if v.victim_identified else (v.verdict.value,):
                    self.verdicts[name] = self.verdicts.get(name, 0) + 1


def _verdicts(stages: Stages, reports: Sequence[Report]) -> list[tuple[FileVerdict, ...] | None]:
    """Every report's file verdicts in one pass over the hash lists (None for all: matching has not run); flood
    flags are added when the batch is settled, in order."""
    if stages.matcher is None:
        return [None] * len(reports)
    verdicts: list[tuple[FileVerdict, ...] | None] = list(stages.matcher.batch_report_matches(reports))
    return verdicts


def _history(s: Session) -> Callable[[Collection[Identifier]], Sequence[tuple[str, Sighting]]]:
    def lookup(identifiers: Collection[Identifier]) -> Sequence[tuple[str, Sighting]]:
        asked = {(i.kind.value, i.value): i for i in identifiers}  # each stored sighting is of one of these
        found = [(x.report_key, Sighting(asked[x.kind, x.value], x.at, x.proxy, x.account))
                 for x in store_state.sightings_of(s, asked)]
        # a CyberTipline number named in priorCTReports is the stored report of that number (its own number is
        # not indexed: the reports table says whether it is here)
        numbered = {store_reports.report_key(CYBERTIPLINE, i.value): i for i in identifiers
                    if i.kind is IdentifierKind.PRIOR_CT_REPORT}
        found.extend((key, Sighting(numbered[key])) for key in sorted(store_state.stored_keys(s, numbered)))
        return found

    return lookup


@dataclass(frozen=True)
class Examined:
    """What the stages that need no other report found about one report: the part of processing done in parallel."""

    key: str
    sightings: tuple[Sighting, ...]
    verdicts: tuple[FileVerdict, ...] | None
    route: StoredRoute
    """The route as stored (settling needs nothing else of it: its signals are among `signals`)."""
    prior_hits: tuple[str, ...]
    signals: dict[str, str | None]
    """The report's own triage signals (links are added when it is settled)."""
    meme: str | None
    provider: str | None
    incident_type: str | None


def examine(s: Session, keys: Sequence[str], stages: Stages) -> list[Examined]:
    """Media, identifiers, routing and the report's own signals for each stored report of `keys` (reads only)."""
    reports = store_reports.assembled(s, keys)
    keys = [k for k in keys if k in reports]
    verdicts = dict(zip(keys, _verdicts(stages, [reports[k] for k in keys]), strict=True))
    decisions = store_work.overrides_of(s, keys)
    examined = []
    for key in keys:
        report = reports[key]
        sightings = sightings_of(report)
        report_route = route(report, stages.tables)
        if key in decisions:
            report_route = overridden(report_route, decisions[key], stages.tables)
        prior_hits = tuple(sorted({h.case_reference for h in stages.priors.hits(report, sightings)}))
        context = TriageContext(verdicts=verdicts[key], route=report_route, prior_hits=prior_hits)
        examined.append(Examined(
            key, sightings, verdicts[key], StoredRoute.of(report_route), prior_hits,
            own_signals(report, context, stages.lexicon), meme_evidence(report),
            report.reporter.name if report.reporter else None,
            report.incident_type.value if report.incident_type else None,
        ))
    return examined


def settle(s: Session, examined: Sequence[Examined], stages: Stages, held: set[tuple[str, str]],
           now: datetime) -> tuple[list[ReportState], int, set[str]]:
    """Link examined reports against history, give them their subjects, rank them; returns the states, the number
    of new links and the reports made stale elsewhere.

    The outcome must not depend on which reports share a batch or were settled before, so a report's subject, its
    linked reports and what lifts it are all read off the subject as it stands after this batch: the batch's own
    reports lift each other, and the other members of every subject this batch changed (a member joined, subjects
    merged or split, a member's top-tier reasons changed) are marked stale, to be settled again with it.
    """
    keys = [x.key for x in examined]
    batch = set(keys)
    result = link_batch(
        [(x.key, x.sightings) for x in examined], _history(s),
        window_minutes=int(config.get("ip_link_window_minutes")),
        fanout_limit=int(config.get("identifier_fanout_limit")), held_already=held,
    )
    store_state.replace_identifiers(s, keys, (
        StoredSighting(x.key, y.identifier.kind.value, y.identifier.value, y.at, y.proxy, y.identifier.strong,
                       y.account)
        for x in examined for y in x.sightings if y.indexed
    ))
    store_state.save_links(s, result.links)
    new_held = [(h.identifier.kind.value, h.identifier.value, h.reason, h.reports) for h in result.held]
    store_state.save_held(s, new_held)
    if store_deconfliction.exchanging(s):  # a deconfliction unit: the new strong identifiers wait for their tokens
        store_deconfliction.enqueue_identifiers(s, keys, EXCHANGED, now, new_reference)
    newly_held = {(k, v) for k, v, _, _ in new_held} - held
    held.update(newly_held)
    stale = _split_where_held(s, newly_held)
    touched = {k for link in result.links for k in (link.report_a, link.report_b)}
    existing = store_state.subjects_of(s, touched | batch)
    members_before = store_state.members(s, {v for v in existing.values() if v})
    assignment = assign_subjects(result.links, existing,
                                 {sid: [k for k, _ in ms] for sid, ms in members_before.items()})
    stale |= store_state.set_subjects(s, assignment)
    subject_of = {k: assignment.get(k) or existing.get(k) for k in keys}
    members = store_state.members(s, {v for v in subject_of.values() if v})
    before = {sid: {k for k, _ in ms} for sid, ms in members_before.items()}
    changed_subjects = {sid for sid, ms in members.items() if {k for k, _ in ms} != before.get(sid)}
    source_id = {k: sid for ms in members.values() for k, sid in ms}
    stored_reasons = store_state.reasons_of(s, set(source_id) - batch | {
        k for k in keys if subject_of[k] and subject_of[k] not in changed_subjects})
    states = _ranked(examined, stages, subject_of, members, source_id, stored_reasons)
    for st in states:  # a member whose top-tier reasons changed changes what lifts the others
        if st.subject_id and st.subject_id not in changed_subjects and _top(
                stored_reasons.get(st.report_key, ()), stages.rules) != _top(
                st.triage.reasons if st.triage else (), stages.rules):
            changed_subjects.add(st.subject_id)
    stale |= {k for sid in changed_subjects for k, _ in members.get(sid, ())}
    stale -= batch
    store_state.mark_stale(s, stale)
    store_state.save(s, states, now)
    return states, len(result.links), stale


def _recount_held(s: Session) -> None:
    """Each held identifier's count and reason over the whole store as processed: a batch saw only its part."""
    limit = int(config.get("identifier_fanout_limit"))
    counts = store_state.held_counts(s, [(k, v) for k, v, _, _ in store_state.held(s)])
    rows = []
    for (kind, value), (reports, accounts) in sorted(counts.items()):
        why = held_identifier(Identifier(kind=IdentifierKind(kind), value=value), reports, accounts, limit)
        rows.append((kind, value, why.reason, why.reports))
    store_state.save_held(s, rows)


def _top(reasons: Sequence[Reason], rules: Rules) -> tuple[Reason, ...]:
    """The reason a report passes on to its subject's other reports: its heaviest, when its reasons make it P1."""
    if not reasons or rules.tier_for({r.signal for r in reasons}) is not Tier.P1:
        return ()
    return (max(reasons, key=lambda r: r.weight),)


def _split_where_held(s: Session, identifiers: set[tuple[str, str]]) -> set[str]:
    """Identifiers that have just stopped linking no longer link what they linked while they were rarer (or, for
    an address, seen with fewer accounts): the subjects they held together are recomputed from the links left.
    Returns the members of those subjects, all of which are to be settled again."""
    touched = store_state.unlink(s, identifiers)
    if not touched:
        return set()
    subjects = {v for v in store_state.subjects_of(s, touched).values() if v}
    members = {k for ms in store_state.members(s, subjects).values() for k, _ in ms} | touched
    left = [x for x in store_state.links_of(s, members) if x.report_a in members and x.report_b in members]
    components = assign_subjects(left, {})
    store_state.set_subjects(s, {k: components.get(k) for k in members})
    return members


def _ranked(examined: Sequence[Examined], stages: Stages, subject_of: dict[str, str | None],
            members: dict[str, list[tuple[str, str]]], source_id: dict[str, str],
            stored_reasons: dict[str, tuple[Reason, ...]]) -> list[ReportState]:
    """Every examined report ranked: first on its own and its links, then lifted by the top-tier reasons of its
    subject's other members (the batch's own from that first ranking, the others' as stored)."""
    first = []
    for x in examined:
        verdicts = (tuple(stages.matcher.flag_floods(x.verdicts, owner=x.key)) if stages.matcher and x.verdicts
                    else x.verdicts)
        subject = subject_of[x.key]
        linked = [k for k, _ in members.get(subject, []) if k != x.key] if subject else []
        shown = tuple(source_id.get(k, k) for k in linked[:MAX_LINKED_SHOWN])
        context = TriageContext(verdicts=verdicts, prior_hits=x.prior_hits, linked_reports=shown)
        signals = with_links(x.signals, context, x.meme)
        first.append((x, verdicts, subject, linked, shown, context, signals,
                      rank(signals, context, stages.rules, stages.lexicon)))
    reasons = dict(stored_reasons)
    reasons.update((x.key, decision.reasons) for x, *_, decision in first)
    states = []
    for x, verdicts, subject, linked, shown, context, signals, decision in first:
        lifting = tuple((source_id.get(k, k), r) for k in linked for r in _top(reasons.get(k, ()), stages.rules))
        if lifting:
            decision = rank(signals, replace(context, subject_reasons=lifting), stages.rules, stages.lexicon)
        states.append(ReportState(x.key, verdicts, x.route, decision, subject, shown, x.provider, x.incident_type))
    return states


_EXAMINER: tuple[Engine, Stages] | None = None
"""An examiner process's own store connection and stages (set when the process starts)."""


def _start_examiner(url: str, stages: Stages) -> None:
    global _EXAMINER
    start_helper()
    _EXAMINER = (make_engine(url), stages)


_EXAMINED = TypeAdapter(list[tuple[Examined, list[SightingFields]]])
"""How examined batches travel from an examiner to this process: as JSON, which pydantic writes and reads in its
compiled core (pickling the records' pydantic objects cost an examiner four times as much to write); the sightings
as plain values beside each report (pydantic rebuilt each named tuple at about 13 us, most of reading a batch)."""


def _examine_in_process(keys: list[str]) -> bytes:
    assert _EXAMINER is not None, "an examiner process starts with its store and stages"
    engine, stages = _EXAMINER
    with session(engine) as s:
        return _EXAMINED.dump_json([(replace(x, sightings=()), [fields_of(y) for y in x.sightings])
                                    for x in examine(s, keys, stages)])


def _received(examined: bytes) -> list[Examined]:
    """An examiner's batch as `examine` returned it."""
    return [replace(x, sightings=tuple(from_fields(f) for f in fields))
            for x, fields in _EXAMINED.validate_json(examined)]


def _stale_batches(engine: Engine, batch_size: int, everything: bool) -> Iterator[list[str]]:
    after: str | None = None
    while True:
        with session(engine) as s:
            keys = store_state.stale_keys(s, batch_size, after=after, everything=everything)
        if not keys:
            return
        yield keys
        after = keys[-1]


def _examined(engine: Engine, batches: Iterator[list[str]], stages: Stages,
              workers: int) -> Iterator[list[Examined]]:
    """Each batch examined, in order: in this process, or by examiner processes while this one settles."""
    if helpers(engine, workers) <= 1:
        for keys in batches:
            with session(engine) as s:
                yield examine(s, keys, stages)
        return
    url = engine.url.render_as_string(hide_password=False)
    for examined in in_order(_examine_in_process, ((keys,) for keys in batches), workers=workers,
                             initializer=_start_examiner, initargs=(url, stages), ahead=workers):
        yield _received(examined)


def process(
    engine: Engine,
    *,
    everything: bool = False,
    progress: Callable[[int], None] | None = None,
    stages: Stages | None = None,
    workers: int | None = None,
) -> ProcessSummary:
    """Run every stage over the stale reports (or all of them); returns what happened.

    The stages that need no other report run in examiner processes (one per core), batch after batch; this process
    links each examined batch against history, ranks it and commits it, in order.
    """
    stages = stages or Stages.load()
    workers = workers or config.workers()
    summary = ProcessSummary(matching_ran=stages.matcher is not None)
    batch_size = int(config.get("batch_size"))
    with few_collections():  # the counts read here are many small objects too, all kept for the run
        with session(engine) as s:
            held = {(k, v) for k, v, _, _ in store_state.held(s)}
            if stages.matcher is not None and not everything:  # over all history, every file is counted afresh
                stages.matcher.trust_counted(store_state.counted_matches(s))
        for _ in range(3):  # a second pass re-ranks reports whose subject changed under them
            for examined in _examined(engine, _stale_batches(engine, batch_size, everything), stages, workers):
                with session(engine) as s:
                    states, links, _ = settle(s, examined, stages, held, datetime.now(UTC))
                summary.add(states, links)
                if progress:
                    progress(len(states))
            everything = False
            with session(engine) as s:
                if store_state.count_stale(s) == 0:
                    break
    with session(engine) as s:
        _recount_held(s)
    summary.held = len(held)
    summary.audit_faults = anchor.checkpoint(engine)
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
    library = hash_library()
    if vics.exists() and not any(getattr(x, "name", None) == "synthetic-vics" for x in library.lists()):
        library.import_list(vics, "synthetic-vics", "vics")


__all__ = ["ProcessSummary", "Stages", "Tier", "prepare_demo", "process", "rematch"]
