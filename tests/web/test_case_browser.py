"""Issue 18's bar in a real browser (Debian's chromium driven by Playwright): an analyst opens a case from a P1
report, checks a 24/7 preservation request against the knowledge base and sends it, sees its clock and rule,
records the steps up to "preserved" and sees the clock change (the 24/7 answer stopped, the 60 days of preservation
running to their date); another agency's analyst cannot see the case. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.web.conftest import PASSWORD
from tests.web.test_browser import ARTIFACTS, CHROMIUM, pytestmark, served

__all__ = ["pytestmark"]


@pytest.fixture
def base_url(web_engine: Engine) -> Iterator[str]:
    with served(web_engine) as url:
        yield url


def test_a_case_from_a_p1_report_sends_a_preservation_request_and_its_clock_changes(base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

        def log_in(name: str) -> None:
            page.goto(base_url + "/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("table.queue")

        log_in("de-analyst")
        page.goto(base_url + "/?tier=P1")
        page.locator("table.queue tbody tr").first.locator("td:nth-child(3) a").click()
        page.wait_for_selector("section.conclusions")
        report_key = page.url.split("/reports/", 1)[1]
        page.click("form[aria-label='Open a case'] button")
        page.wait_for_selector("#today-clock")
        case_url = page.url
        assert "/cases/" in case_url and report_key in page.locator("section[aria-labelledby=holds]").inner_text()
        assert "Act today" in page.locator("#today-clock").inner_text()

        page.select_option("form[aria-label='Draft a request'] select[name=instrument]", "preservation_24_7")
        page.fill("form[aria-label='Draft a request'] input[name=to_state]", "GE")
        page.fill("form[aria-label='Draft a request'] input[name=about]", "subscriber and connection data")
        page.click("form[aria-label='Draft a request'] button")
        page.wait_for_selector("aside.preview")
        assert "Georgia in the knowledge base" in page.locator("aside.preview").inner_text()
        page.screenshot(path=str(ARTIFACTS / "case-request-draft.png"), full_page=True)
        page.click("form[aria-label='Send the request'] button")
        page.wait_for_selector("article.request")
        assert page.locator("#today-clock").count() == 0  # sending the request was acting on the case
        answer = page.locator("article.request tr[data-clock=answer]")
        assert "running" in (answer.get_attribute("class") or "")
        assert "Art. 35(1)" in answer.inner_text() and "chase every 1 day" in answer.inner_text()
        assert "urgent" in page.locator("article.request").inner_text()

        for step in ("acknowledge", "review_dual_criminality", "ask_provider", "preserved"):
            page.select_option("article.request select[name=step]", step)
            page.click("article.request form button")
            page.wait_for_selector("article.request")
        assert "stopped" in (answer.get_attribute("class") or "")
        preservation = page.locator("article.request tr[data-clock=preservation]")
        due = (datetime.now(UTC).date() + timedelta(days=61)).isoformat()
        assert f"{due} 00:00 UTC" in preservation.locator("td.due").inner_text()
        assert "Art. 29(7)" in preservation.inner_text() and "running" in preservation.inner_text()
        assert "preserved; the requesting state notified" in page.locator("article.request").inner_text()
        page.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)

        page.goto(base_url + "/deadlines")
        page.wait_for_selector("section.bucket")
        page.screenshot(path=str(ARTIFACTS / "deadlines.png"), full_page=True)

        page.click("header button[type=submit]")
        page.wait_for_url("**/login")
        log_in("fr-analyst")
        response = page.goto(case_url)
        assert response is not None and response.status == 404
        page.goto(base_url + "/cases")
        assert case_url.split(base_url, 1)[1] not in page.content()
        browser.close()
    assert refused == []
