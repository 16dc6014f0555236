"""Reading CyberTipline XML: what a valid report yields, and what bad input becomes (never a crash)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from lanzarote.intake.documents import Document, FileDetailsDocument, IntakeResult
from lanzarote.intake.read import read_document
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import IncidentType, PartyRole, Report
from tests.samples import file_details_xml, report_xml
from tests.stage_settings import INTAKE

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def read(content: bytes, name: str = "90001234.xml") -> list[IntakeResult]:
    return read_document(Document(name, content), NOW, INTAKE)


def only(results: list[IntakeResult]) -> IntakeResult:
    assert len(results) == 1, results
    return results[0]


def quarantine_reason(content: bytes, name: str = "90001234.xml") -> str:
    result = only(read(content, name))
    assert isinstance(result, QuarantineEntry), result
    assert result.content_sha256 == hashlib.sha256(content).hexdigest()
    assert result.location == name
    return result.reason


def test_a_valid_report_keeps_what_the_provider_said() -> None:
    report = only(read(report_xml(additional_info="He says he coaches kids.")))
    assert isinstance(report, Report)
    assert report.key == ("ncmec", "90001234")
    assert report.warnings == ()
    assert report.incident_type is IncidentType.CHILD_PORNOGRAPHY
    assert report.incident_at == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    (party,) = report.parties_in(PartyRole.REPORTED)
    assert party.emails[0].address == "offender.one@example.org"
    assert party.emails[0].verified is True
    assert party.phones[0].country_calling_code == "+49"
    assert party.addresses[0].postal_code == "55116"
    assert party.addresses[0].country == "DE"
    assert party.ip_capture_events[0].ip_address == "192.0.2.10"
    assert party.ip_capture_events[0].event == "Upload"
    assert party.device_ids[0].value == "000000000000001"
    assert party.esp_identifier == "12345"
    assert report.additional_info == "He says he coaches kids."
    assert [hop.actor for hop in report.provenance] == ["ExampleChat", "NCMEC"]
    assert report.clearing_house is None


def test_file_details_carry_hashes_and_exif_capture_time() -> None:
    result = only(read(file_details_xml("90001234", md5="a" * 32), "x.xml"))
    assert isinstance(result, FileDetailsDocument)
    assert result.report_source_id == "90001234"
    assert result.file.hashes[0].type == "MD5"
    assert result.file.viewed_by_esp is True
    assert result.file.captured_at == datetime(2026, 3, 5, 14, 21, tzinfo=UTC)
    assert result.file.uploaded_at == datetime(2026, 3, 5, 14, 29, tzinfo=UTC)


def test_a_schema_break_that_leaves_a_usable_report_is_kept_with_warnings() -> None:
    content = report_xml(incident_type="Something Else", incident_at="05/03/2026 14:30")
    report = only(read(content))
    assert isinstance(report, Report)
    assert report.incident_type is None
    assert report.incident_at == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)  # day first, read as UTC
    text = " ".join(report.warnings)
    assert "incidentType" in text and "line" in text
    assert "no time zone" in text


def test_dates_with_other_time_zones_are_kept_exactly() -> None:
    report = only(read(report_xml(incident_at="2026-03-05T15:30:00+01:00")))
    assert isinstance(report, Report)
    assert report.incident_at == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)


def test_an_unreadable_date_is_a_warning_not_a_loss() -> None:
    report = only(read(report_xml(incident_at="yesterday at noon")))
    assert isinstance(report, Report)
    assert report.incident_at is None
    assert any("yesterday at noon" in w for w in report.warnings)


def test_external_entities_are_refused() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><incidentSummary><incidentType>&xxe;</incidentType></incidentSummary></report>"""
    assert "DTD" in quarantine_reason(xxe)


def test_billion_laughs_is_refused() -> None:
    lol = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        f'<!ENTITY lol{i} "{"&lol" + (str(i - 1) if i > 1 else "") + ";" * 1}' .encode() + b'">' for i in range(1, 10)
    ) + b"]>\n<report>&lol9;</report>"
    assert "refused" in quarantine_reason(lol)


def test_invalid_utf8_is_quarantined() -> None:
    content = report_xml(additional_info="caf\u00e9").replace("café".encode(), b"caf\xff\xfe")
    assert "line" in quarantine_reason(content)


def test_truncated_xml_is_quarantined_as_truncated() -> None:
    content = report_xml()[:300]
    assert "truncated" in quarantine_reason(content)


def test_a_wrong_root_element_is_named() -> None:
    reason = quarantine_reason(b"<?xml version='1.0'?><invoice><total>3</total></invoice>")
    assert "<invoice>" in reason and "<report>" in reason


def test_an_empty_file_is_quarantined() -> None:
    assert "empty" in quarantine_reason(b"")
    assert "empty" in quarantine_reason(b"   \n")


def test_binary_junk_named_xml_is_quarantined() -> None:
    junk = bytes(range(256)) * 8
    assert "XML" in quarantine_reason(junk)


def test_a_report_without_incident_summary_is_unusable() -> None:
    reason = quarantine_reason(b"<report><reporter><reportingPerson/></reporter></report>")
    assert "incidentSummary" in reason


def test_file_details_without_report_id_cannot_be_attached() -> None:
    reason = quarantine_reason(b"<fileDetails><fileId>f1</fileId></fileDetails>", "f.xml")
    assert "reportId" in reason


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_end_as_a_record_or_a_quarantine_entry(content: bytes) -> None:
    results = read(content)
    assert results
    assert all(isinstance(r, Report | FileDetailsDocument | QuarantineEntry) for r in results)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=4000), st.binary(min_size=0, max_size=20))
def test_a_damaged_report_never_crashes_the_reader(cut: int, noise: bytes) -> None:
    original = report_xml()
    content = original[:cut] + noise + original[cut + len(noise):]
    results = read(content)
    assert len(results) == 1
    result = results[0]
    if isinstance(result, QuarantineEntry):
        assert result.reason
    else:
        assert isinstance(result, Report)
