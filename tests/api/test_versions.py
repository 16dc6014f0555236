"""A report's versions answer lists its own versions and those of each file's details and of its clearing-house
layer; a later file details or layer does not erase the earlier, and the report page says which version it shows."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.pipeline.ingest import ingest
from tests.samples import file_details_xml, report_xml


def _layer(country: str) -> str:
    return json.dumps({"clearing_house_for": {"source": "ncmec", "source_id": "90000007"},
                       "layer": {"country": country}}) + "\n"


def test_file_details_and_layers_are_versioned_in_the_answer_and_on_the_page(
        engine: Engine, analyst: TestClient, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "90000007.xml").write_bytes(report_xml())
    (first / "f1.xml").write_bytes(file_details_xml("90000007", "f1", md5="0" * 32))
    (first / "f2.xml").write_bytes(file_details_xml("90000007", "f2", md5="2" * 32))
    (first / "layers.jsonl").write_text(_layer("DE"))
    (second / "f1.xml").write_bytes(file_details_xml("90000007", "f1", md5="1" * 32))
    (second / "layers.jsonl").write_text(_layer("AT"))
    ingest(engine, [first], workers=1)
    ingest(engine, [second], workers=1)

    response = analyst.get("/api/v1/reports/ncmec/90000007/versions")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [v["version"] for v in answer["report"]] == [1]
    assert [(f["file_id"], [v["version"] for v in f["versions"]]) for f in answer["files"]] == [
        ("f1", [1, 2]), ("f2", [1])]
    assert [v["version"] for v in answer["clearing_house"]] == [1, 2]
    first_f1, second_f1 = answer["files"][0]["versions"]
    assert first_f1["content_sha256"] != second_f1["content_sha256"] and first_f1["received_at"]

    page = analyst.get("/reports/ncmec/90000007").text
    assert "details version 2 of 2" in page  # f1; f2 has one version and says nothing
    assert page.count("details version") == 1
    assert "version 2 of 2</small></h2>" in page  # the clearing-house layer
