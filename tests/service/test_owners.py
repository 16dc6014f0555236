"""Writes bound to their owner: an agency's upload cannot take over, change or probe another agency's report."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.pipeline.process import process
from lanzarote.store import audit
from lanzarote.store.db import session
from tests.samples import file_details_xml
from tests.service.helpers import as_user, queue_of, report_of, upload

COUNTS = ("new", "unchanged", "new_versions", "quarantined", "files", "files_unchanged", "layers")


def _summary(answer: dict[str, object]) -> dict[str, object]:
    return {k: answer[k] for k in COUNTS}


def test_a_forged_clearing_house_layer_does_not_reroute_another_agencys_report(client: TestClient,
                                                                               web_engine: Engine) -> None:
    german = report_of(client, "DE")
    rid = f"ncmec/{german['report_id']}"
    as_user(client, "fr-analyst")
    forged = {"clearing_house_for": {"source": "ncmec", "source_id": german["report_id"]},
              "layer": {"name": "NCMEC", "country": "FR", "notes": ["forged"]}}
    answer = upload(client, "layer.json", forged)
    assert answer["quarantined"] == 1 and answer["layers"] == 0
    process(web_engine)
    assert client.get(f"/api/v1/reports/{rid}").status_code == 404
    as_user(client, "de-analyst")
    kept = client.get(f"/api/v1/reports/{rid}").json()
    assert kept["route"]["country"] == "DE" and "forged" not in str(kept["report"].get("clearing_house"))
    with session(web_engine) as s:
        refused = audit.entries(s, actor="fr-analyst", action="upload_refused")
    assert refused and "source 'ncmec' is not one FR may send" in str(refused[0]["detail"])
    assert str(refused[0]["detail"]).endswith("(from testclient)")  # where the upload came from, as for a login


def test_a_native_document_with_another_agencys_id_is_no_new_version(client: TestClient, web_engine: Engine) -> None:
    german = report_of(client, "DE")
    rid = f"ncmec/{german['report_id']}"
    before = client.get(f"/api/v1/reports/{rid}").json()
    as_user(client, "fr-analyst")
    document = {"source": "ncmec", "source_id": german["report_id"], "origin": "citizen",
                "received_at": datetime(2026, 11, 2, tzinfo=UTC).isoformat(),
                "additional_info": "A fictional replacement text."}
    assert upload(client, "replace.json", document)["quarantined"] == 1
    process(web_engine)
    as_user(client, "hub-analyst")
    after = client.get(f"/api/v1/reports/{rid}").json()
    assert (after["version"], after["triage"]["tier"]) == (before["version"], before["triage"]["tier"])


def test_file_details_for_another_agencys_report_change_nothing(client: TestClient, web_engine: Engine) -> None:
    german = report_of(client, "DE")
    rid = f"ncmec/{german['report_id']}"
    before = client.get(f"/api/v1/reports/{rid}").json()
    file_id = before["report"]["files"][0]["file_id"] if before["report"]["files"] else "f1"
    as_user(client, "fr-analyst")
    answer = upload(client, f"{german['report_id']}-{file_id}.xml",
                    file_details_xml(str(german["report_id"]), file_id, "f" * 32))
    assert answer["files"] == 0 and answer["quarantined"] == 1
    process(web_engine)
    as_user(client, "hub-analyst")
    after = client.get(f"/api/v1/reports/{rid}").json()
    assert after["verdicts"] == before["verdicts"] and after["report"]["files"] == before["report"]["files"]


def test_an_upload_answers_alike_whether_or_not_the_id_exists_elsewhere(client: TestClient,
                                                                       web_engine: Engine) -> None:
    german = report_of(client, "DE")
    as_user(client, "fr-analyst")
    existing = upload(client, "a.json", {"source": "ncmec", "source_id": german["report_id"], "origin": "citizen"})
    missing = upload(client, "b.json", {"source": "ncmec", "source_id": "NO-SUCH-ID", "origin": "citizen"})
    assert _summary(existing) == _summary(missing)
    # in its own source: a report France made and the hub routed to Germany answers like a new one
    own = {"source": "citizen-fr", "source_id": "FR-0001", "origin": "citizen",
           "received_at": datetime(2026, 11, 1, tzinfo=UTC).isoformat(),
           "additional_info": "A fictional citizen report."}
    assert upload(client, "own.json", own)["new"] == 1
    process(web_engine)
    as_user(client, "hub-analyst")
    moved = client.put("/api/v1/reports/citizen-fr/FR-0001/route",
                       json={"country": "DE", "reason": "the suspect lives in Germany (fictional)"})
    assert moved.status_code == 200, moved.text
    as_user(client, "fr-analyst")
    changed = upload(client, "own2.json", {**own, "additional_info": "Changed after it left France."})
    fresh = upload(client, "own3.json", {**own, "source_id": "FR-0002"})
    assert _summary(changed) == _summary(fresh) == {**_summary(fresh), "new": 1, "quarantined": 0}
    as_user(client, "hub-analyst")
    assert client.get("/api/v1/reports/citizen-fr/FR-0001").json()["version"] == 1
    with session(web_engine) as s:
        assert any("held by another agency" in str(e["detail"])
                   for e in audit.entries(s, actor="fr-analyst", action="upload_refused"))


def test_a_native_upload_cannot_pass_for_the_clearing_house(client: TestClient, web_engine: Engine) -> None:
    as_user(client, "fr-analyst")
    claims = [
        {"source": "ncmec", "source_id": "FAKE-1", "origin": "citizen"},
        {"source": "citizen-fr", "source_id": "FAKE-2", "origin": "provider"},
        {"source": "citizen-fr", "source_id": "FAKE-3", "origin": "citizen",
         "clearing_house": {"name": "NCMEC", "notes": ["not NCMEC's"]}},
    ]
    for n, claim in enumerate(claims):
        answer = upload(client, f"claim{n}.json", claim)
        assert (answer["new"], answer["quarantined"]) == (0, 1), claim
    as_user(client, "hub-analyst")
    assert not [i for i in queue_of(client) if str(i["report_id"]).startswith("FAKE-")]
