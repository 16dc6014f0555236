"""`lanzarote kb list`, `kb show ES`, `kb check`: the country knowledge base on the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lanzarote.cli import app

runner = CliRunner()


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.stdout


def test_kb_show_es_prints_each_fact_with_its_quotation_and_source() -> None:
    out = invoke("kb", "show", "ES")
    assert "Spain" in out and "Guardia Civil" in out
    assert "T-ES(2018)21, Question 16., 2019-04-01" in out
    assert "not stated" in out  # the 24/7 contact point: the compilation is silent
    shown = json.loads(invoke("kb", "show", "es", "--json"))
    assert shown["contact_point_24_7"] == "not stated"
    assert any(f["channel"] == "europol" and "EC3 of EUROPOL" in f["quote"] for f in shown["channels"])


def test_kb_list_has_the_43_states() -> None:
    listing = json.loads(invoke("kb", "list", "--json"))
    assert len(listing["countries"]) == 43
    france = next(c for c in listing["countries"] if c["code"] == "FR")
    assert france["facts"]["retention"] == 1 and france["facts"]["contact_point_24_7"] == 0
    assert "43 states" in invoke("kb", "list")


def test_kb_show_of_a_state_not_in_the_compilation_is_one_line() -> None:
    result = runner.invoke(app, ["kb", "show", "US"])
    assert result.exit_code != 0 and "no entry for 'US'" in str(result.exception or result.output)


def test_kb_check_warns_of_french_retention_and_exits_1() -> None:
    out = invoke("kb", "check", "--to", "FR", "--instrument", "mla", "--data", "connection", "--event",
                 "2024-01-10", "--date", "2025-02-10", code=1)
    assert "warning (retention): past the one-year retention" in out
    assert "no warning" in invoke("kb", "check", "--to", "FR", "--instrument", "mla", "--data", "connection",
                                  "--event", "2024-06-10", "--date", "2025-02-10")
