"""The command line and the API over the same use cases: import, route, follow a notice to removal, the blocklist
and the statistics; every read of a notice and every export is one audit entry."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from lanzarote.cli import app
from tests.service.helpers import trail_length
from tests.takedown.fixtures import DE_IP, NL_IP, REPORTED, url_report, write_jsonl


def test_the_command_line_takes_a_report_to_removal(engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    path = write_jsonl(tmp_path / "in.jsonl", url_report("HU-1", "http://files.example.org/a", ip=DE_IP),
                       url_report("HU-2", "http://files.example.org/b", ip=NL_IP), "{broken")
    result = runner.invoke(app, ["takedown", "import", str(path), "--route", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["new"], summary["quarantined"], summary["routed"]["notices"]) == (2, 1, 2)
    listed = json.loads(runner.invoke(app, ["takedown", "notices", "--json", "--country", "DE"]).output)
    [notice] = listed["notices"]
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    result = runner.invoke(app, ["takedown", "notice", "record", notice["notice_id"], "removed", "--at", soon])
    assert result.exit_code == 0, result.output
    assert "is removed" in result.output
    before = trail_length(engine)
    shown = runner.invoke(app, ["takedown", "notice", "show", notice["notice_id"]])
    assert shown.exit_code == 0, shown.output
    assert trail_length(engine) == before + 1  # one takedown_read
    assert "registry data (iptocc)" in shown.output and "removed" in shown.output
    stats = runner.invoke(app, ["takedown", "stats", "--format", "csv"])
    hours = round((datetime.fromisoformat(soon) - REPORTED).total_seconds() / 3600, 2)
    assert f"DE,2026-11,1,1,1.0,1,{hours},{hours}" in stats.output, stats.output
    blocked = runner.invoke(app, ["takedown", "blocklist", "--to", "Example Mobile (fictional)", "--format", "txt"])
    assert blocked.exit_code == 0 and "http://files.example.org/b" in blocked.output
    assert "http://files.example.org/a" not in blocked.output
    assert "not JSON" in runner.invoke(app, ["takedown", "quarantine"]).output
    bad = runner.invoke(app, ["takedown", "notice", "record", notice["notice_id"], "acknowledged"])
    assert bad.exit_code != 0
    networks = tmp_path / "networks.csv"
    networks.write_text("network,owner,abuse_contact\n84.200.0.0/16,Example Carrier AG (fictional),abuse@x.test\n")
    loaded = runner.invoke(app, ["takedown", "networks", str(networks)])
    assert loaded.exit_code == 0 and "1 networks loaded" in loaded.output


def test_the_api_takes_a_report_to_removal_and_audits_each_read(analyst: TestClient, engine: Engine) -> None:
    csv = ("Report ID,Reported URL,Classification,Date Reported,IP Address\n"
           f"LV-1,http://files.example.org/a,Baseline,2026-11-02 08:00,{NL_IP}\n"
           "LV-2,not a url at all,Baseline,2026-11-02 08:00,\n")
    answer = analyst.post("/api/v1/takedown/import?hotline=LV-DROSSINTERNETS",
                          files={"upload": ("export.csv", io.BytesIO(csv.encode()))})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["new"], answer.json()["quarantined"]) == (1, 1)
    assert analyst.post("/api/v1/takedown/route").json()["notices"] == 1
    [notice] = analyst.get("/api/v1/takedown/notices").json()["notices"]
    before = trail_length(engine)
    view = analyst.get(f"/api/v1/takedown/notices/{notice['notice_id']}").json()
    assert trail_length(engine) == before + 1
    assert view["hotline"] == "NL-EOKM" and view["state"] == "sent"
    at = datetime.now(UTC) + timedelta(minutes=5)
    step = analyst.post(f"/api/v1/takedown/notices/{notice['notice_id']}/steps",
                        json={"state": "removed", "at": at.isoformat()})
    assert step.status_code == 200, step.text
    hours = round((at - REPORTED).total_seconds() / 3600, 2)
    assert step.json()["clocks_hours"]["to_removal"] == hours
    refused = analyst.post(f"/api/v1/takedown/notices/{notice['notice_id']}/steps", json={"state": "acknowledged"})
    assert refused.status_code == 422 and "cannot become acknowledged" in refused.json()["detail"]
    assert analyst.get("/api/v1/takedown/stats").json()[0]["median_hours"] == hours
    before = trail_length(engine)
    listed = analyst.get("/api/v1/takedown/blocklist", params={"to": "Example Mobile (fictional)", "format": "json"})
    assert listed.status_code == 200 and listed.json()["entries"] == 0 and "TLP:AMBER+STRICT" in listed.json()[
        "markings"]
    assert trail_length(engine) == before + 1
    assert "the URL holds a space" in analyst.get("/api/v1/takedown/quarantine").json()[0]["reason"]
    assert analyst.get("/api/v1/takedown/notices/N-000000000000").status_code == 404
    wrong = analyst.post("/api/v1/takedown/import", files={"upload": ("notes.txt", io.BytesIO(b"x"))})
    assert wrong.status_code == 422
