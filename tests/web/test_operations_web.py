"""Operations over the API, the pages and the command line, each user in their own session: the coordinator plans,
states add their targets and results, a second arresting state is a 409 with the dispute kept, the board and the
documents come back, and a state never sees another's targets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from lanzarote.cli import app as cli
from lanzarote.web.app import create_app
from tests.coordination.operations_world import make_world
from tests.web.conftest import csrf_of, log_in


@contextmanager
def _as(engine: Engine, username: str) -> Iterator[TestClient]:
    with TestClient(create_app(engine, "test-secret")) as client:
        log_in(client, username)
        yield client


def _ok(answer, status: int = 200) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert answer.status_code == status, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_an_operation_over_the_api_from_plan_to_reconciled_board(engine: Engine) -> None:
    make_world(engine, ("ES", "FR"))
    with _as(engine, "hub-coordinator") as hub:
        op = _ok(hub.post("/api/v1/operations", json={"name": "Example Api", "description": "synthetic"}))["id"]
        for code in ("ES", "FR"):
            _ok(hub.patch(f"/api/v1/operations/{op}", json={"agency": code}))
        _ok(hub.patch(f"/api/v1/operations/{op}", json={"day_on": "2026-11-10", "hhour": "06:00"}))
    with _as(engine, "es-analyst") as es:
        ids = [_ok(es.post(f"/api/v1/operations/{op}/targets",
                           json={"country": "ES", "label": f"ES-{i}", "arresting_state": "ES",
                                 "shared_with": ["FR"] if i == 1 else []}))["id"] for i in (1, 2)]
        plan = _ok(es.put(f"/api/v1/operations/{op}/day/ES", json={"officers": 8, "searches": 2}))
        assert (plan["zone"], plan["hhour"]) == ("Europe/Madrid", "06:00")
        assert es.put(f"/api/v1/operations/{op}/day/FR", json={"officers": 1}).status_code == 403
    with _as(engine, "fr-analyst") as fr:
        _ok(fr.post(f"/api/v1/operations/{op}/targets",
                    json={"country": "FR", "label": "FR-1", "arresting_state": "FR"}))
        _ok(fr.put(f"/api/v1/operations/{op}/day/FR", json={"hhour": "05:30", "officers": 4, "searches": 1}))
        refused = fr.put(f"/api/v1/operations/{op}/targets/{ids[0]}/arresting-state",
                         json={"state": "FR", "reason": "seen in Lyon"})
        assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
        assert "a second arresting state (FR) is refused" in refused.json()["detail"]
        assert fr.put(f"/api/v1/operations/{op}/targets/{ids[1]}/arresting-state",
                      json={"state": "FR"}).status_code == 404  # not shared with FR: not there for it
    with _as(engine, "hub-coordinator") as hub:
        view = _ok(hub.get(f"/api/v1/operations/{op}"))
        assert [(d["holder"], d["claimant"], d["target"]) for d in view["disputes"]] == [("ES", "FR", "ES-1")]
        blocked = hub.post(f"/api/v1/operations/{op}/day/freeze")
        assert blocked.status_code == 409 and "FR disputes ES's arrest" in blocked.json()["detail"]
        _ok(hub.post(f"/api/v1/operations/{op}/disputes/{view['disputes'][0]['id']}/resolve",
                     json={"arresting_state": "ES", "why": "ES holds the warrant"}))
        assert _ok(hub.post(f"/api/v1/operations/{op}/day/freeze"))["day_state"] == "frozen"
    with _as(engine, "es-analyst") as es:
        _ok(es.post(f"/api/v1/operations/{op}/results", json={"country": "ES", "arrests": 2, "searches": 2,
                                                             "officers": 8, "devices_seized": 5}))
        mine = _ok(es.get(f"/api/v1/operations/{op}"))
        assert {t["label"] for t in mine["targets"]} == {"ES-1", "ES-2"}
    with _as(engine, "fr-analyst") as fr:
        _ok(fr.post(f"/api/v1/operations/{op}/results", json={"country": "FR", "arrests": 1, "searches": 1,
                                                             "officers": 4}))
        theirs = _ok(fr.get(f"/api/v1/operations/{op}"))
        assert {t["label"] for t in theirs["targets"]} == {"FR-1", "ES-1"}  # its own and the one shared with it
        assert [ln["country"] for ln in theirs["board"]["lines"]] == ["FR"]
        assert theirs["board"]["totals"]["arrests"] == 3
    with _as(engine, "hub-coordinator") as hub:
        board = _ok(hub.get(f"/api/v1/operations/{op}/board"))
        assert board["balanced"] and board["totals"]["arrests"] == 3 and board["totals"]["states"] == 2
        fr_line = next(ln for ln in board["lines"] if ln["country"] == "FR")
        assert fr_line["hhour"] == "05:30 CET (04:30 UTC)"
        assert "3 arrests in 2 states on 10/11/2026" in hub.get(f"/api/v1/operations/{op}/press-release").text
        ics = hub.get(f"/api/v1/operations/{op}/calendar.ics")
        assert ics.headers["content-type"].startswith("text/calendar") and "TZID=Europe/Paris" in ics.text
        meeting = _ok(hub.post(f"/api/v1/operations/{op}/meetings", json={
            "held_at": "2026-10-01T09:00:00Z", "chair": "Chair Example",
            "participants": ["ES: Inspector A. Example"], "agenda": ["ES: presentation of the national operation"]}))
        _ok(hub.post(f"/api/v1/operations/{op}/meetings/{meeting['id']}/decisions",
                     json={"text": "interim report", "owner": "ES", "due_on": "2026-10-15"}))
        pdf = hub.get(f"/api/v1/operations/{op}/meetings/{meeting['id']}/minutes.pdf")
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    with _as(engine, "nl-analyst") as nl:
        assert nl.get(f"/api/v1/operations/{op}").status_code == 404
        assert nl.get(f"/api/v1/operations/{op}/board").status_code == 404


def test_the_pages_of_an_operation_render_and_their_forms_work(engine: Engine) -> None:
    make_world(engine, ("ES", "FR"))
    with _as(engine, "hub-coordinator") as hub:
        token = csrf_of(hub, "/operations")
        created = hub.post("/operations", data={"csrf": token, "name": "Example Pages"}, follow_redirects=False)
        assert created.status_code == 303
        page = created.headers["location"]
        hub.post(f"{page}/agencies", data={"csrf": token, "agency": "ES"})
        hub.post(f"{page}/day", data={"csrf": token, "day_on": "2026-11-10", "hhour": "06:00"})
        hub.post(f"{page}/meetings", data={"csrf": token, "held_at": "2026-10-01T09:00", "chair": "Chair Example",
                                           "participants": "ES: Inspector A. Example",
                                           "agenda": "ES: presentation of the national operation"})
        text = hub.get(page).text
        assert "Operation Example Pages" in text and "Coordination meeting 1" in text
    with _as(engine, "es-analyst") as es:
        token = csrf_of(es, page)
        es.post(f"{page}/targets", data={"csrf": token, "country": "ES", "label": "ES-7", "arresting_state": "ES"})
        es.post(f"{page}/plan", data={"csrf": token, "country": "ES", "officers": 6, "searches": 1})
        text = es.get(page).text
        assert "ES-7" in text and "06:00 CET" in text and "05:00 UTC" in text
    with _as(engine, "hub-coordinator") as hub:
        token = csrf_of(hub, page)
        hub.post(f"{page}/freeze", data={"csrf": token})
        hub.post(f"{page}/results", data={"csrf": token, "country": "ES", "arrests": 1, "searches": 1,
                                          "officers": 6})
        centre = hub.get(f"{page}/centre").text
        assert 'data-total="arrests">1<' in centre and 'class="balanced">yes' in centre
        assert "/static/operations.js" in centre
        assert "1 arrests in 1 state" in hub.get(f"{page}/press-release").text
        assert hub.get(f"{page}/meetings/1").status_code == 200
        assert hub.get(f"{page}/outcomes").status_code == 200


def test_a_forms_change_is_committed_before_its_answer_is_sent(engine: Engine) -> None:
    """The browser follows a form's 303 at once: the page it names must find the change (the new operation, its
    action day) committed, never the state before it."""
    from sqlalchemy import event

    make_world(engine, ("ES",))
    happened: list[str] = []
    app = create_app(engine, "test-secret")

    async def answered(scope, receive, send):  # type: ignore[no-untyped-def]
        async def sending(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                happened.append(f"answer {message['status']}")
            await send(message)
        await app(scope, receive, sending)

    with TestClient(answered) as hub:
        log_in(hub, "hub-coordinator")
        token = csrf_of(hub, "/operations")
        event.listen(engine, "commit", lambda conn: happened.append("commit"))
        del happened[:]
        created = hub.post("/operations", data={"csrf": token, "name": "Example Order"}, follow_redirects=False)
        planned = hub.post(f"{created.headers['location']}/day", data={"csrf": token, "day_on": "2026-11-10"},
                           follow_redirects=False)
    assert (created.status_code, planned.status_code) == (303, 303)
    assert happened == ["commit", "answer 303", "commit", "answer 303"]


def test_the_command_line_runs_an_operation_as_its_users(engine: Engine, tmp_path: Path) -> None:
    make_world(engine, ("ES", "HU"))
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run("--as", "hub-coordinator", "operations", "create", "Example Cli")
    for code in ("ES", "HU"):
        run("--as", "hub-coordinator", "operations", "agency", "1", code)
    run("--as", "hub-coordinator", "operations", "day", "1", "2026-11-10")
    run("--as", "es-analyst", "operations", "target", "1", "ES", "ES-1", "--arresting", "ES", "--shared", "HU")
    run("--as", "es-analyst", "operations", "plan", "1", "ES", "--officers", "5", "--searches", "1")
    run("--as", "hu-analyst", "operations", "target", "1", "HU", "HU-1", "--arresting", "HU")
    run("--as", "hu-analyst", "operations", "plan", "1", "HU", "--hhour", "05:00", "--officers", "3",
        "--searches", "1")
    refused = runner.invoke(cli, ["--as", "hu-analyst", "operations", "arresting", "1", "1", "HU"])
    assert refused.exit_code != 0 and "a second arresting state (HU) is refused" in str(refused.exception)
    run("--as", "hub-coordinator", "operations", "resolve", "1", "1", "ES")
    run("--as", "hub-coordinator", "operations", "freeze", "1")
    run("--as", "es-analyst", "operations", "result", "1", "ES", "--arrests", "1", "--searches", "1",
        "--officers", "5")
    run("--as", "hu-analyst", "operations", "result", "1", "HU", "--arrests", "1", "--searches", "1",
        "--officers", "3")
    out = run("--as", "hub-coordinator", "operations", "board", "1")
    assert "totals: 2 arrests of 2 targets by 2 states" in out and "reconciled" in out
    assert "H-hour HU: 05:00 CET (04:00 UTC)" in out
    shown = run("--as", "es-analyst", "operations", "show", "1")
    assert "ES-1" in shown and "HU-1" not in shown and "dispute" not in shown
    run("--as", "hub-coordinator", "operations", "calendar", "1", "--out", str(tmp_path / "day.ics"))
    assert (tmp_path / "day.ics").read_text().count("BEGIN:VEVENT") == 2


def test_wrong_input_is_one_clear_refusal_and_changes_nothing(engine: Engine) -> None:
    make_world(engine, ("ES",))
    with _as(engine, "hub-coordinator") as hub:
        op = _ok(hub.post("/api/v1/operations", json={"name": "Example Input"}))["id"]
        _ok(hub.patch(f"/api/v1/operations/{op}", json={"agency": "ES"}))
        cases = {
            ("put", f"/api/v1/operations/{op}/day/ES", '{"hhour": "25:99"}'): (422, "is not an hour"),
            ("put", f"/api/v1/operations/{op}/day/ES", '{"zone": "Mars/Olympus"}'): (422, "is not a time zone"),
            ("put", f"/api/v1/operations/{op}/day/ES", '{"officers": -1}'): (422, ""),
            ("post", f"/api/v1/operations/{op}/targets", '{"country": "XX", "label": "X-1"}'): (422, "takes no part"),
            ("post", f"/api/v1/operations/{op}/targets", '{"country": "ES", "label": "  "}'): (422, "needs a label"),
            ("post", f"/api/v1/operations/{op}/targets", '{"country": "E1", "label": "E-1"}'): (422, "two-letter"),
            ("post", f"/api/v1/operations/{op}/results", '{"country": "ES", "arrests": 1}'): (409, "not frozen yet"),
            ("post", f"/api/v1/operations/{op}/day/freeze", ""): (409, "has no date"),
            ("post", "/api/v1/operations", '{"name": "example input"}'): (409, "exists already"),
            ("patch", f"/api/v1/operations/{op}", '{"agency": "ZZ"}'): (404, "no agency"),
            ("post", f"/api/v1/operations/{op}/jits",
             '{"name": "J", "agreement_on": "2026-02-01", "expires_on": "2026-01-01", "parties": ["ES", "HUB"]}'):
                (422, "ends after it is signed"),
        }
        for (method, url, body), (status, words) in cases.items():
            answer = hub.request(method.upper(), url, content=body or None,
                                 headers={"Content-Type": "application/json"})
            assert answer.status_code == status, (url, body, answer.text)
            assert words in answer.text, (url, body, answer.text)
        view = _ok(hub.get(f"/api/v1/operations/{op}"))
        assert view["targets"] == [] and view["board"]["lines"] == [] and view["day_state"] == "planning"
