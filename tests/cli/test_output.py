"""What reaches a spreadsheet or a terminal from a report is data, never a command: CSV cells that start like a
formula are kept as text, escape sequences and Rich markup in report fields are shown inert. User names cannot
name a path; the store's files are private."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from lanzarote.cli import app

runner = CliRunner()
FORMULA = "=SUM(1+1)*cmd|' -C calc'!A0"
HOSTILE_TEXT = "Summary.\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \r[bold red]FORGED LINE[/bold red]"


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _ingest(tmp_path: Path, **fields: object) -> None:
    report = {"source": "citizen", "source_id": "C-1", "origin": "citizen", "received_at": "2026-01-05T10:00:00Z",
              "incident_description": "A parent reports messages sent to a child.", **fields}
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "c1.json").write_text(json.dumps(report))
    invoke("ingest", str(tmp_path / "inbox"), "--workers", "1")
    invoke("process")


def test_csv_cells_that_start_like_a_formula_are_kept_as_text(tmp_path: Path) -> None:
    _ingest(tmp_path, source_id=FORMULA)
    rows = list(csv.DictReader(io.StringIO(invoke("queue", "--format", "csv"))))
    assert [r["report_id"] for r in rows] == ["'" + FORMULA]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())


def test_reports_show_passes_no_escape_sequence_or_markup_from_a_report_to_the_terminal(tmp_path: Path) -> None:
    _ingest(tmp_path, additional_info=HOSTILE_TEXT, platform="[blink]Example[/blink]")
    shown = invoke("reports", "show", "C-1")
    assert "\x1b" not in shown and "\r" not in shown and "\x07" not in shown
    assert "[bold red]FORGED LINE[/bold red]" in shown and "[blink]Example[/blink]" in shown  # shown, not obeyed


def test_a_user_name_that_could_name_a_path_is_refused() -> None:
    for name in ("../outside", "a/b", "x\x1b[2J", ".."):
        result = runner.invoke(app, ["users", "add", name, "--role", "analyst", "--agency", "HUB", "--password",
                                     "correct horse battery"])
        assert result.exit_code != 0 and "user name" in str(result.exception), result.output


def test_the_database_its_log_and_the_data_folder_are_private(tmp_path: Path) -> None:
    _ingest(tmp_path)
    invoke("audit", "verify")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("lanzarote.db*")}
    assert modes and set(modes.values()) == {0o600}, modes
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
