"""Suggestions from weak evidence: the same person named in reports that share no strong identifier.

Person records (name, date of birth, city, postal code, screen name) are compared with Splink — a Fellegi–Sunter
model on DuckDB, embedded — trained without labels: u probabilities by random sampling, m probabilities by
expectation maximisation. A suggestion is never merged by itself; an analyst confirms or rejects it, and a rejected
pair is never suggested again.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from lanzarote.model.linking import Suggestion, SuggestionStatus
from lanzarote.model.report import PartyRole, Report

MIN_RECORDS = 50
"""Below this many person records there is too little to train on without labels: no suggestions."""
THRESHOLD = 0.9


@dataclass(frozen=True)
class PersonRecord:
    unique_id: str
    report_key: str
    first_name: str | None
    surname: str | None
    dob: str | None
    city: str | None
    postcode: str | None
    screen_name: str | None


def _clean(value: str | None) -> str | None:
    """Lower case, no accents, single spaces: 'Müller-Lüdenscheidt ' and 'muller ludenscheidt' compare equal."""
    if not value:
        return None
    decomposed = unicodedata.normalize("NFKD", value.lower().replace("ß", "ss"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("-", " ").split()) or None


def person_records_of(report: Report) -> list[PersonRecord]:
    """One record per reported person that has a name, a date of birth or a screen name."""
    key = f"{report.source}/{report.source_id}"
    records = []
    for n, party in enumerate(report.parties_in(PartyRole.REPORTED)):
        address = party.addresses[0] if party.addresses else None
        record = PersonRecord(
            unique_id=f"{key}#{n}", report_key=key, first_name=_clean(party.first_name),
            surname=_clean(party.last_name),
            dob=party.date_of_birth.isoformat() if party.date_of_birth else None,
            city=_clean(address.city if address else None),
            postcode=(address.postal_code or "").replace(" ", "").upper() or None if address else None,
            screen_name=_clean(party.screen_name),
        )
        if record.surname or record.dob or record.screen_name:
            records.append(record)
    return records


def _settings() -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city"),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("screen_name", [0.92, 0.8]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "dob"),
            block_on("first_name", "surname", "postcode"),
            block_on("screen_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def suggest(
    records: Sequence[PersonRecord],
    decided: Mapping[tuple[str, str], SuggestionStatus],
    *,
    threshold: float = THRESHOLD,
    subject_of: Mapping[str, str | None] | None = None,
) -> list[Suggestion]:
    """Pairs of reports whose people probably are the same, with the evidence; decided pairs keep their decision.

    Pairs already in one subject (linked by strong identifiers) are left out: there is nothing to suggest.
    """
    if len(records) < MIN_RECORDS:
        return []
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI()
    table = db_api.register([asdict(r) for r in records])
    linker = Linker(table, _settings(), log_level=logging.ERROR)
    # the prior: how often two random records are the same person, from pairs that agree on everything strong
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("screen_name")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("surname", "dob"), block_on("first_name", "city")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as exc:  # a level never observed under this blocking: keep what the other rule learnt
            logging.getLogger(__name__).info("EM on %s skipped: %s", rule, exc)
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_record_list()
    by_id = {r.unique_id: r for r in records}
    best: dict[tuple[str, str], Suggestion] = {}
    for row in predictions:
        a, b = by_id[row["unique_id_l"]], by_id[row["unique_id_r"]]
        if a.report_key == b.report_key:
            continue
        pair = (a.report_key, b.report_key) if a.report_key < b.report_key else (b.report_key, a.report_key)
        if subject_of and subject_of.get(pair[0]) and subject_of.get(pair[0]) == subject_of.get(pair[1]):
            continue
        status = decided.get(pair, SuggestionStatus.OPEN)
        if status is SuggestionStatus.REJECTED:
            continue
        evidence = tuple(
            f"{field}: {getattr(a, field)}" for field in ("first_name", "surname", "dob", "city", "postcode",
                                                          "screen_name")
            if getattr(a, field) and getattr(a, field) == getattr(b, field)
        )
        probability = round(float(row["match_probability"]), 4)
        if pair not in best or best[pair].probability < probability:
            best[pair] = Suggestion(report_a=pair[0], report_b=pair[1], probability=probability,
                                    evidence=evidence, status=status)
    return sorted(best.values(), key=lambda s: (-s.probability, s.report_a, s.report_b))
