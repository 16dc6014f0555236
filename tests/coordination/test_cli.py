"""The command line's tour of packages: build from a subject, export signed, receive on the other node, record
and send back feedback, read the funnel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from lanzarote.cli import app
from lanzarote.errors import AccessDenied
from tests.coordination.nodes import make_nodes


def test_the_package_tour_on_the_command_line(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = make_nodes(engine, tmp_path, monkeypatch)
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    with nodes.at("HUB"):
        shown = runner.invoke(app, ["--as", "hub-analyst", "reports", "show", "ncmec/90100001", "--json"])
        assert shown.exit_code == 0, shown.output
        subject = json.loads(shown.output)["subject"]
        built = runner.invoke(app, ["--as", "hub-analyst", "packages", "build", "--subject", subject, "--to", "ES",
                                    "--handling", "H1", "--tlp", "AMBER", "--operation", "Daylight"])
        assert built.exit_code == 0, built.output
        assert "not for court without the owner's permission" in built.output
        package_id = built.output.split()[1]
        for fmt in ("signed", "stix", "misp", "pdf", "csv"):
            done = runner.invoke(app, ["--as", "hub-analyst", "packages", "export", package_id, "--format", fmt,
                                       "--out", str(tmp_path / f"out.{fmt}")])
            assert done.exit_code == 0, done.output
    with nodes.at("ES"):
        got = runner.invoke(app, ["--as", "es-analyst", "packages", "receive", str(tmp_path / "out.signed")])
        assert got.exit_code == 0, got.output
        assert f"received {package_id} from HUB" in got.output
        shown = runner.invoke(app, ["--as", "es-analyst", "packages", "show", package_id])
        assert "H1 TLP:AMBER B2" in shown.output and "citizen/ES-2026-0042" in shown.output
        said = runner.invoke(app, ["--as", "es-analyst", "packages", "feedback", "record", package_id, "search",
                                   "--on", "2026-04-10"])
        assert said.exit_code == 0, said.output
        back = runner.invoke(app, ["--as", "es-analyst", "packages", "feedback", "export", package_id, "--out",
                                   str(tmp_path / "feedback.json")])
        assert back.exit_code == 0, back.output
        forward = runner.invoke(app, ["--as", "es-analyst", "packages", "export", package_id])
        assert isinstance(forward.exception, AccessDenied) and "not ours to send on" in str(forward.exception)
    with nodes.at("HUB"):
        took = runner.invoke(app, ["--as", "hub-analyst", "packages", "feedback", "import",
                                   str(tmp_path / "feedback.json")])
        assert took.exit_code == 0, took.output
        table = runner.invoke(app, ["--as", "hub-analyst", "packages", "funnel", "--by", "operation", "--csv"])
        assert table.output.splitlines()[1].startswith("Daylight,1,1,1,1,0,0")
