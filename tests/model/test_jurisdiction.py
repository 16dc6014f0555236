"""A route keeps all its evidence, conflicts included, and an analyst's override says who decided and why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from lanzarote.model.jurisdiction import EvidenceKind, JurisdictionEvidence, Route, RouteOverride


def test_a_route_keeps_conflicting_evidence_and_the_override_that_settled_it() -> None:
    evidence = (JurisdictionEvidence(kind=EvidenceKind.IP_ADDRESS, value="192.0.2.10", country="ES", strength=0.6,
                                     asserted_by="provider"),
                JurisdictionEvidence(kind=EvidenceKind.PHONE, value="+33639980001", country="FR", strength=0.7,
                                     asserted_by="provider"))
    override = RouteOverride(country="FR", reason="the phone is the suspect's own", decided_by="hub-analyst",
                             decided_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    route = Route(country="FR", confidence=1.0, evidence=evidence, conflict=True, override=override)
    again = Route.model_validate_json(route.model_dump_json())
    assert again == route and {e.country for e in again.evidence} == {"ES", "FR"}


def test_an_override_without_a_reason_is_refused() -> None:
    with pytest.raises(ValidationError, match="reason"):
        RouteOverride.model_validate({"country": "FR", "decided_by": "hub-analyst",
                                      "decided_at": "2026-11-02T09:00:00Z"})
