"""Suggestions from weak evidence: the same person named in reports that share no strong identifier.

Person records (name, date of birth, city, postal code, screen name) are compared with Splink — a Fellegi–Sunter
model on DuckDB, embedded — trained without labels: u probabilities by random sampling, m probabilities by
expectation maximisation. A suggestion is never merged by itself; an analyst confirms or rejects it, and a rejected
pair is never suggested again.

Memory is bounded whatever the number of records: they go into the engine (a DuckDB database file, or Spark in
local mode: person_engines) in a working folder in batches, the engine keeps to a memory limit and spills to that
folder past it, expectation maximisation trains on a sample of the blocked pairs, prediction runs in chunks of
records, and the suggestions stream out one by one, best first.
"""

from __future__ import annotations

import logging
import math
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from lanzarote.model.linking import Suggestion, SuggestionStatus
from lanzarote.model.report import PartyRole, Report

MIN_RECORDS = 50
"""Below this many person records there is too little to train on without labels: no suggestions."""
THRESHOLD = 0.9
MEMORY_MIB = 1024
"""The engine's memory limit when the caller names none; past it the engine spills to the working folder."""
CHUNK_RECORDS = 2_000_000
"""Prediction scores the pairs of about this many records (their left side) at a time."""
U_PAIRS = 2e6
"""u probabilities are counted on about this many random pairs."""
EM_PAIRS = 2e6
"""Expectation maximisation trains on about this many blocked pairs, however many the blocking rule yields."""


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
    subject: str | None = None
    """The subject the report already belongs to (strong identifiers): pairs within one subject are not suggested."""


FIELDS = tuple(f.name for f in fields(PersonRecord))
COMPARED = ("first_name", "surname", "dob", "city", "postcode", "screen_name")


def _clean(value: str | None) -> str | None:
    """Lower case, no accents, single spaces: 'Müller-Lüdenscheidt ' and 'muller ludenscheidt' compare equal."""
    if not value:
        return None
    decomposed = unicodedata.normalize("NFKD", value.lower().replace("ß", "ss"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("-", " ").split()) or None


def person_records_of(report: Report, subject: str | None = None) -> list[PersonRecord]:
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
            screen_name=_clean(party.screen_name), subject=subject,
        )
        if record.surname or record.dob or record.screen_name:
            records.append(record)
    return records


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            _location(cl, cll),
            cl.JaroWinklerAtThresholds("screen_name", [0.92, 0.8]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "dob"),
            block_on("first_name", "surname", "postcode"),
            block_on("screen_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _location(cl: Any, cll: Any) -> Any:
    """Where the person lives, one comparison: a postal code names its city, so two comparisons would count one
    agreement twice, and EM blocked on the one would see every pair agree on the other and call them all matches."""
    return cl.CustomComparison(output_column_name="location", comparison_levels=[
        cll.CustomLevel("(postcode_l is null or postcode_r is null) and (city_l is null or city_r is null)",
                        "postcode and city missing").configure(is_null_level=True),
        cll.ExactMatchLevel("postcode"),
        cll.ExactMatchLevel("city"),
        cll.ElseLevel(),
    ])


EM_RULES = (("first_name", "surname", "dob"), ("dob", "postcode"), ("first_name", "surname", "postcode"))
"""The blocks expectation maximisation trains on, each tight enough that the same person is a good share of its
pairs at millions of records (a loose one, first name and city, held 1 planted pair in 1,300 sampled pairs at 1 M
records and 1 in 4,300 at 3 M, and EM called every pair a match; at 10 M these hold 1 in 18, 1 in 15 and 1 in 850),
and together estimating every comparison: the first the location and screen name, the second the names, the third
the date of birth."""


def suggest(
    records: Iterable[PersonRecord],
    decided: Mapping[tuple[str, str], SuggestionStatus],
    *,
    threshold: float = THRESHOLD,
    folder: Path | None = None,
    memory_mib: int = MEMORY_MIB,
    engine: str = "duckdb",
) -> Iterator[Suggestion]:
    """Pairs of reports whose people probably are the same, with the evidence, best first; decided pairs keep their
    decision and rejected ones are left out.

    Pairs already in one subject (linked by strong identifiers) are left out: there is nothing to suggest. The
    engine (`duckdb` or `spark`, see person_engines) works in a temporary folder inside `folder` (the system's
    temporary folder when None), removed at the end, and keeps to `memory_mib` MiB.
    """
    from lanzarote.linking import person_engines

    with tempfile.TemporaryDirectory(prefix="persons-", dir=folder) as work:
        backend = person_engines.engine(engine, Path(work), memory_mib)
        try:
            count = backend.load(records)
            if count >= MIN_RECORDS:
                predictions = _predictions(backend.db_api, count, threshold)
                yield from _suggestions(backend.rows(BEST_PAIRS.format(predictions=predictions)), decided)
        finally:
            backend.close()


def _predictions(db_api: Any, count: int, threshold: float) -> str:
    """Train the model on the records and score their blocked pairs; returns the table of pairs above `threshold`."""
    from splink import Linker

    linker = Linker(db_api.register("person_records"), _settings(), log_level=logging.ERROR)
    _train(linker)
    chunks = max(1, math.ceil(count / CHUNK_RECORDS))
    predictions = linker.inference.predict(threshold_match_probability=threshold, num_chunks_left=chunks,
                                           num_chunks_right=1)
    return str(predictions.physical_name)


def _train(linker: Any) -> None:
    """Fellegi–Sunter without labels: the prior from pairs that agree on everything strong, u by random sampling,
    m by expectation maximisation on the tight blocks of EM_RULES (u held, as Splink recommends)."""
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob", "postcode"), block_on("screen_name")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
    for columns in EM_RULES:
        rule = block_on(*columns)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=EM_PAIRS)
        except ValueError as exc:  # no pairs, or a level never observed under this block: keep the other rules'
            logging.getLogger(__name__).info("EM on %s skipped: %s", ", ".join(columns), exc)


_SIDES = ", ".join(f"l.{name} as {name}_l, r.{name} as {name}_r" for name in COMPARED)
BEST_PAIRS = f"""
    select report_a, report_b, probability, {", ".join(f"{n}_l, {n}_r" for n in COMPARED)} from (
        select least(l.report_key, r.report_key) as report_a, greatest(l.report_key, r.report_key) as report_b,
               round(p.match_probability, 4) as probability, {_SIDES},
               row_number() over (partition by least(l.report_key, r.report_key),
                                               greatest(l.report_key, r.report_key)
                                  order by p.match_probability desc, p.unique_id_l, p.unique_id_r) as rank
        from {{predictions}} p
        join person_records l on l.unique_id = p.unique_id_l
        join person_records r on r.unique_id = p.unique_id_r
        where l.report_key <> r.report_key and not coalesce(l.subject = r.subject, false)
    ) best
    where rank = 1
    order by probability desc, report_a, report_b"""
"""The best-scored pair of records of each pair of reports in different reports and subjects, best first."""


def _suggestions(rows: Iterable[tuple[Any, ...]],
                 decided: Mapping[tuple[str, str], SuggestionStatus]) -> Iterator[Suggestion]:
    for row in rows:
        pair = (str(row[0]), str(row[1]))
        status = decided.get(pair, SuggestionStatus.OPEN)
        if status is SuggestionStatus.REJECTED:
            continue
        values = row[3:]
        evidence = tuple(f"{name}: {values[2 * i]}" for i, name in enumerate(COMPARED)
                         if values[2 * i] and values[2 * i] == values[2 * i + 1])
        yield Suggestion(report_a=pair[0], report_b=pair[1], probability=float(row[2]), evidence=evidence,
                         status=status)
