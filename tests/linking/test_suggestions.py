"""Suggestions from weak evidence (Splink, trained without labels) and the analyst's decisions on them."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.errors import ConfigurationError
from lanzarote.intake.dates import parse_date
from lanzarote.linking.persons import PersonRecord, person_records_of, suggest
from lanzarote.model.linking import IdentifierKind, SuggestionStatus
from lanzarote.model.report import Address, Email, Origin, Party, PartyRole, Report
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process
from lanzarote.pipeline.suggestions import decide, run
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store.db import session


def test_scenario_14_day_first_dates_of_birth() -> None:
    assert parse_date("03/05/1970").isoformat() == "1970-05-03"
    assert parse_date("3.5.1970").isoformat() == "1970-05-03"


FIRST = ["Anna", "Lukas", "Marie", "Jonas", "Lea", "Paul", "Emma", "Felix", "Lucia", "Hugo", "Jade", "Arthur"]
LAST = ["Beispiel", "Muster", "Probst", "Fiktiv", "Ejemplo", "Prueba", "Exemple", "Essai", "Sample", "Testmann"]
CITIES = [("Mainz", "55116", "DE"), ("Madrid", "28013", "ES"), ("Lyon", "69001", "FR"), ("Köln", "50667", "DE")]


def people(n_people: int = 120, n_twins: int = 15) -> tuple[list[Report], set[tuple[str, str]]]:
    """Distinct fictional people, and some who appear twice with a new e-mail (same name, birth date, city)."""
    rng = random.Random(4)
    reports, twins = [], set()
    for i in range(n_people):
        city, postal, country = rng.choice(CITIES)
        party = Party(role=PartyRole.REPORTED, first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
                      date_of_birth=date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28)),
                      emails=(Email(address=f"p{i}@example.org"),),
                      addresses=(Address(city=city, postal_code=postal, country=country),))
        reports.append(Report(source="citizen:DE", source_id=f"P{i}", origin=Origin.CITIZEN, parties=(party,)))
        if i < n_twins:
            spelled = party.model_copy(update={"emails": (Email(address=f"twin{i}@example.net"),),
                                               "last_name": (party.last_name or "").upper()})
            reports.append(Report(source="citizen:DE", source_id=f"T{i}", origin=Origin.CITIZEN, parties=(spelled,)))
            twins.add(tuple(sorted((f"citizen:DE/P{i}", f"citizen:DE/T{i}"))))  # type: ignore[arg-type]
    return reports, twins


def test_splink_suggests_the_same_person_behind_unlinked_reports() -> None:
    reports, twins = people()
    records = [r for report in reports for r in person_records_of(report)]
    found = list(suggest(records, {}))
    pairs = {(x.report_a, x.report_b) for x in found}
    assert len(pairs & twins) >= 0.8 * len(twins)
    assert len(pairs & twins) >= 0.9 * len(pairs)
    assert all("dob" in " ".join(x.evidence) for x in found if (x.report_a, x.report_b) in twins)


def crowd(n: int = 2_000) -> tuple[list[PersonRecord], set[tuple[str, str]]]:
    """Many people from short lists of names, four towns each with its postal code, a tenth of them seen again in
    another report without their screen name: blocks on a first name and a town hold few of the same person."""
    rng = random.Random(7)
    towns = [(f"town{i}", f"{10000 + 37 * i:05d}") for i in range(4)]
    records, twins = [], set()
    for i in range(n):
        town, postcode = rng.choice(towns)
        record = PersonRecord(unique_id=f"r/{i}#0", report_key=f"r/{i}", first_name=rng.choice(FIRST).lower(),
                              surname=rng.choice(LAST).lower(), dob=date(rng.randint(1960, 1999), rng.randint(1, 12),
                                                                         rng.randint(1, 28)).isoformat(),
                              city=town, postcode=postcode, screen_name=f"user{rng.getrandbits(40):x}")
        records.append(record)
        if rng.random() < 0.1:
            records.append(replace(record, unique_id=f"t/{i}#0", report_key=f"t/{i}", screen_name=None))
            twins.add((f"r/{i}", f"t/{i}"))
    return records, twins


def test_people_seen_twice_are_found_among_many_alike() -> None:
    """Trained on a loose block (first name and town), EM saw every pair agree on the postal code and called them
    all matches: no suggestion at all here, none at 10 M records. Trained on tight blocks, every one is found."""
    records, twins = crowd()
    pairs = {(x.report_a, x.report_b) for x in suggest(records, {})}
    assert len(pairs & twins) >= 0.95 * len(twins)
    assert len(pairs & twins) >= 0.99 * len(pairs)


def test_subjects_decisions_and_the_working_folder(tmp_path: Path) -> None:
    """Pairs within one subject are not suggested, decided pairs keep their decision (rejected ones are left out),
    and DuckDB's working folder, inside the one given, is gone afterwards."""
    reports, twins = people()
    pairs = sorted(twins)
    same_subject, confirmed, rejected = pairs[0], pairs[1], pairs[2]
    subject = {key: "S-1" for key in same_subject}
    records = (r for report in reports
               for r in person_records_of(report, subject.get(f"{report.source}/{report.source_id}")))
    decided = {confirmed: SuggestionStatus.CONFIRMED, rejected: SuggestionStatus.REJECTED}
    found = {(x.report_a, x.report_b): x for x in suggest(records, decided, folder=tmp_path, memory_mib=256)}
    assert same_subject not in found and rejected not in found
    assert found[confirmed].status is SuggestionStatus.CONFIRMED
    assert sum(x.status is SuggestionStatus.OPEN for x in found.values()) >= 0.8 * len(twins) - 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.spark
def test_spark_in_local_mode_suggests_what_duckdb_does(tmp_path: Path) -> None:
    """The optional engine for global re-runs (pip install -e '.[spark]', a Java 17): the same model, the same
    suggestions."""
    pytest.importorskip("pyspark")
    reports, twins = people()
    records = [r for report in reports for r in person_records_of(report)]
    on_spark = list(suggest(records, {}, folder=tmp_path, engine="spark"))
    on_duckdb = list(suggest(records, {}, folder=tmp_path))
    assert {(x.report_a, x.report_b) for x in on_spark} == {(x.report_a, x.report_b) for x in on_duckdb}
    assert len({(x.report_a, x.report_b) for x in on_spark} & twins) >= 0.8 * len(twins)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_engine_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="engine 'hadoop' is unknown"):
        list(suggest([], {}, folder=tmp_path, engine="hadoop"))


def test_a_rejected_pair_is_never_suggested_again_and_a_confirmed_one_links(tmp_path: Path, engine: Engine) -> None:
    reports, twins = people()
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text("\n".join(r.model_dump_json() for r in reports) + "\n")
    ingest(engine, [inbox], workers=1)
    process(engine)
    assert run(engine) >= 10
    with session(engine) as s:
        found = [x for x in store_state.suggestions(s, SuggestionStatus.OPEN) if (x.report_a, x.report_b) in twins]
    first, second = found[0], found[1]
    decide(engine, first.report_a, first.report_b, SuggestionStatus.CONFIRMED, "analyst-1")
    decide(engine, second.report_a, second.report_b, SuggestionStatus.REJECTED, "analyst-1")
    assert run(engine) == 0  # nothing new; the rejected pair is not suggested again
    with session(engine) as s:
        open_pairs = {(x.report_a, x.report_b) for x in store_state.suggestions(s, SuggestionStatus.OPEN)}
        stored = store_reports.get_report(s, first.report_a)
    assert (second.report_a, second.report_b) not in open_pairs
    assert any(i.kind is IdentifierKind.CONFIRMED for link in stored.links for i in link.identifiers)
    process(engine)
    with session(engine) as s:
        a = store_reports.get_report(s, first.report_a)
        b = store_reports.get_report(s, first.report_b)
    assert a.subject is not None and a.subject == b.subject
    assert "T7" in {r.signal for r in a.triage.reasons} if a.triage else False
