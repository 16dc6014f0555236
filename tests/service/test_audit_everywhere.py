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
    "GET /api/v1/tokens": "one's own tokens",
    "DELETE /api/v1/tokens/{token_id}": "a token", "GET /api/v1/users": "accounts",
    "POST /api/v1/users": "an account", "POST /api/v1/users/{username}/disable": "an account",
    "GET /api/v1/agencies": "agencies", "POST /api/v1/agencies": "an agency",
    "GET /api/v1/statistics": "counts only", "GET /api/v1/hash-lists": "lists, never their entries",
    "POST /api/v1/ingest": "an upload (audited with its summary and refusals)",
    "PUT /api/v1/reports/{report_id}/assignment": "a change (audited as assign)",
    "PUT /api/v1/reports/{report_id}/route": "a change (audited as route)",
    "POST /api/v1/suggestions/confirm": "a decision (audited)", "POST /api/v1/suggestions/reject": "a decision",
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
    "triage", "hashes rematch", "users reset-factor",
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
    }
    assert _commands() == set(calls) | CLI_NO_REPORT, "classify every command: called here or CLI_NO_REPORT"
    for name, args in calls.items():
        before = trail_length(web_engine)
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert trail_length(web_engine) == before + 1, name
