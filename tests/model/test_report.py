"""A report as received: its key, its parties by role, its files' hashes bounded, its native JSON round-trips."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lanzarote.model.report import (
    ClearingHouseLayer,
    Email,
    FileDetail,
    FileHash,
    IpGeolocation,
    Origin,
    Party,
    PartyRole,
    Report,
)


def _report() -> Report:
    return Report(
        source="ncmec", source_id="90000001",
        parties=(Party(role=PartyRole.REPORTED, emails=(Email(address="offender.one@example.org"),)),
                 Party(role=PartyRole.VICTIM, age=14), Party(role=PartyRole.VICTIM, age=12)),
        files=(FileDetail(file_id="f1", hashes=(FileHash(type="MD5", value="0" * 32),), viewed_by_esp=False),),
        clearing_house=ClearingHouseLayer(geolocations=(IpGeolocation(ip_address="192.0.2.10", country="DE"),)),
    )


def test_a_report_is_keyed_by_its_source_and_id_and_defaults_to_a_providers_report() -> None:
    report = _report()
    assert report.key == ("ncmec", "90000001") and report.origin is Origin.PROVIDER


def test_parties_are_found_by_their_role() -> None:
    assert [p.age for p in _report().parties_in(PartyRole.VICTIM)] == [14, 12]
    assert _report().parties_in(PartyRole.INTENDED_RECIPIENT) == ()


def test_the_native_json_round_trips_with_the_clearing_house_layer_kept_apart() -> None:
    report = _report()
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    assert again.clearing_house is not None and again.clearing_house.name == "NCMEC"
    assert again.files[0].viewed_by_esp is False  # the legal flag survives as false, not as missing


@pytest.mark.parametrize("kind", ["MD5", "sha-1", "SHA256", "sha512"])
def test_an_exact_hash_longer_than_sha512_is_refused_but_a_video_hash_may_be_long(kind: str) -> None:
    with pytest.raises(ValidationError, match="at most 128 characters"):
        FileHash(type=kind, value="a" * 129)
    assert len(FileHash(type="vPDQ", value="a" * 10_000).value) == 10_000
