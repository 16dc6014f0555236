"""Synthetic data: valid against NCMEC's schema, deterministic, fictional, and carrying what it says it carries."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import random
from pathlib import Path

import iptocc
import pytest
from lxml import etree

from lanzarote.intake.cybertipline import schema
from lanzarote.routing.tables import RoutingTables
from lanzarote.synth import generate
from lanzarote.synth.world import BY_CODE, DOCUMENTATION_V6, WELL_KNOWN_IPS, postal_code

REPORTS = 1200


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(out, REPORTS, seed=3, workers=1)
    return out


def truth(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "ground-truth.jsonl").read_text().splitlines()]


def test_every_document_validates_against_the_schema(synthetic: Path) -> None:
    xsd = schema()
    invalid = [p.name for p in sorted((synthetic / "ncmec").rglob("*.xml")) if not xsd.validate(etree.parse(str(p)))]
    assert invalid == []


def test_the_same_seed_gives_the_same_data(synthetic: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, REPORTS, seed=3, workers=2)
    for name in ("ground-truth.jsonl", "ncmec-layers.jsonl", "hashlists/synthetic-vics.json", "priors.csv"):
        assert hashlib.sha256((again / name).read_bytes()).digest() == hashlib.sha256(
            (synthetic / name).read_bytes()).digest(), name
    sample = sorted((synthetic / "ncmec").rglob("*.xml"))[::97]
    for path in sample:
        assert (again / path.relative_to(synthetic)).read_bytes() == path.read_bytes()


def test_ground_truth_covers_every_report_and_the_scenarios(synthetic: Path) -> None:
    rows = truth(synthetic)
    assert len(rows) == REPORTS
    scenarios = {r["scenario"] for r in rows}
    assert {"known_hash_mentor", "four_unknown_files", "abuses_daughter_de", "coach_text_only", "fresh_production",
            "discord_pair_a", "discord_pair_b", "teen_groomer", "livestream_philippines",
            "conflict_ip_es_phone_fr"} <= scenarios
    assert any(r["cgnat"] for r in rows) and any(r["meme"] for r in rows)
    assert any(r["p1"] for r in rows)
    pair = [r for r in rows if str(r["scenario"]).startswith("discord_pair")]
    assert pair[0]["person"] == pair[1]["person"] is not None
    people = [r["person"] for r in rows if r["person"]]
    assert len(people) > len(set(people)), "some people appear in several reports"


def test_identities_are_fictional_and_no_ip_is_a_real_subscriber(synthetic: Path) -> None:
    text = "".join(p.read_text() for p in sorted((synthetic / "ncmec").rglob("9*[0-9].xml"))[:300])
    emails = [e.split("<")[0] for e in text.split("<email>")[1:]]
    assert emails and all(e.lower().rsplit("@", 1)[1].split(".")[-2] == "example" for e in emails)
    rows = {r["source_id"]: r for r in truth(synthetic)}
    for line in (synthetic / "ncmec-layers.jsonl").read_text().splitlines()[:300]:
        layer = json.loads(line)
        ip = layer["layer"]["geolocations"][0]["ip_address"]
        row = rows[layer["clearing_house_for"]["source_id"]]
        if row["cgnat"]:  # a well-known resolver or registry, registered in the country the report belongs to
            assert ip in WELL_KNOWN_IPS.values() and iptocc.country_code(ip) == row["country"]
        else:  # reserved for documentation: nobody's address
            assert ipaddress.ip_address(ip) in DOCUMENTATION_V6
        assert layer["layer"]["country"] == row["country"]


def test_the_well_known_addresses_are_registered_where_the_generator_says() -> None:
    assert {country: iptocc.country_code(ip) for country, ip in WELL_KNOWN_IPS.items()} == {
        country: country for country in WELL_KNOWN_IPS}


def test_the_vics_list_holds_some_report_hashes(synthetic: Path) -> None:
    vics = json.loads((synthetic / "hashlists" / "synthetic-vics.json").read_text())
    assert "@odata.context" in vics
    md5s = {e["MD5"] for e in vics["value"] if e["MD5"]}
    reported = set()
    for path in sorted((synthetic / "ncmec").rglob("*-f*.xml")):
        reported.update(h.text for h in etree.parse(str(path)).iterfind("originalFileHash[@hashType='MD5']"))
    assert md5s & reported
    assert any(e["VictimIdentified"] for e in vics["value"])
    assert any(e["PDQ"] for e in vics["value"])


def test_every_synthetic_german_city_has_real_postal_codes_of_its_land() -> None:
    tables, germany, rng = RoutingTables.load(), BY_CODE["DE"], random.Random(3)
    for city in germany.cities:
        for _ in range(20):
            region = tables.region("DE", postal_code(rng, germany, city))
            assert region is not None and region.code == city.region and not region.also, city
