"""The web application in a real browser (Debian's chromium driven by Playwright): log in, work the queue, open
the top report, check another agency cannot reach it, log out. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from lanzarote.model.linking import Suggestion
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store.db import session
from lanzarote.web.app import create_app
from tests.web.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="browser tests need Debian's chromium "
                       "(scripts/ensure-chromium installs it where apt-get is allowed)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served(engine: Engine) -> Iterator[str]:
    """The web application over `engine`, served on a free loopback port for the test's length."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine, "browser-test"), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def base_url(web_engine: Engine) -> Iterator[str]:
    with served(web_engine) as url:
        yield url


def _suggest_a_link_to_the_top_report(engine: Engine) -> tuple[str, str]:
    """A Splink-style suggestion between the top P1 report and another one (what `process` finds on weak evidence)."""
    with session(engine) as s:
        first = store_reports.queue_page(s, store_reports.QueueFilter(), limit=2).items
        top, other = (f"{i.source}/{i.report_id}" for i in first)
        pair = tuple(sorted((top, other)))
        store_state.save_suggestions(s, [Suggestion(report_a=pair[0], report_b=pair[1], probability=0.93,
                                                    evidence=("same surname and date of birth",))])
    return top, other


def test_an_analyst_works_the_queue_in_a_browser(base_url: str, web_engine: Engine) -> None:
    from playwright.sync_api import sync_playwright

    top_key, other_key = _suggest_a_link_to_the_top_report(web_engine)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        refused: list[str] = []  # what the Content-Security-Policy blocked, as the browser reports it
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(base_url + "/")
        assert page.url.endswith("/login")
        page.fill("input[name=username]", "hub-analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("table.queue")
        # under the policy the page's own script still runs: it selects the first row, and j moves down
        assert "frame-ancestors 'none'" in (page.context.request.get(base_url + "/").headers
                                            ["content-security-policy"])
        page.wait_for_selector("#queue tbody tr.selected")
        page.keyboard.press("j")
        assert page.locator("#queue tbody tr").nth(1).get_attribute("class") == "selected"
        page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
        top = page.locator("table.queue tbody tr").first
        assert top.locator(".tier").inner_text() == "P1"
        top_country = top.locator("td:nth-child(5)").inner_text()
        top.locator("td:nth-child(3) a").click()
        page.wait_for_selector("section.conclusions")
        assert page.url.endswith("/reports/" + top_key)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert "Our conclusions" in page.content() and page.locator("img").count() == 0
        report_url = page.url

        # confirm the suggested link: the pair is linked at once, with the analyst's decision as its evidence
        page.locator("table.suggestions button", has_text="Confirm").click()
        page.wait_for_selector("table.suggestions")
        assert page.locator("table.suggestions tbody tr td:nth-child(4)").inner_text() == "confirmed"
        assert other_key in page.locator("section.conclusions").inner_text()

        # assign it to myself, then find it among my reports in the queue
        page.select_option("form[aria-label=Assign] select[name=username]", "hub-analyst")
        page.click("form[aria-label=Assign] button[type=submit]")
        page.wait_for_selector("section.work")
        assert "Assigned to hub-analyst" in page.locator("section.work").inner_text()
        page.goto(base_url + "/?assigned_to=hub-analyst")
        assert page.locator("table.queue tbody tr td:nth-child(3)").all_inner_texts() == [top_key.split("/")[1]]

        page.goto(report_url)
        page.locator("section.work a[href^='/subjects/']").click()  # the confirmed link made them one subject
        page.wait_for_selector("svg")
        assert page.locator("svg").count() >= 1 and page.locator("img").count() == 0
        page.screenshot(path=str(ARTIFACTS / "subject.png"), full_page=True)
        page.goto(base_url + "/dashboard")
        page.wait_for_selector("svg")
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.click("header button[type=submit]")
        page.wait_for_url("**/login")

        page.fill("input[name=username]", "de-analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("table.queue")
        countries = page.locator("table.queue tbody tr td:nth-child(5)").all_inner_texts()
        assert countries and set(countries) == {"DE"}
        response = page.goto(report_url)
        assert response is not None and response.status == (200 if top_country == "DE" else 404)
        browser.close()
    assert refused == []
