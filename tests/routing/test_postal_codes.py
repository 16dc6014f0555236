"""Postal codes → regions: the shipped German table (every code to its Land), and the Spanish and French
first-digits rules with their exceptions, checked against every code GeoNames lists (tests/routing/data)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from lanzarote.errors import ConfigurationError
from lanzarote.model.report import Address, Party, PartyRole, Report
from lanzarote.routing.resolve import route
from lanzarote.routing.tables import DATA, RoutingTables

CHECKS = Path(__file__).parent / "data"
LAENDER = {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}


@pytest.fixture(scope="module")
def tables() -> RoutingTables:
    return RoutingTables.load()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def header(path: Path) -> str:
    with path.open(encoding="utf-8") as fh:
        return "".join(line for line in fh if line.startswith("#"))


def test_the_german_table_is_complete_open_data_with_its_source() -> None:
    path = DATA / "de_postal_codes.csv"
    table = rows(path)
    codes = [r["postal_code"] for r in table]
    assert 8_100 <= len(codes) <= 8_400 and len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[0-9]{5}", c) for c in codes)
    assert {r["land"] for r in table} == LAENDER
    assert all(set(r["also"].split()) <= LAENDER - {r["land"]} for r in table)
    about = header(path)
    assert "GeoNames" in about and "CC BY 4.0" in about and "Extracted 20" in about


def test_every_german_postal_code_routes_to_its_land(tables: RoutingTables) -> None:
    for r in rows(DATA / "de_postal_codes.csv"):
        region = tables.region("DE", r["postal_code"])
        assert region is not None and region.code == r["land"], r
        assert region.authority == tables.de_laender[r["land"]][1]


@pytest.mark.parametrize(("postal", "authority"), [
    ("37339", "LKA Thüringen"),  # leading digits 37 are mostly Niedersachsen and Hessen
    ("34355", "LKA Niedersachsen"),  # Staufenberg (NI) amid Kassel's 34xxx (Hessen)
    ("63768", "Bayerisches Landeskriminalamt (BLKA)"),  # Hösbach (BY) amid 63xxx (Hessen)
    ("21039", "LKA Hamburg"),  # Bergedorf, which GeoNames files under Schleswig-Holstein
])
def test_codes_along_a_border_go_to_the_land_they_lie_in(tables: RoutingTables, postal: str, authority: str) -> None:
    r = route(Report(source="ncmec", source_id="1", parties=(Party(role=PartyRole.REPORTED, addresses=(
        Address(postal_code=postal, country="DE"),)),)), tables)
    assert r.authority == authority


def test_a_code_spanning_two_laender_is_routed_with_a_note_to_check_the_address(tables: RoutingTables) -> None:
    r = route(Report(source="ncmec", source_id="1", parties=(Party(role=PartyRole.REPORTED, addresses=(
        Address(postal_code="21039", city="Börnsen", country="DE"),)),)), tables)
    assert r.authority == "LKA Hamburg"
    assert any("21039" in n and "Schleswig-Holstein" in n and "check the address" in n for n in r.notifications)


def test_an_unknown_german_code_names_no_land_and_says_what_is_missing(tables: RoutingTables) -> None:
    assert tables.region("DE", "00000") is None and tables.region("DE", "1011") is None
    r = route(Report(source="ncmec", source_id="1", parties=(Party(role=PartyRole.REPORTED, addresses=(
        Address(postal_code="00000", country="DE"),)),)), tables)
    assert r.country == "DE" and r.authority is None and "postal code" in " ".join(r.missing)


def test_the_spanish_and_french_tables_name_every_province_and_departement(tables: RoutingTables) -> None:
    assert set(tables.es) == {f"{n:02d}" for n in range(1, 53)}
    assert tables.es["51"] == "Ceuta" and tables.es["52"] == "Melilla"
    metropolitan = {f"{n:02d}" for n in range(1, 96)} - {"20"} | {"2A", "2B"}
    overseas = {"971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988"}
    assert set(tables.fr) == metropolitan | overseas
    for name in ("es_postal_exceptions.csv", "fr_postal_exceptions.csv"):
        assert "GeoNames" in header(DATA / name)


@pytest.mark.parametrize(("country", "check"), [("ES", "es_postal_codes.csv"), ("FR", "fr_postal_codes.csv")])
def test_every_spanish_and_french_postal_code_routes_to_a_region_it_lies_in(
        tables: RoutingTables, country: str, check: str) -> None:
    table = rows(CHECKS / check)
    assert len(table) > 6_000
    for r in table:
        where = set(next(v for k, v in r.items() if k != "postal_code").split())
        region = tables.region(country, r["postal_code"])
        assert region is not None and region.code in where, r
        assert {a.rsplit("(", 1)[1].rstrip(")") for a in region.also} == where - {region.code}, r


@pytest.mark.parametrize(("country", "postal", "code"), [
    ("ES", "51001", "51"), ("ES", "52001", "52"), ("ES", "35001", "35"), ("ES", "38001", "38"),
    ("ES", "34260", "09"),  # Vallejera (Burgos) with a Palencia code
    ("FR", "20000", "2A"), ("FR", "20137", "2A"), ("FR", "20200", "2B"), ("FR", "20600", "2B"),
    ("FR", "97110", "971"), ("FR", "97500", "975"), ("FR", "97600", "976"), ("FR", "98800", "988"),
    ("FR", "94390", "91"),  # Paray-Vieille-Poste (Essonne) with a Val-de-Marne code
])
def test_first_digits_and_their_exceptions(tables: RoutingTables, country: str, postal: str, code: str) -> None:
    region = tables.region(country, postal)
    assert region is not None and region.code == code


def test_a_postal_table_naming_an_unknown_land_is_one_clear_error(tmp_path: Path) -> None:
    for f in DATA.iterdir():
        shutil.copyfile(f, tmp_path / f.name)
    with (tmp_path / "de_postal_codes.csv").open("a", encoding="utf-8") as fh:
        fh.write("99999,XX,\n")
    with pytest.raises(ConfigurationError, match=r"de_postal_codes\.csv row .*99999.*XX"):
        RoutingTables.load(tmp_path)
