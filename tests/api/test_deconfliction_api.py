"""Deconfliction over the HTTP API of a unit node: hits with their marking, planned actions, the node's status for
administrators only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.coordination.test_deconfliction import german, spanish
from tests.coordination.three_nodes import PASSWORD, Three, three_nodes


@pytest.fixture
def nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Three]:
    with three_nodes(tmp_path, monkeypatch) as three:
        yield three


def _client(base: str, username: str) -> httpx.Client:
    token = httpx.post(base + "/api/v1/login", data={"username": username, "password": PASSWORD}).json()["token"]
    return httpx.Client(base_url=base + "/api/v1", headers={"Authorization": f"Bearer {token}"})


def test_an_analyst_reads_and_marks_hits_and_plans_an_action_over_the_api(nodes: Three) -> None:
    nodes.take_in("ES", [spanish()])
    nodes.take_in("DE", [german()])
    nodes.until(lambda: bool(nodes.hits("DE")))
    with _client(nodes["DE"].url, "de-analyst") as api:
        (hit,) = api.get("/deconfliction/hits").json()
        assert (hit["kind"], hit["other_agency"], hit["suggestion"]) == ("account", "ES", False)
        marked = api.post(f"/deconfliction/hits/{hit['hit_id']}/mark", json={"status": "not_same"})
        assert marked.status_code == 200 and marked.json()["status"] == "not_same"
        bad = api.post(f"/deconfliction/hits/{hit['hit_id']}/mark", json={"status": "maybe"})
        assert bad.status_code == 422
        day = datetime.now(UTC) + timedelta(days=3)
        planned = api.post("/deconfliction/actions", json={
            "kind": "arrest", "starts": day.isoformat(), "ends": (day + timedelta(hours=2)).isoformat(),
            "place": "52.52,13.405"})
        assert planned.status_code == 200, planned.text
        assert [a["reference"] for a in api.get("/deconfliction/actions").json()["actions"]] == [
            planned.json()["reference"]]
        assert api.get("/node/status").status_code == 403  # administrators only
        nowhere = api.post("/deconfliction/actions", json={
            "kind": "arrest", "starts": day.isoformat(), "ends": day.isoformat(), "place": "52.52,13.405"})
        assert nowhere.status_code == 422 and "ends before it starts" in nowhere.text
