"""Two nodes: the hub builds a package from a subject, signs and sends it; Spain verifies and takes it in (reports
of origin foreign police, markings on every item, linked to what Spain held); Spain's feedback, signed, moves the
hub's funnel; every disclosure is in the audit trail with what left."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from lanzarote.coordination.packages.markings import Handling, Markings, Overrides, Tlp
from lanzarote.coordination.packages.minimise import Selection
from lanzarote.coordination.packages.model import ItemKind
from lanzarote.errors import AccessDenied, InputRejected
from lanzarote.service import packages
from lanzarote.service import reports as service_reports
from lanzarote.store import access, audit
from lanzarote.store.db import session
from tests.coordination.nodes import Nodes, make_nodes
from tests.service.helpers import trail_length


@pytest.fixture
def nodes(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Nodes:
    return make_nodes(engine, tmp_path, monkeypatch)


def _subject(s) -> str:  # type: ignore[no-untyped-def]
    user = access.active_user(s, "hub-analyst")
    stored = service_reports.read(s, user, "ncmec/90100001", "test")  # type: ignore[arg-type]
    assert stored.subject
    return stored.subject


def _send(nodes: Nodes, markings: Markings, selection: Selection = Selection()) -> tuple[str, bytes]:
    with nodes.at("HUB") as hub, session(hub) as s:
        user = access.active_user(s, "hub-analyst")
        p = packages.from_subject(s, user, _subject(s), "ES", markings, selection,  # type: ignore[arg-type]
                                  summary="Two reports on one account soliciting a minor.", operation="Daylight")
        return p.package_id, packages.export(s, user, p.package_id, "signed").content  # type: ignore[arg-type]


def test_a_package_goes_to_spain_and_its_feedback_comes_back(nodes: Nodes) -> None:
    package_id, signed = _send(nodes, Markings(handling=Handling.H1, tlp=Tlp.AMBER))
    with nodes.at("ES") as spain:
        with session(spain) as s:
            es = access.active_user(s, "es-analyst")
        p = packages.receive(spain, es, signed)  # type: ignore[arg-type]
        with session(spain) as s:
            shown = packages.received(s, es, package_id)  # type: ignore[arg-type]
            assert shown.meta["sender"] == "HUB" and str(shown.meta["key_id"]).startswith("ed25519:")
            assert {m.label for _, m, _ in shown.items} == {"H1 TLP:AMBER B2"}
            assert "H1: not for court without the owner's permission" in p.markings.warnings
            key = next(k for i, _, k in shown.items if i.kind is ItemKind.REPORT and i.value == "90100001")
            stored = service_reports.read(s, es, key, "test")  # type: ignore[arg-type, arg-type]
            assert stored.report.origin.value == "foreign_police"
            assert stored.report.provenance[0].reference == package_id
            assert shown.linked[key] == ["citizen/ES-2026-0042"]  # linked to what Spain already held
            packages.record_feedback(s, es, package_id, packages.Stage.INVESTIGATION_OPENED,  # type: ignore[arg-type]
                                     date(2026, 4, 1))
            packages.record_feedback(s, es, package_id, packages.Stage.ARREST, date(2026, 5, 2), count=1,  # type: ignore[arg-type]
                                     decisive=packages.Decisive.YES,
                                     words="Without the package the abuse would not have been discovered.")
            back = packages.export_feedback(s, es, package_id).content  # type: ignore[arg-type]
    with nodes.at("HUB") as hub, session(hub) as s:
        user = access.active_user(s, "hub-analyst")
        assert packages.import_feedback(s, user, back) == (package_id, 3)  # type: ignore[arg-type]
        assert packages.import_feedback(s, user, back) == (package_id, 0)  # type: ignore[arg-type]  (idempotent)
        (row,) = packages.funnel(s, user)  # type: ignore[arg-type]
        assert (row.packages, row.acknowledged, row.investigations, row.arrests, row.decisive) == (1, 1, 1, 1, 1)
        _, meta = packages.get(s, user, package_id)  # type: ignore[arg-type]
        assert meta["acknowledged_at"] is not None


def test_every_disclosure_is_audited_with_what_left(nodes: Nodes) -> None:
    package_id, _ = _send(nodes, Markings(tlp=Tlp.GREEN))
    with nodes.at("HUB") as hub, session(hub) as s:
        user = access.active_user(s, "hub-analyst")
        p, _ = packages.get(s, user, package_id)  # type: ignore[arg-type]
        packages.export(s, user, package_id, "stix")  # type: ignore[arg-type]
        rows = s.execute(select(audit.audit).where(audit.audit.c.action == "disclose")).all()
    assert [r.target for r in rows] == [f"package/{package_id}"] * 2
    items = hashlib.sha256("\n".join(p.item_list()).encode()).hexdigest()
    assert all("to ES" in r.detail and "H0 TLP:GREEN B2" in r.detail and items in r.detail for r in rows)
    assert ["as signed" in rows[0].detail, "as stix" in rows[1].detail] == [True, True]


def test_an_altered_byte_or_an_unsigned_package_is_refused_on_arrival(nodes: Nodes) -> None:
    _, signed = _send(nodes, Markings())
    envelope = json.loads(signed)
    with nodes.at("ES") as spain:
        with session(spain) as s:
            es = access.active_user(s, "es-analyst")
        altered = signed.replace(b"+34600000123", b"+34600000124")
        with pytest.raises(InputRejected, match="altered"):
            packages.receive(spain, es, altered)  # type: ignore[arg-type]
        with pytest.raises(InputRejected, match="no signed header"):
            packages.receive(spain, es, json.dumps(envelope["payload"]).encode())  # type: ignore[arg-type]
        with session(spain) as s:
            assert packages.listing(s, es) == []  # type: ignore[arg-type]


def test_spain_cannot_forward_what_came_under_h2_or_red(nodes: Nodes) -> None:
    package_id, signed = _send(nodes, Markings(handling=Handling.H2))
    with nodes.at("ES") as spain:
        with session(spain) as s:
            access.add_agency(s, "FR", "French national unit (fictional)", "national_unit", "FR")
            es = access.active_user(s, "es-analyst")
        packages.receive(spain, es, signed)  # type: ignore[arg-type]
        with session(spain) as s:
            key = next(k for i, _, k in packages.received(s, es, package_id).items  # type: ignore[arg-type]
                       if i.kind is ItemKind.REPORT)
            subject = service_reports.read(s, es, key, "test").subject  # type: ignore[arg-type, arg-type]
            with pytest.raises(AccessDenied, match="may not be forwarded"):
                packages.from_subject(s, es, subject or "", "FR", Markings())  # type: ignore[arg-type]
            with pytest.raises(AccessDenied, match="not ours to send on"):
                packages.export(s, es, package_id, "stix")  # type: ignore[arg-type]


def test_a_recipients_ceiling_refuses_what_is_marked_beyond_it(nodes: Nodes) -> None:
    with nodes.at("HUB") as hub, session(hub) as s:
        packages.set_ceiling(s, access.active_user(s, "hub-admin"), "ES",  # type: ignore[arg-type]
                             packages.Ceiling(tlp=Tlp.AMBER))
    with pytest.raises(AccessDenied, match="beyond what Spanish central cybercrime unit"):
        _send(nodes, Markings(tlp=Tlp.RED))
    with nodes.at("HUB") as hub, session(hub) as s:
        draft = packages.from_subject(s, access.active_user(s, "hub-analyst"), _subject(s), "ES",  # type: ignore[arg-type]
                                      Markings())
    one = draft.items[0].item_id
    with pytest.raises(AccessDenied, match=f"item {one}"):
        _send(nodes, Markings(), Selection(overrides={one: Overrides(tlp=Tlp.AMBER_STRICT)}))


def test_reading_a_received_package_is_audited_once(nodes: Nodes) -> None:
    package_id, signed = _send(nodes, Markings())
    with nodes.at("ES") as spain:
        with session(spain) as s:
            es = access.active_user(s, "es-analyst")
        packages.receive(spain, es, signed)  # type: ignore[arg-type]
        before = trail_length(spain)
        with session(spain) as s:
            packages.received(s, es, package_id)  # type: ignore[arg-type]
        assert trail_length(spain) == before + 1
