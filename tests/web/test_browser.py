"""The web application in a real browser (Debian's chromium driven by Playwright): log in, work the queue, open
the top report, check another agency cannot reach it, log out. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

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


@pytest.fixture
def base_url(web_engine: Engine) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(web_engine, "browser-test"), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_an_analyst_works_the_queue_in_a_browser(base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(base_url + "/")
        assert page.url.endswith("/login")
        page.fill("input[name=username]", "hub-analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("table.queue")
        page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
        top = page.locator("table.queue tbody tr").first
        assert top.locator(".tier").inner_text() == "P1"
        top_country = top.locator("td:nth-child(5)").inner_text()
        top.locator("a").click()
        page.wait_for_selector("section.conclusions")
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert "Our conclusions" in page.content() and page.locator("img").count() == 0
        report_url = page.url
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
