"""Links carry the identifiers that made them; a link to another agency's report names the agency, not the report."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lanzarote.model.linking import Identifier, IdentifierKind, Link, LinkedElsewhere, Suggestion, SuggestionStatus


def test_a_link_to_reports_held_elsewhere_names_only_the_agency_and_its_contact() -> None:
    one = LinkedElsewhere(agency="FR", contact="unit.fr@example.org")
    assert one.text == "linked to a report held by another agency: FR (unit.fr@example.org)"
    assert LinkedElsewhere(agency="DE", reports=3).text == "linked to 3 reports held by another agency: DE"


def test_a_link_keeps_the_identifiers_that_made_it_and_an_identifier_is_strong_unless_said() -> None:
    email = Identifier(kind=IdentifierKind.EMAIL, value="offender.one@example.org")
    link = Link(report_a="ncmec/1", report_b="ncmec/2", identifiers=(email,))
    assert link.identifiers[0].strong and Link.model_validate_json(link.model_dump_json()) == link


def test_a_suggestion_starts_open_and_needs_its_evidence() -> None:
    suggestion = Suggestion(report_a="ncmec/1", report_b="ncmec/2", probability=0.91, evidence=("similar names",))
    assert suggestion.status is SuggestionStatus.OPEN
    with pytest.raises(ValidationError, match="evidence"):
        Suggestion.model_validate({"report_a": "ncmec/1", "report_b": "ncmec/2", "probability": 0.5})
