"""The cases pages as an analyst meets them: a case opened in one action from a P1 report's page, a preservation
request checked against the knowledge base and sent, its steps recorded and its clock changing, tasks, states, the
deadlines page and its feeds, the queue's banner of expiring P1 preservations; another agency gets 404 everywhere,
exactly as from the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from lanzarote.cli import app
from lanzarote.store import audit
from lanzarote.store.db import session
from tests.service.helpers import as_user, queue_of
from tests.web.conftest import csrf_of


def _open_from_p1(client: TestClient) -> tuple[int, str]:
    as_user(client, "de-analyst")
    p1 = next(i for i in queue_of(client) if i["tier"] == "P1")
    key = f"{p1['source']}/{p1['report_id']}"
    page = client.get(f"/reports/{key}")
    assert "Open a case (P1: act today)" in page.text
    opened = client.post("/cases", data={"csrf": csrf_of(client, f"/reports/{key}"), "report": key},
                         follow_redirects=False)
    assert opened.status_code == 303, opened.text
    found = re.fullmatch(r"/cases/(\d+)", opened.headers["location"])
    assert found is not None
    return int(found.group(1)), key


def _post(client: TestClient, path: str, page: str, **data: str) -> str:
    answer = client.post(path, data={"csrf": csrf_of(client, page), **data})
    assert answer.status_code == 200, answer.text  # followed the redirect back to the page
    return answer.text


def _clock_row(html: str, request_id: int, clock: str) -> str:
    article = html.split(f'id="request-{request_id}"', 1)[1].split("</article>", 1)[0]
    found = re.search(rf'<tr class="clock (\w+)" data-clock="{clock}">(.*?)</tr>', article, re.S)
    assert found is not None, article
    return found.group(1) + " " + found.group(2)


def test_a_p1_case_is_opened_from_its_report_and_a_preservation_request_runs_its_clock(
        client: TestClient, web_engine: Engine) -> None:
    case_id, key = _open_from_p1(client)
    page = client.get(f"/cases/{case_id}").text
    assert "Act today" in page and "open" in page and key in page
    assert '<option value="under_investigation">under investigation</option>' in page
    assert "closed, no further action" in page  # the allowed next states

    draft = client.get(f"/cases/{case_id}", params={"instrument": "preservation_24_7", "to_state": "ge",
                                                    "about": "subscriber and connection data of the account"}).text
    assert "Before sending to GE" in draft and "Send the request" in draft
    assert "Georgia in the knowledge base" in draft and "contact point 24 7" in draft

    page = _post(client, f"/cases/{case_id}/requests", f"/cases/{case_id}", instrument="preservation_24_7",
                 to_state="GE", about="subscriber and connection data of the account")
    request_id = int(re.search(r'id="request-(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert "Act today" not in page  # someone acted: the today clock stopped
    answer = _clock_row(page, request_id, "answer")
    assert answer.startswith("running") and "Art. 35(1): immediate assistance" in answer
    assert "chase every 1 day" in answer
    assert "urgent" in page and "a child may be in danger now" in page

    for step in ("acknowledge", "review_dual_criminality", "ask_provider"):
        page = _post(client, f"/requests/{request_id}/step", f"/cases/{case_id}", step=step)
    page = _post(client, f"/requests/{request_id}/step", f"/cases/{case_id}", step="preserved")
    assert _clock_row(page, request_id, "answer").startswith("stopped")
    preserved = _clock_row(page, request_id, "preservation")
    due = (datetime.now(UTC).date() + timedelta(days=61)).isoformat()  # the end of the 60th day
    assert preserved.startswith("running") and f"{due} 00:00 UTC" in preserved
    assert "Art. 29(7): not less than sixty days" in preserved and "0%" in preserved and "running" in preserved
    assert "notify the requesting state that the data are preserved" in page  # the step's notice, in the timeline

    page = _post(client, f"/cases/{case_id}/tasks", f"/cases/{case_id}", title="Send the MLA request",
                 owner="de-analyst", due_on=(date.today() + timedelta(days=30)).isoformat(),
                 clock=f"{request_id}:preservation")
    assert "Send the MLA request" in page and f"request {request_id}</a>, clock preservation" in page
    page = _post(client, f"/cases/{case_id}/state", f"/cases/{case_id}", state="under_investigation",
                 on=date.today().isoformat())
    assert '<b id="case-state">under investigation</b>' in page
    assert '<option value="open">' not in page

    deadlines = client.get("/deadlines", params={"case": case_id}).text
    assert "Due this week" in deadlines and f"/cases/{case_id}#request-{request_id}" not in deadlines.split(
        "Due this week")[1].split("To chase")[0]  # 60 days away: not this week
    assert client.get(f"/api/v1/deadlines?case={case_id}").status_code == 200
    assert Calendar.from_ical(client.get(f"/api/v1/deadlines.ics?case={case_id}").content) is not None

    with session(web_engine) as s:
        actions = {(a, t) for a, t in s.execute(select(audit.audit.c.action, audit.audit.c.target)
                                                .where(audit.audit.c.actor == "de-analyst"))}
    assert ("read", f"case/{case_id}") in actions and ("case_request", f"case/{case_id}") in actions
    assert ("case_state", f"case/{case_id}") in actions and ("case_task", f"case/{case_id}") in actions

    as_user(client, "fr-analyst")
    for path in (f"/cases/{case_id}", f"/deadlines?case={case_id}"):
        assert key not in client.get(path).text
    assert client.get(f"/cases/{case_id}").status_code == client.get(f"/api/v1/cases/{case_id}").status_code == 404
    refused = client.post(f"/requests/{request_id}/step", data={"csrf": csrf_of(client, "/cases"), "step": "renew"})
    assert refused.status_code == 404
    assert client.post(f"/cases/{case_id}/state", data={"csrf": csrf_of(client, "/cases"),
                                                         "state": "closed_nfa"}).status_code == 404
    assert f"/cases/{case_id}" not in client.get("/cases").text


def test_a_deadline_in_the_week_is_on_the_deadlines_page_with_its_rule_and_the_feeds(client: TestClient) -> None:
    case_id, _ = _open_from_p1(client)
    page = _post(client, f"/cases/{case_id}/requests", f"/cases/{case_id}", instrument="eevidence_production",
                 to_state="FR", about="subscriber data")
    assert "Regulation (EU) 2023/1543" in page and "(emergency)" in page  # a P1 case: 8 hours, not 10 days
    deadlines = client.get("/deadlines").text
    today = deadlines.split("Due today")[1].split("Due this week")[0]
    week = deadlines.split("Due this week")[1].split("To chase")[0]
    assert f"/cases/{case_id}" in today + week and "data due" in today + week and "(emergency)" in today + week
    assert 'href="/api/v1/deadlines.ics"' in deadlines and 'href="/api/v1/deadlines"' in deadlines
    assert f"/cases/{case_id}" in client.get("/deadlines?agency=DE").text
    assert f"/cases/{case_id}" not in client.get("/deadlines?agency=FR").text
    feed = client.get("/api/v1/deadlines").json()
    assert feed["counts"]["today"] + feed["counts"]["week"] >= 1


def test_the_queue_shows_a_p1_case_s_expiring_preservation_above_everything_else(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id, _ = _open_from_p1(client)
    _post(client, f"/cases/{case_id}/requests", f"/cases/{case_id}", instrument="eevidence_preservation",
          to_state="FR", about="account records")
    queue = client.get("/").text
    assert 'id="expiring"' not in queue  # 60 days away: beyond the 7 days the queue warns of
    monkeypatch.setenv("LANZAROTE_PRESERVATION_WARNING_DAYS", "90")
    queue = client.get("/").text
    banner = queue.split('id="expiring"')[1].split("</section>")[0]
    assert queue.index('id="expiring"') < queue.index('id="queue"')
    assert f"/cases/{case_id}" in banner and "preservation ends" in banner and "Art. 11(1)" in banner
    body = client.get("/api/v1/queue").json()
    assert [(d["case_id"], d["clock"]) for d in body["expiring_preservations"]] == [(case_id, "preservation")]
    out = CliRunner().invoke(app, ["--as", "de-analyst", "queue"])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("P1 cases: preservation ending")  # above the queue's table
    assert f"case {case_id}" in out.stdout and "Art. 11(1)" in out.stdout
    as_user(client, "fr-analyst")
    assert client.get("/api/v1/queue").json()["expiring_preservations"] == []
