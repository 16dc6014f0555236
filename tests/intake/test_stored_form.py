"""Ingest writes a CyberTipline report's stored JSON straight from the reader's values where they hold every bound
of the model: what it stores must be byte for byte what building the record and writing it out stores, and a value
out of bounds must still be refused (or warned about) word for word as the model does."""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotated_types import Ge, Le, MaxLen, MinLen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel

from lanzarote.intake.documents import Document, StoredFile, StoredReport
from lanzarote.intake.read import read_document, read_for_store
from lanzarote.model.report import FileDetail, Report
from lanzarote.pipeline.ingest import rows_of
from lanzarote.store.ingest import Row
from lanzarote.synth import generate
from tests.samples import file_details_xml, report_xml
from tests.stage_settings import INTAKE

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def both_ways(location: str, content: bytes, modified_at: datetime | None = None) -> tuple[list[Row], list[Row]]:
    """What the store gets of a document through the records (as before) and through ingest's stored form."""
    document = Document(location, content, modified_at)
    built = [rows_of(r, location) for r in read_document(document, NOW, INTAKE)]
    stored = [rows_of(r, location) for r in read_for_store(document, NOW, INTAKE)]
    return built, stored


def test_every_synthetic_document_is_stored_the_same_either_way(tmp_path: Path) -> None:
    generate(tmp_path, 120, seed=23, workers=1)
    xml = sorted((tmp_path / "ncmec").rglob("*.xml"))
    straight = 0
    for path in xml:
        document = Document(str(path), path.read_bytes(), NOW)
        built, stored = both_ways(document.location, document.content, document.modified_at)
        assert built == stored, path.name
        straight += all(isinstance(r, StoredReport | StoredFile)
                        for r in read_for_store(document, NOW, INTAKE))
    assert len(xml) > 200
    assert straight == len(xml), "every synthetic document holds the model's bounds: none should need the records"


xml_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=400) | st.sampled_from(
    ["", " ", "x" * 61, "x" * 101, "x" * 191, "x" * 301, "1899-12-31T23:59:59Z", "2100-01-01T00:00:00+14:00",
     "2026-03-05T14:30:00.123456-05:30", "05/03/2026 14:30", "Tue, 03 Mar 2026 10:00:00 +0100", "\u00a0x\u3000"])


@BOUNDED
@given(platform=xml_text, email=xml_text, ip=xml_text, info=xml_text, esp=xml_text, phone=xml_text,
       device=xml_text, incident_at=xml_text, bio=xml_text)
def test_a_report_with_any_text_in_its_elements_is_stored_the_same_either_way(
        platform: str, email: str, ip: str, info: str, esp: str, phone: str, device: str, incident_at: str,
        bio: str) -> None:
    content = report_xml(platform=platform, email=email, ip=ip, additional_info=info, esp_identifier=esp,
                         phone=phone, device=device, incident_at=incident_at.replace("<", "").replace("&", ""),
                         profile_bio=bio or None)
    built, stored = both_ways("90001234.xml", content)
    assert built == stored


@BOUNDED
@given(name=st.sampled_from(["90001234", "9000 1234", " 90001234", "x" * 201, "a\u0085b", "ok-1"]),
       modified=st.sampled_from([None, datetime(1899, 6, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)]))
def test_a_report_named_or_dated_out_of_bounds_is_stored_the_same_either_way(name: str,
                                                                            modified: datetime | None) -> None:
    built, stored = both_ways(f"{name}.xml", report_xml(), modified)
    assert built == stored


@BOUNDED
@given(report_id=xml_text, file_id=xml_text, md5=xml_text)
def test_file_details_with_any_text_are_stored_the_same_either_way(report_id: str, file_id: str, md5: str) -> None:
    from xml.sax.saxutils import escape

    content = file_details_xml(escape(report_id), escape(file_id), escape(md5))
    built, stored = both_ways("f.xml", content)
    assert built == stored


def test_a_hash_type_or_exif_kind_with_spaces_around_is_stored_the_same_either_way() -> None:
    content = file_details_xml("90001234").replace(b'hashType="MD5"', b'hashType=" SHA-1 "').replace(
        b'type="EXIF"', b'type="XMP "')
    built, stored = both_ways("f.xml", content)
    assert built == stored


CHECKED = {
    # (model, field): the bound `lanzarote.intake.bounds` checks for it
    ("Report", "source"): "key_part", ("Report", "source_id"): "key_part", ("Report", "received_at"): "_moment",
    ("Report", "provenance"): "_items", ("Report", "incident_at"): "_moment", ("Report", "platform"): "NAME",
    ("Report", "internet_details"): "_items", ("Report", "parties"): "_items",
    ("ProvenanceHop", "at"): "always None", ("ClearingHouseLayer", "geolocations"): "no layer in XML",
    ("ClearingHouseLayer", "notes"): "no layer in XML", ("ClearingHouseLayer", "sent_to"): "no layer in XML",
    ("InternetDetail", "urls"): "_items",
    ("InternetDetail", "emails"): "_items", ("InternetDetail", "ip_capture_events"): "_ip_events",
    ("InternetDetail", "addresses"): "_addresses",
    ("Reporter", "name"): "NAME", ("Reporter", "emails"): "_emails", ("Reporter", "phones"): "_phones",
    ("Party", "date_of_birth"): "_moment", ("Party", "age"): "AGE", ("Party", "emails"): "_emails",
    ("Party", "phones"): "_phones", ("Party", "addresses"): "_addresses", ("Party", "esp_identifier"): "ACCOUNT_ID",
    ("Party", "esp_service"): "NAME", ("Party", "screen_name"): "ACCOUNT_ID", ("Party", "display_names"): "_items",
    ("Party", "profile_urls"): "_items", ("Party", "ip_capture_events"): "_ip_events",
    ("Party", "device_ids"): "_devices", ("Party", "prior_report_ids"): "_items",
    ("Party", "associated_accounts"): "_items", ("Party", "additional_info"): "_items",
    ("Email", "address"): "SHORT_TEXT", ("Phone", "number"): "SHORT_TEXT", ("Phone", "country_calling_code"): "TAG",
    ("Phone", "type"): "TAG", ("IpCaptureEvent", "ip_address"): "SHORT_TEXT", ("IpCaptureEvent", "event"): "TAG",
    ("IpCaptureEvent", "at"): "_moment", ("IpCaptureEvent", "port"): "PORT", ("DeviceId", "id_type"): "TAG",
    ("DeviceId", "value"): "SHORT_TEXT", ("DeviceId", "event"): "TAG", ("DeviceId", "at"): "_moment",
    ("AccountAction", "disabled_at"): "_moment", ("AssociatedAccount", "platform"): "NAME",
    ("AssociatedAccount", "esp_identifier"): "ACCOUNT_ID", ("AssociatedAccount", "screen_name"): "ACCOUNT_ID",
    ("AssociatedAccount", "emails"): "_emails", ("AssociatedAccount", "phones"): "_phones",
    ("FileDetail", "file_id"): "KEY_PART", ("FileDetail", "uploaded_at"): "_moment",
    ("FileDetail", "hashes"): "_items", ("FileDetail", "ip_capture_event"): "_ip_event",
    ("FileDetail", "device_ids"): "_devices", ("FileDetail", "captured_at"): "_moment",
    ("FileDetail", "additional_info"): "_items", ("FileHash", "type"): "TAG",
}


def _bounded_fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[tuple[str, str]]:
    """Every (model, field) of `model` and the models inside it that the model bounds (a length, a range, a
    validator of its own)."""
    if model in seen:
        return set()
    seen.add(model)
    found: set[tuple[str, str]] = set()
    for name, info in model.model_fields.items():
        if any(isinstance(m, MaxLen | MinLen | Ge | Le | AfterValidator) for m in _metadata(info.annotation,
                                                                                           info.metadata)):
            found.add((model.__name__, name))
        for inner in _models(info.annotation):
            found |= _bounded_fields(inner, seen)
    return found


def _metadata(annotation: Any, metadata: list[Any]) -> list[Any]:
    found = list(metadata)
    stack = [annotation]
    while stack:
        a = stack.pop()
        found.extend(getattr(a, "__metadata__", ()))
        stack.extend(typing.get_args(a))
    return found


def _models(annotation: Any) -> list[type[BaseModel]]:
    stack, found = [annotation], []
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            found.append(a)
        stack.extend(typing.get_args(a))
    return found


def _all_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    found, stack = set(), [model]
    while stack:
        m = stack.pop()
        if m not in found:
            found.add(m)
            stack.extend(inner for info in m.model_fields.values() for inner in _models(info.annotation))
    return found


def test_every_bound_of_the_report_and_file_models_is_checked_before_the_records_are_skipped() -> None:
    bounded = _bounded_fields(Report, set()) | _bounded_fields(FileDetail, set())
    unchecked = bounded - set(CHECKED)
    assert not unchecked, f"check these in lanzarote/intake/bounds.py, then list them here: {sorted(unchecked)}"
    validators = {m.__name__ for m in _all_models(Report) | _all_models(FileDetail)
                  if m.__pydantic_decorators__.model_validators}
    assert validators <= {"FileHash"}, f"bounds.py knows only FileHash's own check, not {validators}"
