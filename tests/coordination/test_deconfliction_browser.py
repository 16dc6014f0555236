"""Deconfliction in a real browser: after the two units' ingests, each unit's analyst sees the hit on the
subject's page (which agency, its reference, the kind, since when), the queue marks the subject as held by another
agency, and the analyst marks the hit as contacted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.coordination.test_deconfliction import german, spanish, with_a_second
from tests.coordination.three_nodes import PASSWORD, Three, three_nodes
from tests.web.test_browser import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="browser tests need Debian's chromium "
                       "(scripts/ensure-chromium installs it where apt-get is allowed)"),
]


@pytest.fixture
def nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Three]:
    with three_nodes(tmp_path, monkeypatch) as three:
        yield three


def test_the_hit_shows_on_the_subject_page_on_both_nodes(nodes: Three) -> None:
    from playwright.sync_api import sync_playwright

    nodes.take_in("ES", with_a_second(spanish()))
    nodes.take_in("DE", with_a_second(german()))
    nodes.until(lambda: bool(nodes.hits("DE")) and bool(nodes.hits("ES")))
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for agency, other in (("DE", "ES"), ("ES", "DE")):
            node, hit = nodes[agency], nodes.hits(agency)[0]
            page = browser.new_page()
            page.goto(node.url + "/login")
            page.fill("input[name=username]", f"{agency.lower()}-analyst")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(node.url + "/")
            assert "held by another agency" in page.inner_text("table")
            page.click("a.chip.deconfliction")
            assert f"/subjects/{hit.subject_id}" in page.url
            section = page.locator("section#deconfliction")
            assert section.locator("td.agency").inner_text() == other
            assert hit.hit.other_reference in section.inner_text()
            assert "account" in section.inner_text()
            page.screenshot(path=str(ARTIFACTS / f"deconfliction-subject-{agency.lower()}.png"), full_page=True)
            section.locator("select[name=status]").select_option("contacted")
            section.locator("button[type=submit]").click()
            assert page.locator("section#deconfliction td.status").inner_text().startswith("contacted")
            page.goto(node.url + "/deconfliction")
            assert other in page.inner_text("table.hits")
            page.screenshot(path=str(ARTIFACTS / f"deconfliction-{agency.lower()}.png"), full_page=True)
        browser.close()
