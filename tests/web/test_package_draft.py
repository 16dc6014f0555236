"""Building a package item by item on the web: the draft page lists what minimisation allows from a subject's
reports, ticked; the package holds only what the sender left ticked, and still nothing beyond the rules."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.coordination.packages.minimise import breaches
from lanzarote.coordination.packages.model import ItemKind
from lanzarote.service import packages
from lanzarote.store import access
from lanzarote.store.db import session
from tests.service.helpers import as_user, queue_of
from tests.web.conftest import csrf_of


def _subject_with_reports(client: TestClient) -> str:
    counts: dict[str, int] = {}
    for i in queue_of(client):
        if i["subject"] and i["country"] == "DE":
            counts[str(i["subject"])] = counts.get(str(i["subject"]), 0) + 1
    return max(counts, key=lambda k: counts[k])


def test_the_sender_ticks_which_reports_and_identifiers_go_and_minimisation_still_applies(
        client: TestClient, web_engine: Engine) -> None:
    as_user(client, "hub-analyst")
    subject = _subject_with_reports(client)
    assert "Choose the reports and identifiers one by one" in client.get(f"/subjects/{subject}").text
    page = client.get("/packages/draft", params={"subject": subject}).text
    assert "Minimisation" in page and "never go" in page
    reports = re.findall(r'name="report" value="([^"]+)" checked', page)
    items = re.findall(r'name="item" value="(I-[0-9a-f]+)" checked aria-label="(\w+) ', page)
    assert reports and items
    with session(web_engine) as s:
        hub = access.active_user(s, "hub-analyst")
        assert hub is not None
        everything = packages.draft(s, hub, subject).items
    assert [i for i, _ in items] == [i.item_id for i in everything if i.report in reports]

    kept_report = reports[0]
    of_report = [i for i in everything if i.report == kept_report]
    dropped = next(i for i in of_report if i.kind is not ItemKind.REPORT)  # an identifier, a hash or a victim
    ticked = [i.item_id for i in of_report if i is not dropped]
    built = client.post("/packages/build", data={
        "csrf": csrf_of(client, f"/packages/draft?subject={subject}"), "subject": subject, "to": "DE",
        "tlp": "AMBER", "handling": "H1", "picked": "yes", "victims": "yes", "report": [kept_report],
        "item": [*ticked, *(i.item_id for i in everything if i.report != kept_report)]}, follow_redirects=False)
    assert built.status_code == 303, built.text
    package_id = built.headers["location"].rsplit("/", 1)[1]
    with session(web_engine) as s:
        package, _ = packages.get(s, hub, package_id)
    assert [i.item_id for i in package.items] == ticked  # only the ticked report, without the unticked item
    assert breaches(package.items) == []

    without_victims = client.get("/packages/draft", params={"subject": subject, "victims": "no"}).text
    assert "no victims at all" in without_victims and 'aria-label="victim ' not in without_victims

    as_user(client, "fr-analyst")
    assert client.get("/packages/draft", params={"subject": subject}).status_code in (403, 404)


def test_over_the_api_a_package_holds_the_items_picked_from_its_draft(client: TestClient) -> None:
    as_user(client, "hub-analyst")
    subject = _subject_with_reports(client)
    drafted = client.get("/api/v1/packages-draft", params={"subject": subject})
    assert drafted.status_code == 200, drafted.text
    body = drafted.json()
    assert body["rules"]["victim"] == ["age"] and body["items"]
    picked = [i["item_id"] for i in body["items"]][::2]
    built = client.post("/api/v1/packages", json={"subject": subject, "to": "DE", "items": picked})
    assert built.status_code == 200, built.text
    assert [i["item_id"] for i in built.json()["items"]] == picked
