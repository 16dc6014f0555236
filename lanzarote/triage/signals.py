"""Signals a report shows: from its structured fields, from what other stages found, and from its free text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from lanzarote.model.media import FileVerdict, Verdict
from lanzarote.model.report import IncidentType, Origin, Party, PartyRole, Report
from lanzarote.triage import learned
from lanzarote.triage.context import TriageContext
from lanzarote.triage.lexicon import Lexicon
from lanzarote.triage.text import TextSignal, readings, signals_of

FRESH = timedelta(minutes=60)
"""Captured this close before it was sent counts as fresh production (T6)."""
YOUNG_VICTIM_AGE = 4
VIRAL = {"potentialMeme", "viral"}
INFORMATIONAL = {"KNOWN", "T2", "PUBLIC", "T23", "TEXT_NOT_READ", "T7", "T8"}
"""Signals a viral meme shared in outrage may carry and still be informational; they stay among its reasons. T7:
every sharer of one viral file is linked by its hash."""


def texts_of(report: Report) -> list[str]:
    """Every free text a report carries: the provider's notes, profiles, chat content, file notes."""
    texts = [report.additional_info or "", report.incident_description or ""]
    for party in report.parties:
        texts.append(party.profile_bio or "")
        texts.extend(party.additional_info)
    for detail in report.internet_details:
        texts.extend(x for x in (detail.content, detail.additional_info) if x)
    for f in report.files:
        texts.extend(f.additional_info)
    return [t for t in texts if t]


def _age(party: Party, on: date | None) -> int | None:
    if party.age is not None:
        return party.age
    if party.date_of_birth and on:
        years = on.year - party.date_of_birth.year
        return years - ((on.month, on.day) < (party.date_of_birth.month, party.date_of_birth.day))
    return None


def _matches(known: list[FileVerdict]) -> str:
    hits = (m for v in known for m in v.matches if not m.suppressed_by_allow_list)
    return ", ".join(f"{m.list_name}:{m.entry_id}" + (f" (d={m.distance})" if m.distance else "") for m in hits)[:200]


def structured(report: Report, context: TriageContext) -> Iterator[tuple[str, str | None]]:
    """(signal, evidence) pairs the fields show."""
    on = (report.incident_at or report.received_at)
    day = on.date() if on else None
    verdicts = context.verdicts
    if verdicts:
        unknown = [v.file_id for v in verdicts if v.verdict is Verdict.UNKNOWN]
        # a file whose every match an allow list suppressed is known non-pertinent material: no signal
        known = [v for v in verdicts if v.verdict in (Verdict.KNOWN, Verdict.NEAR_KNOWN)
                 and not all(m.suppressed_by_allow_list for m in v.matches)]
        if unknown:
            yield "T1", f"files {', '.join(unknown)} match no list"
        if any(v.victim_identified for v in known):
            yield "T2", _matches(known)
        elif known:
            yield "KNOWN", _matches(known)
    for f in report.files:
        sent = f.uploaded_at or report.incident_at
        if f.captured_at and sent and timedelta(0) <= sent - f.captured_at <= FRESH:
            minutes = int((sent - f.captured_at).total_seconds() // 60)
            yield "T6", f"file {f.file_id} captured {minutes} min before it was sent (EXIF)"
        if "infant" in f.annotations:
            yield "T20", f"file {f.file_id} annotated 'infant' by the provider"
        if f.publicly_available:
            yield "PUBLIC", f"file {f.file_id} publicly available"
    if "sextortion" in report.annotations or "csamSolicitation" in report.annotations:
        yield "T10", "provider annotation: " + ", ".join(report.annotations)
    if "minorToMinorInteraction" in report.annotations:
        yield "T12", "provider annotation: minor-to-minor interaction"
    for party in report.parties_in(PartyRole.REPORTED):
        age = _age(party, day)
        if age is not None and age < 18:
            yield "T12", f"reported person is {age}"
        if party.account_action is not None:
            yield "T23", "account permanently disabled" if party.account_action.permanent else "account disabled"
    minors = [p for p in report.parties if p.role is not PartyRole.REPORTED and (_age(p, day) or 99) < 18]
    if len(minors) >= 3:
        yield "T13", f"{len(minors)} children in the report"
    for party in report.parties_in(PartyRole.VICTIM):
        age = _age(party, day)
        if age is not None and age <= YOUNG_VICTIM_AGE:
            yield "T20", f"victim aged {age}"
    if report.incident_type is IncidentType.CHILD_SEX_TOURISM:
        yield "T22", "incident type: child sex tourism"
    if report.escalate_to_high_priority:
        yield "ESCALATED", "escalateToHighPriority"
    if report.origin is not Origin.PROVIDER:
        yield "T25", f"origin: {report.origin.value}"
    if context.prior_hits:
        yield "T8", "prior records: " + ", ".join(context.prior_hits[:5])
    route = context.route
    if route is not None:
        if any("notify" in n for n in route.notifications):
            yield "T19", "; ".join(n for n in route.notifications if "notify" in n)
        if any("prosecutor" in n for n in route.notifications):
            yield "T21", route.authority or "foreign military subscriber"


def detect(report: Report, context: TriageContext, lexicon: Lexicon) -> dict[str, str | None]:
    """Every signal with its first evidence (structured fields first, then free text, then links)."""
    return with_links(own_signals(report, context, lexicon), context, meme_evidence(report))


def own_signals(report: Report, context: TriageContext, lexicon: Lexicon) -> dict[str, str | None]:
    """The signals of the report itself and of the stages that need no other report (links come after)."""
    found: dict[str, str | None] = {}
    for signal, evidence in structured(report, context):
        found.setdefault(signal, evidence)
    for ts in _text_signals(tuple(texts_of(report)), lexicon, learned.load()):
        found.setdefault(ts.signal, ts.evidence)
    return found


TEXTS_REMEMBERED = 10_000
"""How many distinct sets of texts `_text_signals` keeps the reading of…"""
LONGEST_REMEMBERED = 4_000
"""…each of at most this many characters in all (a long chat is seldom sent twice): 40 MB at the very most."""
_read_already: dict[tuple[str, ...], tuple[TextSignal, ...]] = {}
_read_with: tuple[Lexicon, learned.TextModel] | None = None


def _text_signals(texts: tuple[str, ...], lexicon: Lexicon, model: learned.TextModel) -> tuple[TextSignal, ...]:
    """What the rules and the learned model read in a report's texts: a function of the texts alone, so each
    distinct set of texts is read once (providers' automated notes repeat word for word from report to report;
    reading them again was about a tenth of processing). Forgotten all at once when full, or when another lexicon
    or model reads."""
    global _read_with
    if _read_with is None or _read_with[0] is not lexicon or _read_with[1] is not model:
        _read_already.clear()
        _read_with = (lexicon, model)
    done = _read_already.get(texts)
    if done is None:
        found_in = readings(list(texts), lexicon)
        done = (*signals_of(found_in), *model.assess(found_in))
        if sum(map(len, texts)) <= LONGEST_REMEMBERED:
            if len(_read_already) >= TEXTS_REMEMBERED:
                _read_already.clear()
            _read_already[texts] = done
    return done


def meme_evidence(report: Report) -> str | None:
    """Why the report looks like a viral meme shared in outrage, if it does."""
    if report.batched_reason == "VIRAL_POTENTIAL_MEME" or any(f.potential_meme for f in report.files) or any(
        VIRAL & set(f.annotations) for f in report.files
    ):
        return report.batched_reason or "files flagged as potential meme"
    return None


def with_links(own: dict[str, str | None], context: TriageContext, meme: str | None) -> dict[str, str | None]:
    """The report's own signals with what its links show; a meme is one when nothing else speaks against it."""
    found = dict(own)
    if context.linked_reports:
        found.setdefault("T7", "linked reports: " + ", ".join(context.linked_reports[:5]))
    if meme is not None and found.keys() <= INFORMATIONAL:
        found["MEME"] = meme
    return found
