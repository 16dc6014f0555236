"""The hostile corpus over HTTP, on both engines, and filters and cursors past any calendar or integer: every answer
is the store's outcome or a problem, never a server error."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.store import access
from lanzarote.store.db import session
from lanzarote.synth.reports import OTHER_ORIGINS
from lanzarote.synth.world import BY_CODE
from tests.hostile import CORPUS_SETTINGS, write_corpus
from tests.pipeline.test_hostile import assert_every_document_accounted_for


def test_hostile_documents_are_quarantined_and_valid_ones_stored_through_the_api(
        engine: Engine, analyst: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CORPUS_SETTINGS.items():
        monkeypatch.setenv(name, value)
    corpus = write_corpus(tmp_path / "corpus")
    bundle = tmp_path / "bundle.zip"
    uploads = [bundle]
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(corpus.folder.rglob("*")):
            relative = str(path.relative_to(corpus.folder))
            if path.suffix in (".zip", ".jsonl"):  # archives and JSON Lines files travel on their own
                uploads.append(path)
            elif path.is_file():
                zf.write(path, relative)
    monkeypatch.setenv("LANZAROTE_MAX_ARCHIVE_BYTES", "50000000")
    _grant_the_hub_its_sources(engine)
    for upload in uploads:
        answer = analyst.post("/api/v1/ingest", files={"upload": (upload.name, upload.read_bytes())})
        assert answer.status_code == 200, answer.text
    assert_every_document_accounted_for(engine, corpus)


def _grant_the_hub_its_sources(engine: Engine) -> None:
    """Uploads are taken in the uploader's agency's name: the hub here plays the unit that owns every channel the
    corpus comes through (NCMEC's, the citizen reports, the generator's other origins), so only hostility is refused."""
    sources = {"ncmec", "citizen"} | {f"{o.value}:{c.code}" for o in OTHER_ORIGINS for c in BY_CODE.values()}
    with session(engine) as s:
        for source in sorted(sources):
            access.grant_source(s, source, "HUB")


def _cursor(value: object) -> str:
    raw = value if isinstance(value, str) else json.dumps(value)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("query", [
    "/api/v1/queue?received_to=9999-12-31",
    "/api/v1/queue?received_from=0001-01-01",
    "/api/v1/reports?received_to=9999-12-31",
    f"/api/v1/queue?cursor={_cursor([10**30, 1.0, '2026-01-01T00:00:00+00:00', 'ncmec/1'])}",
    f"/api/v1/queue?cursor={_cursor([1, 1e308, '2026-01-01T00:00:00+00:00', 'ncmec/1'])}",
    f"/api/v1/queue?cursor={_cursor([1, 1.0, '9999-12-31T23:59:59-05:00', 'ncmec/1'])}",
    f"/api/v1/reports?cursor={_cursor([0, None, '0001-01-01T00:00:00+05:00', 'ncmec/1'])}",
    "/api/v1/suggestions?cursor=" + _cursor('[1e400, "a", "b"]'),
    f"/api/v1/suggestions?cursor={_cursor([10**200, 'a', 'b'])}",
])
def test_filters_and_cursors_past_any_calendar_or_integer_answer_400_with_a_problem(
        analyst: TestClient, query: str) -> None:
    answer = analyst.get(query)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json" and answer.json()["detail"]
