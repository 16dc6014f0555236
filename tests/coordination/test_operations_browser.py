"""An action day in a real browser: the coordinator creates the operation and plans the day, Spain and France add
their targets and plans in their own sessions, the coordinator freezes the day and opens the coordination centre;
both states report their results and the centre's board, refreshing itself, shows the totals reconciled."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.coordination.operations_world import PASSWORD, make_world
from tests.web.test_browser import ARTIFACTS, CHROMIUM, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="browser tests need Debian's chromium "
                       "(scripts/ensure-chromium installs it where apt-get is allowed)"),
]


def _session(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    """A page in a browser context of its own (its own cookies: its own session)."""
    page = browser.new_context().new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def _form(page, label: str, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    form = f'form[aria-label="{label}"]'
    for name, value in fields.items():
        page.fill(f"{form} [name={name}]", value)
    page.click(f"{form} button[type=submit]")


def test_two_states_report_and_the_coordinators_board_reconciles(engine: Engine,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("LANZAROTE_OPERATION_CENTRE_REFRESH_SECONDS", "2")
    make_world(engine, ("ES", "FR"))
    ARTIFACTS.mkdir(exist_ok=True)
    with served(engine) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        hub = _session(browser, base, "hub-coordinator")
        hub.goto(base + "/operations")
        _form(hub, "New operation", {"name": "Example Daylight", "description": "synthetic action day"})
        assert hub.inner_text("h1") == "Operation Example Daylight"
        operation = hub.url
        for code in ("ES", "FR"):
            _form(hub, "Add an agency", {"agency": code})
        _form(hub, "Set the action day", {"day_on": "2026-11-10", "hhour": "06:00"})
        assert hub.inner_text("b.day") == "10/11/2026"

        es = _session(browser, base, "es-analyst")
        es.goto(operation)
        for label in ("ES-01", "ES-02"):
            _form(es, "Add a target", {"label": label})
        _form(es, "Plan a state's day", {"officers": "8", "searches": "2"})
        fr = _session(browser, base, "fr-analyst")
        fr.goto(operation)
        _form(fr, "Add a target", {"label": "FR-01"})
        _form(fr, "Plan a state's day", {"hhour": "05:30", "officers": "4", "searches": "1"})
        assert "ES-01" not in fr.inner_text("table.targets")  # Spain's targets are not France's to see
        assert "FR-01" in fr.inner_text("table.targets")

        hub.goto(operation)
        assert "05:30 CET" in hub.inner_text("table.hhours") and "04:30 UTC" in hub.inner_text("table.hhours")
        hub.click("form[aria-label='Freeze the day'] button[type=submit]")
        assert hub.inner_text("b.day-state") == "frozen"
        hub.goto(operation + "/centre")
        assert hub.inner_text("[data-total=arrests]") == "0"
        assert "ES: no result reported yet" in hub.inner_text("#differences")

        es.goto(operation)
        _form(es, "Report results", {"arrests": "2", "searches": "2", "officers": "8", "devices_seized": "5"})
        fr.goto(operation)
        _form(fr, "Report results", {"arrests": "1", "searches": "1", "officers": "4"})
        assert fr.locator("tr[data-country]").count() == 1  # France's board: its own line and the totals

        # the coordinator's page was not reloaded: its board refreshes itself
        expect(hub.locator("[data-total=arrests]")).to_have_text("3", timeout=15_000)
        expect(hub.locator("[data-total=balanced]")).to_have_text("yes", timeout=15_000)
        assert hub.inner_text("[data-total=officers]") == "12"
        assert hub.inner_text("[data-total=states]") == "2"
        assert hub.inner_text("#differences") == ""
        assert hub.locator("tr[data-country]").count() == 2
        hub.screenshot(path=str(ARTIFACTS / "operation-centre.png"), full_page=True)
        browser.close()
