"""Packages in a real browser, between two nodes: the hub builds a package from a subject page and downloads it
signed; Spain's analyst receives it, sees its markings and what it linked to, records feedback and downloads it
signed; the hub imports that and sees its funnel move."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.service import reports as service_reports
from lanzarote.store import access
from lanzarote.store.db import session
from tests.coordination.nodes import PASSWORD, make_nodes
from tests.web.test_browser import ARTIFACTS, CHROMIUM, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="browser tests need Debian's chromium "
                       "(scripts/ensure-chromium installs it where apt-get is allowed)"),
]


def _log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _cell(page, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(f"table.funnel-table td.{name}").first.inner_text())


def test_a_package_is_sent_received_answered_and_counted(engine: Engine, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import sync_playwright

    nodes = make_nodes(engine, tmp_path, monkeypatch)
    with session(engine) as s:
        subject = service_reports.read(s, access.active_user(s, "hub-analyst"), "ncmec/90100001",  # type: ignore[arg-type]
                                       "test").subject
    ARTIFACTS.mkdir(exist_ok=True)
    with served(nodes.hub) as hub, served(nodes.spain) as spain, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        with nodes.at("HUB"):
            page = browser.new_page(accept_downloads=True)
            _log_in(page, hub, "hub-analyst")
            page.goto(f"{hub}/subjects/{subject}")
            page.fill("form[aria-label='Build a package'] input[name=to]", "ES")
            page.select_option("form[aria-label='Build a package'] select[name=handling]", "H1")
            page.fill("form[aria-label='Build a package'] input[name=operation]", "Daylight")
            page.click("form[aria-label='Build a package'] button[type=submit]")
            assert "not for court without the owner's permission" in page.inner_text("p.markings")
            with page.expect_download() as got:
                page.click("a.export:text-is('signed')")
            signed = tmp_path / "package.json"
            got.value.save_as(signed)
            page.goto(f"{hub}/packages")
            assert (_cell(page, "packages"), _cell(page, "investigations")) == ("1", "0")
        with nodes.at("ES"):
            es = browser.new_page(accept_downloads=True)
            _log_in(es, spain, "es-analyst")
            es.goto(f"{spain}/packages")
            es.set_input_files("form[aria-label='Receive a package'] input[name=upload]", str(signed))
            es.click("form[aria-label='Receive a package'] button[type=submit]")
            assert "signed by HUB with key ed25519:" in es.inner_text("p.provenance")
            assert "H1 TLP:AMBER B2" in es.inner_text("table")
            assert "linked to citizen/ES-2026-0042" in es.inner_text("table")
            for stage, count in (("investigation_opened", "1"), ("arrest", "2")):
                es.select_option("form[aria-label='Record feedback'] select[name=stage]", stage)
                es.fill("form[aria-label='Record feedback'] input[name=count]", count)
                es.click("form[aria-label='Record feedback'] button[type=submit]")
            assert "arrest" in es.inner_text("table.feedback")
            es.screenshot(path=str(ARTIFACTS / "package-received.png"), full_page=True)
            with es.expect_download() as got:
                es.click("a.export")
            answer = tmp_path / "feedback.json"
            got.value.save_as(answer)
        with nodes.at("HUB"):
            page.goto(f"{hub}/packages")
            page.set_input_files("form[aria-label='Import feedback'] input[name=upload]", str(answer))
            page.click("form[aria-label='Import feedback'] button[type=submit]")
            page.goto(f"{hub}/packages")
            assert (_cell(page, "investigations"), _cell(page, "arrests")) == ("1", "2")
            drawn = page.get_attribute("svg.funnel", "aria-label") or ""
            assert "packages 1, investigations 1, searches 0, arrests 2" in drawn
            page.screenshot(path=str(ARTIFACTS / "package-funnel.png"), full_page=True)
        browser.close()
