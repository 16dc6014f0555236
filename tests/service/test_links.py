"""Links under need-to-know: a link to another agency's report names the agency and its contact, never the report's
id or the shared identifier, in the report's JSON, its page and the queue."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from tests.service.helpers import as_user, queue_of


def test_a_link_across_agencies_shows_the_holder_not_the_report(client: TestClient) -> None:
    as_user(client, "hub-analyst")
    items = queue_of(client)
    sizes = Counter(i["subject"] for i in items if i["subject"] and i["country"] == "DE")
    subject = next(s for s, n in sizes.items() if n >= 2)
    members = [i for i in items if i["subject"] == subject]
    moved, stays = members[0], members[1]
    rid = f"{moved['source']}/{moved['report_id']}"
    assert client.put(f"/api/v1/reports/{rid}/route",
                      json={"country": "FR", "reason": "the account holder lives in France (fictional)"}
                      ).status_code == 200
    german_ids = {str(m["report_id"]) for m in members[1:]}
    assert client.get(f"/api/v1/reports/{rid}").json()["links"], "the hub sees the link and what made it"
    as_user(client, "fr-analyst")
    body = client.get(f"/api/v1/reports/{rid}").json()
    assert not german_ids & set(body["linked_reports"]) and body["links"] == []
    assert body["linked_elsewhere"] and body["linked_elsewhere"][0]["agency"] == "German national unit (fictional)"
    assert "held by another agency" in body["linked_elsewhere"][0]["text"]
    page = client.get(f"/reports/{rid}").text
    assert "held by another agency" in page and str(stays["report_id"]) not in page
    assert "<h3>Links</h3>\n  <p>None.</p>" in page  # no link, so no identifier it was made on
    row = next(i for i in queue_of(client) if i["report_id"] == moved["report_id"])
    assert not german_ids & set(row["linked_reports"] or []) and row["linked_elsewhere"]
