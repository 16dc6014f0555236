"""The work analysts do through the API and the pages: filters and cursors, assignment, routing decisions,
suggestions, subjects, statistics, administration, tokens, login limits, uploads, and need-to-know on all of it."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.model.linking import Suggestion
from lanzarote.pipeline.process import process
from lanzarote.store import audit
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store.db import session
from tests.web.conftest import PASSWORD, csrf_of, log_in


def _all_pages(client: TestClient, path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        url = path + (("&" if "?" in path else "?") + f"cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def _foreign_report(client: TestClient, country: str = "DE") -> dict[str, object]:
    log_in(client, "hub-analyst")
    item = next(i for i in _all_pages(client, "/api/v1/queue") if i["country"] not in (country, None))
    client.cookies.clear()
    return item


def test_the_cursor_walks_the_whole_queue_once_in_order(client: TestClient, web_engine: Engine) -> None:
    log_in(client, "hub-analyst")
    walked = [f"{i['source']}/{i['report_id']}" for i in _all_pages(client, "/api/v1/queue")]
    with session(web_engine) as s:
        expected = [f"{i.source}/{i.report_id}" for i in store_reports.queue(s, limit=None)]
    assert walked == expected and len(walked) > 50
    bad = client.get("/api/v1/queue?cursor=not-a-cursor")
    assert bad.status_code == 400 and "cursor" in bad.json()["detail"]


def test_filters_narrow_the_queue_and_cannot_widen_an_agencys_view(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    everything = _all_pages(client, "/api/v1/queue")
    provider = next(i["provider"] for i in everything if i["provider"])
    by_provider = _all_pages(client, f"/api/v1/queue?provider={provider}")
    assert by_provider and all(i["provider"] == provider for i in by_provider)
    assert len(by_provider) == sum(1 for i in everything if i["provider"] == provider)
    p2 = _all_pages(client, "/api/v1/queue?tier=P2&country=de")
    assert all(i["tier"] == "P2" and i["country"] == "DE" for i in p2)
    day = min(str(i["received_at"])[:10] for i in everything)
    first_day = _all_pages(client, f"/api/v1/queue?received_from={day}&received_to={day}")
    assert first_day and all(str(i["received_at"]).startswith(day) for i in first_day)
    client.cookies.clear()
    log_in(client, "de-analyst")
    asked_for_fr = _all_pages(client, "/api/v1/queue?country=FR")
    assert asked_for_fr and all(i["country"] == "DE" for i in asked_for_fr)
    page = client.get("/?tier=P3&provider=" + provider)
    assert page.status_code == 200 and 'name="provider" value="' + provider in page.text


def test_assignment_shows_in_the_queue_and_the_trail(client: TestClient, web_engine: Engine) -> None:
    log_in(client, "de-analyst")
    item = client.get("/api/v1/queue").json()["items"][0]
    rid = f"{item['source']}/{item['report_id']}"
    assert client.put(f"/api/v1/reports/{rid}/assignment", json={"username": "de-analyst"}).status_code == 200
    mine = _all_pages(client, "/api/v1/queue?assigned_to=de-analyst")
    assert [f"{i['source']}/{i['report_id']}" for i in mine] == [rid]
    assert all(i["assigned_to"] is None for i in _all_pages(client, "/api/v1/queue?assigned_to=-"))
    refused = client.put(f"/api/v1/reports/{rid}/assignment", json={"username": "fr-analyst"})
    assert refused.status_code == 422 and "may see" in refused.json()["detail"]
    with session(web_engine) as s:
        assert any(e["action"] == "assign" and e["target"] == rid for e in audit.entries(s))
        assert store_reports.get_report(s, rid).assigned_to == "de-analyst"
    token = csrf_of(client)
    form = client.post(f"/reports/{rid}/assign", data={"csrf": token, "username": ""}, follow_redirects=False)
    assert form.status_code == 303
    assert client.get(f"/api/v1/reports/{rid}").json()["assigned_to"] is None


def test_a_routing_decision_wins_keeps_the_evidence_and_survives_reprocessing(
        client: TestClient, web_engine: Engine) -> None:
    item = _foreign_report(client, "FR")
    rid = f"{item['source']}/{item['report_id']}"
    log_in(client, "hub-analyst")
    before = client.get(f"/api/v1/reports/{rid}").json()["route"]
    response = client.put(f"/api/v1/reports/{rid}/route",
                          json={"country": "fr", "reason": "Suspect moved to Lyon (liaison message 2026/17)"})
    assert response.status_code == 200, response.text
    route = response.json()["route"]
    assert route["country"] == "FR" and route["override"]["decided_by"] == "hub-analyst"
    assert route["evidence"][0]["kind"] == "analyst_decision"
    assert len(route["evidence"]) == len(before["evidence"]) + 1
    process(web_engine, everything=True)
    again = client.get(f"/api/v1/reports/{rid}").json()["route"]
    assert again["country"] == "FR" and again["override"]["reason"].startswith("Suspect moved")
    client.cookies.clear()
    log_in(client, "fr-analyst")
    assert client.get(f"/api/v1/reports/{rid}").status_code == 200  # now routed to them
    with session(web_engine) as s:
        assert any(e["action"] == "route" and "Lyon" in str(e["detail"]) for e in audit.entries(s))


def _suggest(web_engine: Engine, a: str, b: str) -> None:
    with session(web_engine) as s:
        store_state.save_suggestions(s, [Suggestion(report_a=min(a, b), report_b=max(a, b), probability=0.91,
                                                    evidence=("surname and date of birth agree",))])


def test_confirming_a_suggestion_links_the_reports_and_merges_their_subjects(
        client: TestClient, web_engine: Engine) -> None:
    log_in(client, "de-analyst")
    mine = _all_pages(client, "/api/v1/queue")
    a, b = (f"{i['source']}/{i['report_id']}" for i in mine[-2:])
    _suggest(web_engine, a, b)
    listed = client.get("/api/v1/suggestions").json()["items"]
    assert [(x["report_a"], x["report_b"]) for x in listed] == [tuple(sorted((a, b)))]
    token = csrf_of(client, f"/reports/{a}")
    page = client.get(f"/reports/{a}")
    assert "Suggested links" in page.text and "surname and date of birth agree" in page.text
    done = client.post("/suggestions/decide", data={"csrf": token, "report_a": a, "report_b": b,
                                                     "decision": "confirm", "back_to": f"/reports/{a}"},
                       follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/api/v1/suggestions?status=confirmed").json()["items"][0]["status"] == "confirmed"
    detail = client.get(f"/api/v1/reports/{a}").json()
    assert any(i["kind"] == "confirmed" for link in detail["links"] for i in link["identifiers"])
    process(web_engine)
    first, second = (client.get(f"/api/v1/reports/{k}").json()["subject"] for k in (a, b))
    assert first is not None and first == second
    subject = client.get(f"/api/v1/subjects/{first}").json()
    assert {f"{r['source']}/{r['report_id']}" for r in subject["reports"]} >= {a, b}
    with session(web_engine) as s:
        assert any(e["action"] == "confirmed" for e in audit.entries(s))


def test_the_subject_page_draws_its_graph_on_the_server(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    linked = next(i for i in _all_pages(client, "/api/v1/queue") if i["subject"] and i["linked_reports"])
    subject = client.get(f"/api/v1/subjects/{linked['subject']}").json()
    page = client.get(f"/subjects/{linked['subject']}")
    assert page.status_code == 200 and '<svg class="graph"' in page.text
    assert page.text.count('class="report"') == len(subject["reports"])
    assert page.text.count('class="identifier"') >= 1 and "<script" not in page.text.split("<footer")[0]
    for link in subject["links"]:
        assert all(f"{i['kind']}={i['value']}" in page.text for i in link["identifiers"])


def test_need_to_know_holds_on_every_endpoint_that_takes_a_report(client: TestClient, web_engine: Engine) -> None:
    foreign = _foreign_report(client)
    rid = f"{foreign['source']}/{foreign['report_id']}"
    subject = foreign["subject"]
    log_in(client, "hub-analyst")
    mine = next(i for i in _all_pages(client, "/api/v1/queue") if i["country"] == "DE")
    own = f"{mine['source']}/{mine['report_id']}"
    _suggest(web_engine, own, rid)
    client.cookies.clear()
    log_in(client, "de-analyst")
    token = csrf_of(client)
    calls = {
        "GET /api/v1/reports/{}": lambda r: client.get(f"/api/v1/reports/{r}"),
        "GET /api/v1/reports/{}/versions": lambda r: client.get(f"/api/v1/reports/{r}/versions"),
        "PUT /api/v1/reports/{}/assignment": lambda r: client.put(f"/api/v1/reports/{r}/assignment", json={}),
        "PUT /api/v1/reports/{}/route": lambda r: client.put(f"/api/v1/reports/{r}/route",
                                                             json={"country": "DE", "reason": "mine now"}),
        "POST /api/v1/suggestions/confirm": lambda r: client.post(
            f"/api/v1/suggestions/confirm?report_a={own}&report_b={r}"),
        "GET /reports/{}": lambda r: client.get(f"/reports/{r}"),
        "POST /reports/{}/assign": lambda r: client.post(f"/reports/{r}/assign", data={"csrf": token}),
        "POST /reports/{}/route": lambda r: client.post(f"/reports/{r}/route", data={
            "csrf": token, "country": "DE", "reason": "mine now"}),
        "POST /suggestions/decide": lambda r: client.post("/suggestions/decide", data={
            "csrf": token, "report_a": own, "report_b": r, "decision": "reject"}),
    }
    for name, call in calls.items():
        hidden, missing = call(rid), call("ncmec/99999999")
        assert hidden.status_code == missing.status_code == 404, name
        if name.split()[1].startswith("/api/"):
            assert hidden.json() == {**missing.json(), "detail": hidden.json()["detail"]}, name
            assert hidden.json()["detail"].replace(rid, "X") == missing.json()["detail"].replace(
                "ncmec/99999999", "X"), name
    assert client.get("/api/v1/suggestions").json()["items"] == []  # the pair reaches another agency
    if subject:
        assert client.get(f"/api/v1/subjects/{subject}").status_code == client.get(
            "/api/v1/subjects/S-none").status_code == 404
    with session(web_engine) as s:
        assert store_reports.get_report(s, rid).route.country != "DE"  # type: ignore[union-attr]


def test_roles_administration_and_the_audit_search(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    assert client.get("/api/v1/users").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    assert client.get("/admin").status_code == 403
    client.cookies.clear()
    log_in(client, "hub-admin")
    local = next(i for i in _all_pages(client, "/api/v1/queue?country=ES") if i["authority"])
    made = client.post("/api/v1/agencies", json={"code": "ES-M", "name": "Fictional Spanish authority",
                                                 "kind": "local_authority", "country": "ES",
                                                 "authority": local["authority"]})
    assert made.status_code == 201, made.text
    assert client.post("/api/v1/users", json={"username": "madrid", "password": PASSWORD, "role": "analyst",
                                              "agency": "ES-M"}).status_code == 201
    assert client.post("/api/v1/users", json={"username": "x", "password": PASSWORD, "role": "analyst",
                                              "agency": "NOPE"}).status_code == 422
    admin_page = client.get("/admin")
    assert admin_page.status_code == 200 and "ES-M" in admin_page.text and "triage rules version" in admin_page.text
    client.cookies.clear()
    log_in(client, "madrid")
    seen = _all_pages(client, "/api/v1/queue")
    assert seen and all(i["country"] == "ES" and i["authority"] == local["authority"] for i in seen)
    assert client.get(f"/api/v1/reports/{local['source']}/{local['report_id']}").status_code == 200
    client.cookies.clear()
    log_in(client, "hub-admin")
    token = csrf_of(client, "/admin")
    assert client.post("/admin/users/madrid/disable", data={"csrf": token}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    log_in(client, "hub-auditor")
    trail = client.get("/api/v1/audit?actor=hub-admin").json()
    assert {"user_added", "agency_added", "user_disabled"} <= {e["action"] for e in trail}
    page = client.get("/audit?action=user_disabled")
    assert page.status_code == 200 and "user/madrid" in page.text


def test_failed_logins_are_limited(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # a minute's wait from the sixth failure on, so that a slow password check on a busy host cannot outlast it
    from lanzarote.store.logins import Delay
    monkeypatch.setattr(Delay, "after", lambda self, failures: 0.0 if failures < self.free else 60.0)
    for _ in range(5):
        assert client.post("/api/v1/login", data={"username": "fr-analyst", "password": "wrong guess"}
                           ).status_code == 401
    limited = client.post("/api/v1/login", data={"username": "fr-analyst", "password": PASSWORD})
    assert limited.status_code == 429 and "try again" in limited.json()["detail"]
    page = client.post("/login", data={"username": "fr-analyst", "password": PASSWORD})
    assert page.status_code == 429 and "too many failed logins" in page.text


def test_api_tokens_are_shown_once_and_revocable(client: TestClient, web_engine: Engine) -> None:
    log_in(client, "de-analyst")
    made = client.post("/api/v1/tokens", json={"name": "case system"}).json()
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/v1/queue", headers=bearer).status_code == 200
    listed = client.get("/api/v1/tokens", headers=bearer).json()
    assert listed == [{"id": made["id"], "name": "case system", "created_at": listed[0]["created_at"],
                       "revoked": False, "expires_at": made["expires_at"]}] and made["token"] not in json.dumps(listed)
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=bearer).status_code == 204
    assert client.get("/api/v1/queue", headers=bearer).status_code == 401


def test_statistics_and_the_dashboard(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    total = client.get("/api/v1/queue").json()["total"]
    st = client.get("/api/v1/statistics").json()
    assert sum(st["per_tier"].values()) == total
    assert sum(n for day in st["per_day"].values() for n in day.values()) <= total
    assert sum(n for _, _, n in st["per_country"]) <= total and st["per_provider"]
    page = client.get("/dashboard")
    assert page.status_code == 200 and page.text.count('<svg class="chart"') == 3
    client.cookies.clear()
    log_in(client, "de-analyst")
    de = client.get("/api/v1/statistics").json()
    assert {c for c, _, _ in de["per_country"]} == {"DE"}


def test_time_to_first_action_counts_an_assignment(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    item = client.get("/api/v1/queue?tier=P1").json()["items"][0]
    client.put(f"/api/v1/reports/{item['source']}/{item['report_id']}/assignment", json={"username": "hub-analyst"})
    acted = client.get("/api/v1/statistics").json()["first_action_hours"]["P1"]
    assert acted["acted"] == 1 and acted["median"] >= 0


def test_uploading_reports(client: TestClient, web_engine: Engine) -> None:
    log_in(client, "hub-analyst")
    report = {"source": "citizen", "source_id": "UP-0001", "origin": "citizen",
              "received_at": datetime(2026, 11, 1, tzinfo=UTC).isoformat(),
              "additional_info": "A fictional citizen report sent through the API."}
    ok = client.post("/api/v1/ingest", files={"upload": ("up-0001.json", io.BytesIO(json.dumps(report).encode()))})
    assert ok.status_code == 200, ok.text
    assert ok.json()["new"] == 1 and ok.json()["quarantined"] == 0
    hostile = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><report>&x;</report>'
    bad = client.post("/api/v1/ingest", files={"upload": ("90000001.xml", io.BytesIO(hostile))})
    assert bad.status_code == 200 and bad.json()["quarantined"] == 1 and bad.json()["new"] == 0
    wrong = client.post("/api/v1/ingest", files={"upload": ("notes.exe", io.BytesIO(b"MZ"))})
    assert wrong.status_code == 422 and ".zip" in wrong.json()["detail"]
    with session(web_engine) as s:
        assert store_reports.get_report(s, "citizen/UP-0001").report.origin.value == "citizen"
        uploads = [e["detail"] for e in audit.entries(s, action="ingest")]
    assert len(uploads) == 2 and all(str(d).startswith("from testclient sha256=") for d in uploads)  # as logins


def test_hash_lists_and_their_matches(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    lists = client.get("/api/v1/hash-lists").json()
    assert [x["name"] for x in lists] == ["synthetic-vics"] and lists[0]["entries"] > 0
    matches = client.get("/api/v1/hash-lists/synthetic-vics/matches").json()
    assert matches and all(f["matches"] and all(m["list_name"] == "synthetic-vics" for m in f["matches"])
                           for x in matches for f in x["files"])
    assert client.get("/api/v1/hash-lists/no-such-list/matches").status_code == 404
    client.cookies.clear()
    log_in(client, "de-analyst")
    de = client.get("/api/v1/hash-lists/synthetic-vics/matches").json()
    reachable = {f"{i['source']}/{i['report_id']}" for i in _all_pages(client, "/api/v1/queue")}
    assert {x["report"] for x in de} <= reachable


def test_pages_answer_errors_as_pages(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    missing = client.get("/reports/ncmec/99999999")
    assert missing.status_code == 404 and "Not found" in missing.text and re.search(r"<html", missing.text)
