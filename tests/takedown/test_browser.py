"""Notice and takedown in a real browser: the per-country removal times (table and chart), a notice's timeline
with its hosting evidence, and recording its acknowledgement and removal from the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.service import session
from lanzarote.service import takedown as service
from lanzarote.service.actors import system_actor
from lanzarote.service.takedown import NoticeState
from lanzarote.store import access
from tests.takedown.fixtures import DE_IP, NL_IP, REPORTED, url_report, write_jsonl
from tests.web.conftest import PASSWORD
from tests.web.test_browser import ARTIFACTS, CHROMIUM, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="browser tests need Debian's chromium "
                       "(scripts/ensure-chromium installs it where apt-get is allowed)"),
]
SENT = REPORTED + timedelta(hours=2)


def _notices_with_removals(engine: Engine, tmp_path: Path) -> str:
    """Three notices removed (DE after 22 h and 10 h, NL after 5 h) and one to Germany still open; its id."""
    operator = system_actor("browser-test")
    path = write_jsonl(tmp_path / "nmhh.jsonl", *(url_report(f"HU-{i}", f"http://files.example.org/{i}", ip=ip)
                                                  for i, ip in enumerate((DE_IP, DE_IP, NL_IP, DE_IP), start=1)))
    service.import_paths(engine, operator, [path])
    service.route(engine, operator, SENT)
    with session(engine) as s:
        rows, _ = service.notices(s, operator)
        ids = {str(r["report_key"]): str(r["notice_id"]) for r in rows}
        for key, hours in (("HU-NMHH/HU-1", 22), ("HU-NMHH/HU-2", 10), ("HU-NMHH/HU-3", 5)):
            service.record(s, operator, ids[key], NoticeState.REMOVED, REPORTED + timedelta(hours=hours))
        access.add_user(s, "hub-analyst", PASSWORD, "analyst", access.HUB, datetime.now(UTC))
    return ids["HU-NMHH/HU-4"]


def _wait(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for `selector`; when it does not come, say what the page showed instead."""
    try:
        page.wait_for_selector(selector, timeout=20_000)
    except Exception as exc:
        raise AssertionError(f"{selector} not shown at {page.url}: {page.inner_text('body')[:1000]}") from exc


def test_a_notices_timeline_and_the_removal_times_per_country(engine: Engine, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    open_notice = _notices_with_removals(engine, tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    with served(engine) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(base + "/login")
        page.fill("input[name=username]", "hub-analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(base + "/takedown")
        germany = page.locator("table.removal-times tr[data-country=DE]")
        assert (germany.locator("td.removed").inner_text(), germany.locator("td.median").inner_text(),
                germany.locator("td.p90").inner_text()) == ("2", "16.0", "22.0")
        assert page.locator("table.removal-times tr[data-country=NL] td.median").inner_text() == "5.0"
        drawn = page.get_attribute("svg.removal", "aria-label") or ""
        assert "DE median 16.0 h, p90 22.0 h" in drawn and "NL median 5.0 h, p90 5.0 h" in drawn
        assert page.locator("a[href^='http']").count() == 0  # a reported URL is text, never a link
        page.screenshot(path=str(ARTIFACTS / "takedown.png"), full_page=True)

        page.click(f"a[href='/takedown/notices/{open_notice}']")
        page.wait_for_selector("ol.timeline")
        assert "registry data (iptocc), for 84.200.69.80" in page.inner_text("table.evidence")
        assert "DE-ECO" in page.inner_text("p.state")
        page.select_option("form[aria-label='Record a step'] select[name=state]", "acknowledged")
        page.fill("form[aria-label='Record a step'] input[name=note]", "eco confirmed receipt")
        page.click("form[aria-label='Record a step'] button[type=submit]")
        _wait(page, "ol.timeline li[data-state=acknowledged]")
        page.select_option("form[aria-label='Record a step'] select[name=state]", "removed")
        page.click("form[aria-label='Record a step'] button[type=submit]")
        _wait(page, "ol.timeline li[data-state=removed]")
        states = [s.get_attribute("data-state") for s in page.locator("ol.timeline li").all()]
        assert states == ["reported", "sent", "acknowledged", "removed"]
        assert page.inner_text("table.clocks td.to_notice") == "2.0 h"
        assert page.inner_text("table.clocks td.to_removal").endswith(" h")
        assert page.locator("form[aria-label='Record a step']").count() == 0  # removed is final
        page.screenshot(path=str(ARTIFACTS / "takedown-notice.png"), full_page=True)

        page.goto(base + "/takedown")
        assert germany.locator("td.removed").inner_text() == "3"
        browser.close()
