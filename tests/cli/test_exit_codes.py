"""The real entry point (`lanzarote.cli:main`, what the `lanzarote` command runs) exits non-zero whenever a
command fails: a fault it reports (1), a user's mistake (2), a usage error (2); and 0 when all is well."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import delete

from lanzarote.cli import app, main
from lanzarote.store import audit
from lanzarote.store.db import open_store, session
from tests.samples import report_xml


def exit_code(*args: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["lanzarote", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def every_command() -> list[list[str]]:
    """The path of every command, sub-commands included (`["audit", "verify"]`)."""
    def walk(command: Any, path: list[str]) -> list[list[str]]:
        if hasattr(command, "commands"):  # a group (Typer's own copy of click's, in newer releases)
            return [p for name, sub in sorted(command.commands.items()) for p in walk(sub, [*path, name])]
        return [path]
    return walk(typer.main.get_command(app), [])


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_every_command_exits_2_on_a_usage_error(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert exit_code(*command, "--no-such-option", monkeypatch=monkeypatch) == 2


def test_audit_verify_exits_1_when_it_reports_a_fault_and_0_when_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    assert exit_code("ingest", str(tmp_path), "--workers", "1", monkeypatch=monkeypatch) == 0
    assert exit_code("users", "add", "hub-analyst", "--role", "analyst", "--agency", "HUB", "--password",
                     "correct horse battery", monkeypatch=monkeypatch) == 0
    assert exit_code("users", "token", "hub-analyst", "--name", "integration", monkeypatch=monkeypatch) == 0  # audited
    assert exit_code("audit", "verify", monkeypatch=monkeypatch) == 0
    assert "audit trail intact" in capsys.readouterr().out
    with session(open_store()) as s:
        s.execute(delete(audit.audit))
    assert exit_code("audit", "verify", monkeypatch=monkeypatch) == 1
    assert "the trail was cut" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("args", [
    ["ingest", "/nonexistent/inbox"],
    ["reports", "show", "no-such-report"],
    ["users", "token", "nobody", "--name", "integration"],
    ["users", "disable", "nobody"],
    ["no-such-command"],
    ["ingest"],
], ids=" ".join)
def test_a_failing_command_exits_2_with_one_line(args: list[str], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(*args, monkeypatch=monkeypatch) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_the_installed_command_says_a_users_mistake_in_exactly_one_line(tmp_path: Path) -> None:
    """The same through the console script a user runs, in a process of its own: exit 2, nothing on the output,
    and on the error stream the one line the error's sentence makes."""
    lanzarote = Path(sys.executable).with_name("lanzarote")
    done = subprocess.run([str(lanzarote), "reports", "show", "no-such-report"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LANZAROTE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                               "LANZAROTE_DATA_DIR": str(tmp_path / "data")}, timeout=120, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "error: no report 'no-such-report'\n")
