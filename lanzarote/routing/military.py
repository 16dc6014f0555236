"""Foreign armed forces (T21): a subscriber on a foreign force's network, or described as one of its members in the
report's own text, goes to that country's military investigators, with the note that the prosecutor must agree.

The text rule reads the provider's additional information, the reported person's profile, display names and
additional information, and the clearing house's notes, sentence by sentence, with phrases from
`data/special_rules.yaml` in English, German, French and Spanish. A sentence that negates the phrase ("is not a US
Army soldier", "kein Soldat der US-Armee", "ancien militaire américain") does not count; the sentence that counted is
shown with the route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lanzarote.model.report import PartyRole, Report
from lanzarote.routing.tables import MilitaryNetwork, RoutingTables

_SENTENCE = re.compile(r"(?<=[^\sA-Z][.!?;])\s+|\n+")
"""Sentence ends; a full stop after a capital is an abbreviation's ("U.S. Army", "EE. UU."), not a sentence's."""
_WORD = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)
NEGATION_WINDOW = 6
"""A negation counts when it stands at most this many words before the phrase, in the same sentence."""


@dataclass(frozen=True)
class MilitaryFinding:
    """A foreign force the subscriber belongs to, and what says so (where, and the network name or sentence)."""

    network: MilitaryNetwork
    where: str
    evidence: str

    def note(self, rules_note: str) -> str:
        return f"{rules_note} Evidence ({self.where}): “{self.evidence}”"


def military(report: Report, country: str, tables: RoutingTables) -> MilitaryFinding | None:
    """The foreign armed force (not `country`'s own) the reported subscriber belongs to, if the report says so."""
    layer = report.clearing_house
    for geo in layer.geolocations if layer else ():
        for pattern, network in tables.military:
            if geo.isp and network.country != country and pattern.search(geo.isp):
                return MilitaryFinding(network, f"{layer.name if layer else 'clearing house'} network name", geo.isp)
    for where, text in _texts(report):
        for sentence in _SENTENCE.split(text):
            if tables.military_anywhere.search(sentence) is None:  # most sentences: none of the phrases
                continue
            for pattern, network in tables.military_phrases:
                if network.country == country:
                    continue
                found = pattern.search(sentence)
                if found and not _negated(sentence[:found.start()], tables.military_negation):
                    return MilitaryFinding(network, where, " ".join(sentence.split()))
    return None


def _texts(report: Report) -> Iterator[tuple[str, str]]:
    provider = report.platform or (report.reporter.name if report.reporter else None) or "provider"
    if report.additional_info:
        yield f"additional information, {provider}", report.additional_info
    for party in report.parties_in(PartyRole.REPORTED):
        if party.profile_bio:
            yield f"subscriber profile, {provider}", party.profile_bio
        for name in party.display_names:
            yield f"subscriber display name, {provider}", name
        for info in party.additional_info:
            yield f"subscriber additional information, {provider}", info
    if report.clearing_house:
        for note in report.clearing_house.notes:
            yield f"{report.clearing_house.name} notes", note


def _negated(before: str, negation: re.Pattern[str]) -> bool:
    words = _WORD.findall(before)[-NEGATION_WINDOW:]
    return bool(words) and negation.search(" ".join(words)) is not None
