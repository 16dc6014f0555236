"""Both readers under hypothesis: whatever a document holds, reading it never raises, and every document ends as
records the pipeline stores or as quarantine entries with a reason (bounded: a few hundred examples each)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanzarote.intake.documents import ClearingHouseDocument, Document, FileDetailsDocument
from lanzarote.intake.read import read_document
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import IncidentType, Report, Reporter
from tests.samples import report_xml
from tests.stage_settings import INTAKE

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | st.text(
    max_size=300)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=20), inner, max_size=4), max_leaves=12)
VALID = Report(source="citizen", source_id="fuzz-1", reporter=Reporter(name="ExampleChat"),
               incident_type=IncidentType.ONLINE_ENTICEMENT).model_dump(mode="json")
FIELDS = [*sorted(VALID), "received_at", "files", "persons", "clearing_house_for", "layer", "unknown"]


def accounted_for(location: str, content: bytes) -> None:
    results = read_document(Document(location, content), NOW, INTAKE)
    assert results, "a document that gives nothing was silently dropped"
    for result in results:
        assert isinstance(result, Report | FileDetailsDocument | ClearingHouseDocument | QuarantineEntry)
        if isinstance(result, QuarantineEntry):
            assert result.reason.strip(), "quarantined without a reason"


@BOUNDED
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=4))
def test_a_native_report_with_any_values_in_its_fields_is_read_or_quarantined(changes: dict[str, Any]) -> None:
    accounted_for("fuzz.json", json.dumps({**VALID, **changes}, allow_nan=True).encode())


@BOUNDED
@given(document=json_values)
def test_any_json_document_is_read_or_quarantined(document: Any) -> None:
    accounted_for("fuzz.json", json.dumps(document).encode())


@BOUNDED
@given(content=st.binary(max_size=2000))
def test_any_bytes_are_read_or_quarantined_as_native_and_as_xml(content: bytes) -> None:
    accounted_for("fuzz.json", content)
    accounted_for("fuzz.xml", content)


xml_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)


@BOUNDED
@given(platform=xml_text, email=xml_text, ip=xml_text, info=xml_text, esp=xml_text, phone=xml_text,
       device=xml_text, incident_at=xml_text)
def test_a_cybertipline_report_with_any_text_in_its_elements_is_read_or_quarantined(
        platform: str, email: str, ip: str, info: str, esp: str, phone: str, device: str, incident_at: str) -> None:
    content = report_xml(platform=platform, email=email, ip=ip, additional_info=info, esp_identifier=esp,
                         phone=phone, device=device, incident_at=incident_at.replace("<", "").replace("&", ""))
    accounted_for("90001234.xml", content)


@BOUNDED
@given(cut=st.integers(min_value=0, max_value=2000), junk=st.binary(max_size=40))
def test_a_cybertipline_report_cut_anywhere_or_spliced_is_read_or_quarantined(cut: int, junk: bytes) -> None:
    whole = report_xml()
    accounted_for("90001234.xml", whole[:cut] + junk + whole[cut:cut + 50])
