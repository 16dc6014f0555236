"""A report's tier and score, with every reason that made them."""

from __future__ import annotations

from lanzarote.model.priority import Reason, Triage
from lanzarote.model.report import Report
from lanzarote.triage import learned
from lanzarote.triage.context import TriageContext
from lanzarote.triage.lexicon import Lexicon
from lanzarote.triage.lexicon import load as load_lexicon
from lanzarote.triage.rules import Rules
from lanzarote.triage.signals import detect


def triage(report: Report, context: TriageContext, rules: Rules, lexicon: Lexicon | None = None) -> Triage:
    """Tier (P1..P4), score and reasons; a subject's top-tier reports lift its other reports, saying so."""
    lex = lexicon or load_lexicon()
    return rank(detect(report, context, lex), context, rules, lex)


def rank(signals: dict[str, str | None], context: TriageContext, rules: Rules, lex: Lexicon) -> Triage:
    """Tier, score and reasons from the signals found (signal → its first evidence)."""
    found = dict(signals)
    if context.subject_reasons:
        rid, reason = context.subject_reasons[0]
        found.setdefault("LINKED_P1", f"linked report {rid} shows {reason.signal}: {reason.text}")
    reasons = [
        Reason(signal=s, text=rules.signals[s].text, weight=rules.signals[s].weight, evidence=e)
        for s, e in found.items()
        if s in rules.signals
    ]
    reasons.sort(key=lambda r: (-r.weight, r.signal))
    tier = rules.tier_for(set(found))
    score = round(sum(r.weight for r in reasons), 1)
    version = f"{rules.version}/{lex.version}/{learned.load().version}"  # the model's weights change tiers too
    return Triage(tier=tier, score=score, reasons=tuple(reasons), rules_version=version)
