"""A CyberTipline report that names an earlier one in priorCTReports is linked to it, whichever arrives first."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process
from lanzarote.store import reports as store_reports
from lanzarote.store.db import session
from tests.samples import report_xml

EARLIER = report_xml(platform="ExampleChat", email="first.account@example.org", esp_identifier="501",
                     phone="3023125001", device="000000000000011", ip="192.0.2.10")
LATER = report_xml(platform="OtherPhotoApp", email="second.account@example.net", esp_identifier="77",
                   phone="3023125002", device="000000000000022", ip="198.51.100.20", prior_reports=("90001111",))


@pytest.mark.parametrize("order", [("90001111", "90002222"), ("90002222", "90001111")],
                         ids=["earlier first", "earlier arrives later"])
def test_the_prior_report_link_is_made_against_history_in_either_order(
        engine: Engine, tmp_path: Path, order: tuple[str, str]) -> None:
    documents = {"90001111": EARLIER, "90002222": LATER}
    for number in order:
        folder = tmp_path / number
        folder.mkdir()
        (folder / f"{number}.xml").write_bytes(documents[number])
        ingest(engine, [folder], workers=1)
        process(engine, workers=1)
    with session(engine) as s:
        earlier = store_reports.get_report(s, "90001111")
        later = store_reports.get_report(s, "90002222")
    assert earlier.subject is not None and earlier.subject == later.subject
    assert earlier.linked_reports == ("90002222",) and later.linked_reports == ("90001111",)
    (link,) = later.links
    assert [(i.kind.value, i.value) for i in link.identifiers] == [("priorCTReports", "90001111")]
    assert earlier.links == later.links
