"""`lanzarote node …` as an administrator and an analyst would use it: identity, peers, sync with the hub down and
back, status and backlog, hits and their marking, planned actions; mistakes are one line."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lanzarote.cli import app
from lanzarote.errors import LanzaroteError
from tests.coordination.test_deconfliction import german, spanish
from tests.coordination.three_nodes import Three, three_nodes

runner = CliRunner()


@pytest.fixture
def nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Three]:
    with three_nodes(tmp_path, monkeypatch) as three:
        yield three


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_unit_syncs_shows_its_backlog_while_the_hub_is_down_and_marks_the_hit(nodes: Three) -> None:
    nodes.take_in("ES", [spanish()])
    nodes.sync("ES")
    nodes["HUB"].stop()
    nodes.take_in("DE", [german()])
    with nodes.at("DE"):
        assert json.loads(_run("node", "identity"))["agency"] == "DE"
        assert "failed: HUB:" in _run("node", "sync")
        status = json.loads(_run("node", "status", "--json"))
        assert status["identifiers"] == {"pending": 3} and status["peers"][0]["failures"] == 1
        assert "1 failures" in _run("node", "status")
        assert "HUB" in _run("node", "peers")
    nodes["HUB"].start()
    time.sleep(0.25)  # the backoff
    nodes.until(lambda: bool(nodes.hits("DE")))
    with nodes.at("DE"):
        (hit,) = json.loads(_run("--as", "de-analyst", "node", "hits", "--json"))
        assert (hit["kind"], hit["other_agency"], hit["status"]) == ("account", "ES", "new")
        assert "same_person" in _run("--as", "de-analyst", "node", "mark", hit["hit_id"], "same_person")
        assert "backlog: nothing waiting" in _run("node", "status")
        out = _run("--as", "de-analyst", "node", "plan", "--kind", "search", "--starts", "2030-01-10T06:00+01:00",
                   "--ends", "2030-01-10T09:00+01:00", "--place", "52.52,13.405")
        assert out.startswith("planned search A-")
        assert "search" in _run("--as", "de-analyst", "node", "actions")


def _mistake(*args: str) -> str:
    """The one-line message `lanzarote` prints (with exit code 2) for a user's mistake."""
    result = runner.invoke(app, list(args))
    assert isinstance(result.exception, LanzaroteError), result.output
    return str(result.exception)


def test_mistakes_are_one_line(nodes: Three) -> None:
    with nodes.at("DE"):
        assert "public key is the base64 of 32 bytes" in _mistake(
            "node", "add-peer", "FR", "--url", "http://127.0.0.1:9", "--public-key", "x")
        assert "no hit" in _mistake("--as", "de-analyst", "node", "mark", "H-NOPE", "contacted")
        assert "search, arrest, undercover" in _mistake(
            "--as", "de-analyst", "node", "plan", "--kind", "raid", "--starts", "2030-01-10T06:00+01:00", "--ends",
            "2030-01-10T09:00+01:00", "--place", "1,2")
        assert "already has a node identity" in _mistake("node", "init", "--agency", "DE", "--url",
                                                         "http://127.0.0.1:9")
