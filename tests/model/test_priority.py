"""A tier comes with its reasons, and the rules' version that decided it."""

from __future__ import annotations

from lanzarote.model.priority import Reason, Tier, Triage


def test_tiers_sort_most_urgent_first_by_their_names() -> None:
    assert sorted([Tier.P3, Tier.P1, Tier.P4, Tier.P2]) == [Tier.P1, Tier.P2, Tier.P3, Tier.P4]


def test_a_triage_round_trips_with_its_reasons_and_rules_version() -> None:
    triage = Triage(tier=Tier.P1, score=9.5, rules_version="rules-7",
                    reasons=(Reason(signal="T3", text="self-declared abuse", weight=5.0, evidence="'my daughter'"),))
    again = Triage.model_validate_json(triage.model_dump_json())
    assert again == triage and again.reasons[0].signal == "T3"
