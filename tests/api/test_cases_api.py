"""Cases, requests and deadlines over the API and the command line, as their users meet them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from icalendar import Calendar
from typer.testing import CliRunner

from lanzarote.cli import app
from lanzarote.errors import NotFound
from tests.service.helpers import as_user, queue_of


def test_a_p1_report_becomes_a_case_with_a_preservation_request_in_the_deadlines_feed_and_calendar(
        client: TestClient) -> None:
    as_user(client, "de-analyst")
    p1 = next(i for i in queue_of(client) if i["tier"] == "P1")
    opened = client.post("/api/v1/cases", json={"from_report": f"{p1['source']}/{p1['report_id']}"})
    assert opened.status_code == 200, opened.text
    case_id = opened.json()["id"]
    assert opened.json()["today_due"] is not None
    sent = client.post(f"/api/v1/cases/{case_id}/requests",
                       json={"instrument": "eevidence_production", "to_state": "FR", "about": "subscriber data"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["urgent"] and sent.json()["clocks"][0]["label"] == "data due"  # 8 hours: an emergency

    feed = client.get("/api/v1/deadlines").json()
    assert {(d["case_id"], d["clock"]) for d in feed["today"] + feed["week"]} >= {(case_id, "production")}
    calendar = Calendar.from_ical(client.get("/api/v1/deadlines.ics").content)
    summaries = [str(e.get("summary")) for e in calendar.walk("VEVENT")]
    assert any(f"case {case_id}, request {sent.json()['id']}: data due" in x for x in summaries)

    as_user(client, "fr-analyst")
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert all(d["case_id"] != case_id for d in client.get("/api/v1/deadlines").json()["today"])


def test_the_command_line_sends_and_steps_a_request_and_lists_its_deadlines(client: TestClient) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--as", "de-analyst", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "case 1 opened" in run("cases", "open", "--title", "Coach and a 14-year-old")
    out = run("requests", "send", "1", "preservation_24_7", "GE", "--about", "account records")
    assert "urgent: every preservation request is urgent" in out
    for step in ("acknowledge", "review_dual_criminality", "ask_provider"):
        run("requests", "step", "1", step)
    out = run("requests", "step", "1", "not_possible")
    assert "urgent mutual legal assistance offered" in out
    assert "preservation not possible" in run("cases", "show", "1")
    refused = runner.invoke(app, ["--as", "fr-analyst", "cases", "show", "1"])
    assert isinstance(refused.exception, NotFound) and str(refused.exception) == "no case 1"  # main() prints it
