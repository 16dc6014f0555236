"""Every operation of the API and every command of the CLI that reads or discloses a report writes one audit entry.

The test walks the OpenAPI operations and the CLI's commands: each is either called here and must add exactly one
entry, or listed with why it discloses no report. A new operation or command that is neither fails the test.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.main import get_command
from typer.testing import CliRunner

from lanzarote.cli import app
from tests.service.helpers import as_user, queue_of, report_of, trail_length

NO_REPORT = {  # operation → why it discloses no report (changes are audited by their own use case)
    "POST /api/v1/login": "a session", "POST /api/v1/logout": "a session",
    "POST /api/v1/second-factor": "one's own second factor",
    "POST /api/v1/second-factor/confirm": "the same", "POST /api/v1/tokens": "a token",
    "POST /api/v1/password": "one's own password (audited as password_changed)",
    "POST /api/v1/users/{username}/reset-password": "an account (audited as password_reset)",
    "GET /api/v1/tokens": "one's own tokens",
    "DELETE /api/v1/tokens/{token_id}": "a token", "GET /api/v1/users": "accounts",
    "POST /api/v1/users": "an account", "POST /api/v1/users/{username}/disable": "an account",
    "GET /api/v1/agencies": "agencies", "POST /api/v1/agencies": "an agency",
    "GET /api/v1/statistics": "counts only", "GET /api/v1/hash-lists": "lists, never their entries",
    "POST /api/v1/ingest": "an upload (audited with its summary and refusals)",
    "PUT /api/v1/reports/{report_id}/assignment": "a change (audited as assign)",
    "PUT /api/v1/reports/{report_id}/route": "a change (audited as route)",
    "POST /api/v1/suggestions/confirm": "a decision (audited)", "POST /api/v1/suggestions/reject": "a decision",
    "GET /api/v1/cases": "cases (each read audited by the case use case, never a report's content)",
    "GET /api/v1/cases/{case_id}": "a case (audited as its own read)",
    "PATCH /api/v1/cases/{case_id}": "a change (in the case's timeline and the audit trail)",
    "POST /api/v1/requests/{request_id}/steps/{step}": "a step of a request (timeline and audit)",
    "POST /api/v1/cases": "a new case (timeline and audit)", "POST /api/v1/cases/{case_id}/tasks": "a task",
    "POST /api/v1/cases/{case_id}/requests": "a request sent (timeline and audit)",
    "GET /api/v1/deadlines": "clocks of the agency's requests, no report",
    "GET /api/v1/deadlines.ics": "the same clocks as iCalendar",
    "GET /api/v1/kb": "public country facts", "GET /api/v1/kb/{code}": "public country facts",
    "POST /api/v1/kb/warnings": "warnings from public country facts",
    "POST /api/v1/packages": "a draft package (audited as package_built)", "GET /api/v1/packages": "packages' ids",
    "POST /api/v1/packages/receive": "an intake (audited as package_received)",
    "POST /api/v1/packages/{package_id}/feedback": "a change (audited as feedback)",
    "GET /api/v1/packages/{package_id}/feedback": "feedback, no report",
    "POST /api/v1/packages/feedback": "an intake (audited as feedback_imported)",
    "GET /api/v1/funnel": "counts only", "GET /api/v1/packages-reminders": "packages' ids",
    # operations hold no report: each read is audited by its use case, each change is an audited operation_ entry
    # (tests/service/test_operations.py counts the reads)
    "GET /api/v1/operations": "operations' names (audited as list)",
    "GET /api/v1/operations/{op_id}": "an operation's targets and totals (audited as read)",
    "GET /api/v1/operations/{op_id}/board": "the action day's figures (audited as read)",
    "GET /api/v1/operations/{op_id}/calendar.ics": "H-hours and meetings (audited as read)",
    "GET /api/v1/operations/{op_id}/meetings/{meeting_id}": "a meeting and case counts (audited as read)",
    "GET /api/v1/operations/{op_id}/meetings/{meeting_id}/minutes.pdf": "minutes (audited as disclose)",
    "GET /api/v1/operations/{op_id}/outcomes": "counts only",
    "GET /api/v1/operations/{op_id}/press-release": "totals only (audited as disclose)",
    "GET /api/v1/operations/{op_id}/results": "the action day's figures (audited as read)",
    "PATCH /api/v1/operations/{op_id}": "a change", "POST /api/v1/operations": "a new operation",
    "POST /api/v1/operations/{op_id}/day/close": "a change", "POST /api/v1/operations/{op_id}/day/freeze": "a change",
    "POST /api/v1/operations/{op_id}/decisions/{decision_id}/done": "a change",
    "POST /api/v1/operations/{op_id}/disputes/{dispute_id}/resolve": "a change",
    "POST /api/v1/operations/{op_id}/jits": "a change", "POST /api/v1/operations/{op_id}/jits/{jit_id}/extensions":
    "a change", "POST /api/v1/operations/{op_id}/jits/{jit_id}/members": "a change",
    "POST /api/v1/operations/{op_id}/jits/{jit_id}/results": "a change",
    "POST /api/v1/operations/{op_id}/meetings": "a change",
    "POST /api/v1/operations/{op_id}/meetings/{meeting_id}/decisions": "a change",
    "POST /api/v1/operations/{op_id}/results": "a change", "POST /api/v1/operations/{op_id}/targets": "a change",
    "PUT /api/v1/operations/{op_id}/day/{country}": "a change",
    "PUT /api/v1/operations/{op_id}/targets/{target_id}/arresting-state": "a change (a refusal keeps a dispute)",
    "POST /api/v1/node/oprf": "blinded points from a peer node (audited as oprf_evaluated / oprf_refused)",
    "POST /api/v1/node/messages": "a peer's signed message: tokens, hits, names, actions (each audited)",
    "GET /api/v1/node/status": "the node's peers and backlog, counts only",
    "GET /api/v1/deconfliction/hits": "hits: agency, reference, kind, since; no report (audited as a list)",
    "POST /api/v1/deconfliction/hits/{hit_id}/mark": "a decision (audited as hit_marked)",
    "POST /api/v1/deconfliction/actions": "a planned action (audited as action_planned)",
    "GET /api/v1/deconfliction/actions": "this node's planned actions and conflicts, no report",
    "POST /api/v1/takedown/import": "an upload of URL reports (audited as takedown_import)",
    "POST /api/v1/takedown/route": "a change (audited as takedown_route)",
    "POST /api/v1/takedown/notices/{notice_id}/steps": "a change (audited as takedown_step)",
    "GET /api/v1/takedown/stats": "counts only", "POST /api/v1/takedown/networks": "the unit's network table",
    # a notice's read needs a notice: counted by tests/takedown/test_faces.py (audited as takedown_read)
    "GET /api/v1/takedown/notices/{notice_id}": "audited as takedown_read (tests/takedown/test_faces.py)",
    # each of these discloses and is counted by tests/coordination/test_round_trip.py (it needs two nodes)
    "GET /api/v1/packages/{package_id}/export": "audited as disclose (test_round_trip)",
    "GET /api/v1/packages/{package_id}/received": "audited as read (test_round_trip)",
    "GET /api/v1/packages/{package_id}/feedback/export": "audited as disclose (test_round_trip)",
}


def test_every_api_operation_that_discloses_a_report_writes_one_entry(client: TestClient,
                                                                      web_engine: Engine) -> None:
    as_user(client, "hub-admin")
    report = next(i for i in queue_of(client) if i["subject"])
    rid = f"{report['source']}/{report['report_id']}"
    calls = {
        "GET /api/v1/queue": "/api/v1/queue", "GET /api/v1/reports": "/api/v1/reports",
        "GET /api/v1/reports/{report_id}": f"/api/v1/reports/{rid}",
        "GET /api/v1/reports/{report_id}/versions": f"/api/v1/reports/{rid}/versions",
        "GET /api/v1/subjects/{subject_id}": f"/api/v1/subjects/{report['subject']}",
        "GET /api/v1/suggestions": "/api/v1/suggestions",
        "GET /api/v1/hash-lists/{name}/matches": "/api/v1/hash-lists/synthetic-vics/matches",
        "GET /api/v1/audit": "/api/v1/audit",
        "GET /api/v1/packages-draft": f"/api/v1/packages-draft?subject={report['subject']}",
        "GET /api/v1/takedown/notices": "/api/v1/takedown/notices",
        "GET /api/v1/takedown/blocklist": "/api/v1/takedown/blocklist?to=Example%20Mobile%20(fictional)",
        "GET /api/v1/takedown/quarantine": "/api/v1/takedown/quarantine",
    }
    operations = {f"{method.upper()} {path.replace(':path', '')}"
                  for path, item in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
                  for method in item}
    assert operations == set(calls) | set(NO_REPORT), "classify every operation: called here or NO_REPORT"
    for operation, url in calls.items():
        before = trail_length(web_engine)
        assert client.get(url).status_code == 200, operation
        assert trail_length(web_engine) == before + 1, operation


CLI_NO_REPORT = {  # command → why it discloses no report
    "init", "serve", "schema", "synth", "demo", "users add", "users list", "users disable", "users token",
    "users tokens", "users revoke", "agencies add", "agencies list", "agencies source", "priors import",
    "hashes import", "hashes lists", "hashes remove", "match", "scan", "suggestions run",
    "suggestions confirm", "suggestions reject", "quarantine retry", "audit verify", "ingest", "process",
    "triage", "hashes rematch", "deadlines", "users reset-factor", "users password",
    "users reset-password",
    # cases and requests: every change and read is in the case's timeline and audited by its use case
    "cases add", "cases list", "cases move", "cases open", "cases show", "cases task",
    "requests instruments", "requests send", "requests step",
    "kb list", "kb show", "kb check",
    "packages identity", "packages partner", "packages ceiling", "packages list", "packages funnel",
    "packages reminders", "packages build", "packages receive", "packages feedback",
    "node init", "node identity", "node add-peer", "node peers", "node status", "node sync", "node hits",
    "node mark", "node exchange-key", "node join-exchange", "node plan", "node actions",
    # node: identities, peers, tokens and hits (agency, reference, kind, since), never a report; each change audited
    # build, receive and feedback are changes, each audited by its use case (tests/coordination/test_round_trip.py)
    # operations: no report; every read and change audited by its use case (tests/service/test_operations.py)
    *(f"operations {c}" for c in ("create", "list", "show", "agency", "link", "target", "arresting", "resolve", "day",
                                  "plan", "freeze", "close", "result", "board", "results", "meeting", "decide",
                                  "done", "follow-up", "minutes", "press", "calendar", "jit", "jit-member",
                                  "jit-extend", "jit-result", "outcomes")),

    "takedown import", "takedown route", "takedown stats", "takedown networks",
    # URL reports in, routing and the network table are changes audited by their use case; stats are counts only
}
DISCLOSED_ELSEWHERE = {  # command → the test that counts its one audit entry (it needs two nodes)
    "packages export": "tests/coordination/test_round_trip.py::test_every_disclosure_is_audited_with_what_left",
    "packages show": "tests/coordination/test_round_trip.py::test_reading_a_received_package_is_audited_once",
    "takedown notice": "tests/takedown/test_faces.py::test_the_command_line_takes_a_report_to_removal (show: one "
                       "takedown_read; record: a change, audited as takedown_step)",
}


def _commands() -> set[str]:
    root = get_command(app)
    out: set[str] = set()
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        out.update({f"{name} {sub}" for sub in subs} if subs else {name})
    return out


def test_every_cli_command_that_discloses_a_report_writes_one_entry(client: TestClient, web_engine: Engine) -> None:
    report = report_of(client, "DE")
    runner = CliRunner()
    calls = {
        "reports show": ["reports", "show", f"{report['source']}/{report['report_id']}"],
        "reports list": ["reports", "list"], "queue": ["queue", "--format", "json"],
        "quarantine list": ["quarantine", "list"], "links held": ["links", "held"],
        "suggestions list": ["suggestions", "list"], "audit list": ["audit", "list"],
        "takedown notices": ["takedown", "notices"], "takedown quarantine": ["takedown", "quarantine"],
        "takedown blocklist": ["takedown", "blocklist", "--to", "Example Mobile (fictional)"],
    }
    assert _commands() == set(calls) | CLI_NO_REPORT | set(DISCLOSED_ELSEWHERE), "classify every command"
    for name, args in calls.items():
        before = trail_length(web_engine)
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert trail_length(web_engine) == before + 1, name
