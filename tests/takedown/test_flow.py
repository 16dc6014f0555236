"""From a hotline's URL report to removal: routed to the hosting country's hotline and police with the evidence
of where it is hosted, followed through its states with its clocks; the same URL or hash back after removal is
flagged; counted as INHOPE counts. Run on both engines."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from lanzarote.errors import AccessDenied, InputRejected, NotFound
from lanzarote.service import session
from lanzarote.service import takedown as service
from lanzarote.service.actors import system_actor
from lanzarote.service.takedown import NoticeState
from lanzarote.store import access, audit
from lanzarote.store.access import User
from tests.takedown.fixtures import DE_IP, DOC_IP, FR_IP, NL_IP, REPORTED, SHA1, url_report, write_jsonl

ROUTED = REPORTED + timedelta(hours=2)
OPERATOR = system_actor("takedown-test")


def _take_in(engine: Engine, tmp_path: Path, *records: dict[str, Any] | str, name: str = "in.jsonl",
             at: datetime = ROUTED) -> tuple[service.ImportSummary, service.RouteSummary]:
    path = write_jsonl(tmp_path / name, *records)
    return service.import_paths(engine, OPERATOR, [path]), service.route(engine, OPERATOR, at)


def _notice(engine: Engine, report_key: str) -> dict[str, Any]:
    with session(engine) as s:
        rows, _ = service.notices(s, OPERATOR)
        found = next(r for r in rows if r["report_key"] == report_key)
        return service.notice(s, OPERATOR, str(found["notice_id"]))


def _step(engine: Engine, notice_id: str, state: NoticeState, at: datetime, **more: Any) -> dict[str, Any]:
    with session(engine) as s:
        return service.record(s, OPERATOR, notice_id, state, at, **more)


def test_a_url_report_is_routed_noticed_and_removed_with_its_clocks(engine: Engine, tmp_path: Path) -> None:
    imported, routed = _take_in(engine, tmp_path, url_report(
        "HU-2026-0001", "HTTP://Files.Example.ORG/gallery/../album/7", ip=DE_IP,
        network_owner="Example Hosting GmbH (fictional)", abuse_contact="abuse@example.org"))
    assert (imported.new, routed.notices) == (1, 1)
    view = _notice(engine, "HU-NMHH/HU-2026-0001")
    assert view["report"]["url"] == "http://files.example.org/album/7"
    assert (view["country"], view["hotline"], view["state"]) == ("DE", "DE-ECO", "sent")
    assert view["police"].startswith("Federal Criminal Police Office (BKA)")
    assert "knowledge base" in view["directive"]["police_source"]
    evidence = {(e["fact"], e["value"]): e["asserted_by"] for e in view["hosting"]["evidence"]}
    assert evidence[("ip", DE_IP)] == "HU-NMHH (reporting hotline)"
    assert evidence[("country", "DE")] == f"registry data (iptocc), for {DE_IP}"
    assert evidence[("network_owner", "Example Hosting GmbH (fictional)")] == "HU-NMHH (reporting hotline)"

    nid = view["notice_id"]
    _step(engine, nid, NoticeState.ACKNOWLEDGED, ROUTED + timedelta(hours=1), note="eco received it")
    done = _step(engine, nid, NoticeState.REMOVED, ROUTED + timedelta(hours=20), note="host removed it")

    assert done["state"] == "removed" and done["next"] == []
    assert done["clocks_hours"] == {"to_notice": 2.0, "to_acknowledgement": 1.0, "to_removal": 22.0,
                                    "notice_to_removal": 20.0}
    assert [(t["state"], t["after_hours"]) for t in done["timeline"]] == [
        ("reported", None), ("sent", 2.0), ("acknowledged", 3.0), ("removed", 22.0)]
    with session(engine) as s:
        [row] = service.stats(s, OPERATOR)
    assert (row.country, row.month, row.reports, row.illegal_share, row.removed, row.median_hours, row.p90_hours) == (
        "DE", "2026-11", 1, 1.0, 1, 22.0, 22.0)


def test_the_same_url_or_hash_back_after_removal_is_flagged(engine: Engine, tmp_path: Path) -> None:
    _take_in(engine, tmp_path, url_report("HU-1", "http://files.example.org/a", ip=DE_IP,
                                          hash={"type": "SHA1", "value": SHA1}))
    first = _notice(engine, "HU-NMHH/HU-1")
    _step(engine, first["notice_id"], NoticeState.REMOVED, ROUTED + timedelta(hours=5))

    later = REPORTED + timedelta(days=3)
    records = (url_report("LV-9", "files.example.org/a#again", hotline="LV-DROSSINTERNETS", reported_at=later,
                          ip=DE_IP),
               url_report("HU-2", "http://mirror.example.org/b", reported_at=later, ip=NL_IP,
                          hash={"type": "sha-1", "value": SHA1.upper()}),
               url_report("HU-3", "http://other.example.org/c", reported_at=later, ip=NL_IP))
    _, routed = _take_in(engine, tmp_path, *records, name="later.jsonl", at=later + timedelta(hours=1))
    assert routed.reappeared == 2
    by_url = _notice(engine, "LV-DROSSINTERNETS/LV-9")
    by_hash = _notice(engine, "HU-NMHH/HU-2")
    assert (by_url["report"]["reappeared_of"], by_url["report"]["reappeared_by"]) == ("HU-NMHH/HU-1", "url")
    assert (by_hash["report"]["reappeared_of"], by_hash["report"]["reappeared_by"]) == ("HU-NMHH/HU-1", "hash")
    assert _notice(engine, "HU-NMHH/HU-3")["report"]["reappeared_of"] is None
    assert by_url["state"] == "sent"  # back online: a new notice goes out


def test_a_url_under_notice_again_is_held_as_a_duplicate(engine: Engine, tmp_path: Path) -> None:
    _, routed = _take_in(engine, tmp_path, url_report("HU-1", "http://files.example.org/a", ip=DE_IP),
                         url_report("LV-1", "http://FILES.example.org/a", hotline="LV-DROSSINTERNETS", ip=DE_IP))
    assert (routed.notices, routed.duplicates) == (1, 1)
    with session(engine) as s:
        _, total = service.notices(s, OPERATOR)
        stats = service.stats(s, OPERATOR)
    assert total == 1 and stats[0].reports == 1  # a duplicate is not a second report of the content


def test_what_gets_no_notice_says_why(engine: Engine, tmp_path: Path) -> None:
    _, routed = _take_in(
        engine, tmp_path,
        url_report("HU-1", "http://a.example.org/", assessment="not_illegal", ip=DE_IP),
        url_report("HU-2", "http://b.example.org/", assessment="not_assessed", ip=DE_IP),
        url_report("HU-3", "http://c.example.org/", ip=DOC_IP),
        url_report("HU-4", "http://d.example.org/"),
        url_report("HU-5", "http://e.example.org/", ip=FR_IP, assessment="nationally_illegal"),
        url_report("HU-6", "http://f.example.org/", ip="193.6.0.1"))  # hosted in Hungary itself
    assert (routed.routed, routed.notices, routed.no_notice, routed.unknown_country) == (6, 2, 4, 2)
    france = _notice(engine, "HU-NMHH/HU-5")
    assert france["hotline"] == "FR-POINTDECONTACT"
    assert any("FR's law decides" in n for n in france["directive"]["notes"])
    home = _notice(engine, "HU-NMHH/HU-6")
    assert home["directive"]["domestic"] and home["hotline"] == "HU-NMHH"
    assert "Cybercrime Department of the National Bureau of Investigation" in home["police"]
    with session(engine) as s:
        stats = {r.country: r for r in service.stats(s, OPERATOR, by_month=False)}
    assert stats["DE"].reports == 2 and stats["DE"].illegal_share == 0.0
    assert stats["unknown"].reports == 2


def test_a_notice_follows_its_state_machine(engine: Engine, tmp_path: Path) -> None:
    _take_in(engine, tmp_path, url_report("HU-1", "http://files.example.org/a", ip=DE_IP))
    nid = _notice(engine, "HU-NMHH/HU-1")["notice_id"]
    with pytest.raises(InputRejected, match="before the notice's last step"):
        _step(engine, nid, NoticeState.ACKNOWLEDGED, ROUTED - timedelta(hours=1))
    with pytest.raises(InputRejected, match="in the future"):
        _step(engine, nid, NoticeState.ACKNOWLEDGED, datetime.now(UTC) + timedelta(days=30))
    _step(engine, nid, NoticeState.NOT_REMOVED, ROUTED + timedelta(hours=3), note="host refuses")
    moved = _step(engine, nid, NoticeState.MOVED, ROUTED + timedelta(hours=9), moved_to=f"http://{NL_IP}/a")
    with pytest.raises(InputRejected, match="cannot become removed"):
        _step(engine, nid, NoticeState.REMOVED, ROUTED + timedelta(hours=10))
    assert moved["moved_to"] == f"http://{NL_IP}/a"
    routed = service.route(engine, OPERATOR, ROUTED + timedelta(hours=10))
    assert (routed.routed, routed.notices) == (1, 1)  # the content at its new place is a new report
    follow = _notice(engine, "HU-NMHH/HU-1~moved-2")
    assert (follow["report"]["url"], follow["country"]) == (f"http://{NL_IP}/a", "NL")
    with session(engine) as s:
        blocked = service.blocklist(s, OPERATOR, "Example Mobile (fictional)", "txt").content.decode()
    assert f"http://{NL_IP}/a" in blocked and "http://files.example.org/a\n" not in blocked
    back = ROUTED + timedelta(days=2)
    _, again = _take_in(engine, tmp_path, url_report("HU-9", "http://files.example.org/a", ip=DE_IP, reported_at=back),
                        name="back.jsonl", at=back + timedelta(hours=1))
    assert again.reappeared == 1  # content back at the URL it moved away from


def test_a_later_assessment_replaces_the_unassessed_report(engine: Engine, tmp_path: Path) -> None:
    _, routed = _take_in(engine, tmp_path, url_report("HU-1", "http://a.example.org/", assessment="not_assessed",
                                                       ip=DE_IP))
    assert routed.notices == 0
    again, routed = _take_in(engine, tmp_path, url_report("HU-1", "http://a.example.org/", ip=DE_IP), name="2.jsonl")
    assert (again.updated, routed.notices) == (1, 1)
    third, _ = _take_in(engine, tmp_path, url_report("HU-1", "http://a.example.org/", ip=DE_IP,
                                                     assessment="not_illegal"), name="3.jsonl")
    assert third.quarantined == 1 and "new reference" in third.reasons[0]
    same, _ = _take_in(engine, tmp_path, url_report("HU-1", "http://a.example.org/", ip=DE_IP), name="4.jsonl")
    assert same.unchanged == 1


def test_the_blocklist_carries_its_own_markings_and_its_export_is_audited(engine: Engine, tmp_path: Path) -> None:
    _take_in(engine, tmp_path, url_report("HU-1", "http://files.example.org/a", ip=DE_IP),
             url_report("HU-2", "http://files.example.org/b", ip=NL_IP),
             url_report("HU-3", "http://files.example.org/c", ip=NL_IP, assessment="not_illegal"))
    removed = _notice(engine, "HU-NMHH/HU-2")["notice_id"]
    _step(engine, removed, NoticeState.REMOVED, ROUTED + timedelta(hours=1))
    with session(engine) as s:
        before = s.execute(select(func.count()).select_from(audit.audit)).scalar_one()
        done = service.blocklist(s, OPERATOR, "Example Mobile (fictional)", "csv")
    text = done.content.decode()
    assert "TLP:AMBER+STRICT" in text and "H3 (for blocking access by the named operator only" in text
    assert done.count == 1 and "http://files.example.org/a," in text and "/b," not in text and "/c," not in text
    with session(engine) as s:
        last = s.execute(select(audit.audit).order_by(audit.audit.c.id.desc()).limit(1)).one()
        assert s.execute(select(func.count()).select_from(audit.audit)).scalar_one() == before + 1
    assert (last.action, last.target) == ("disclose", "blocklist/Example Mobile (fictional)")
    assert "1 URLs" in last.detail and "TLP:AMBER+STRICT" in last.detail


def test_a_unit_sees_only_what_is_hosted_in_its_country(engine: Engine, tmp_path: Path) -> None:
    _take_in(engine, tmp_path, url_report("HU-1", "http://a.example.org/", ip=DE_IP),
             url_report("HU-2", "http://b.example.org/", ip=NL_IP))
    with session(engine) as s:
        access.add_agency(s, "NL", "Dutch national unit (fictional)", "national_unit", "NL")
        access.add_user(s, "nl-analyst", "correct horse battery", "analyst", "NL", datetime.now(UTC))
        access.add_user(s, "hub-auditor", "correct horse battery", "auditor", access.HUB, datetime.now(UTC))
    german = _notice(engine, "HU-NMHH/HU-1")["notice_id"]
    with session(engine) as s:
        dutch: User = access.active_user(s, "nl-analyst")  # type: ignore[assignment]
        auditor: User = access.active_user(s, "hub-auditor")  # type: ignore[assignment]
        rows, total = service.notices(s, dutch)
        assert total == 1 and rows[0]["country"] == "NL"
        assert [r.country for r in service.stats(s, dutch)] == ["NL"]
        with pytest.raises(NotFound):
            service.notice(s, dutch, german)
        with pytest.raises(AccessDenied):
            service.record(s, auditor, german, NoticeState.REMOVED, ROUTED + timedelta(hours=1))


def test_importing_and_routing_make_no_network_call(engine: Engine, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a connection nor a DNS lookup: not for the URL, not for its host (DNS is off by default)."""
    calls: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(repr(args)[:80])
        raise AssertionError("a network call during takedown import or routing")

    path = write_jsonl(tmp_path / "in.jsonl", url_report("HU-1", "http://files.example.org/a"),
                       url_report("HU-2", "http://files.example.org/b", ip=DE_IP))
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    service.import_paths(engine, OPERATOR, [path])
    routed = service.route(engine, OPERATOR, ROUTED)
    assert calls == [] and (routed.notices, routed.unknown_country) == (1, 1)


def test_an_administrator_may_allow_dns_for_the_host_only(engine: Engine, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With `LANZAROTE_TAKEDOWN_DNS=on` the host's address is asked of the resolver (answered here by a stand-in:
    no test asks real DNS) and kept as evidence the node asserted; the URL itself is still never fetched."""
    asked: list[str] = []

    def resolver(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (NL_IP, 0))]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection during routing")

    monkeypatch.setenv("LANZAROTE_TAKEDOWN_DNS", "on")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    _take_in(engine, tmp_path, url_report("HU-1", "http://files.example.org/a"),
             url_report("HU-2", "http://given.example.org/b", ip=DE_IP))
    assert asked == ["files.example.org"]  # only where the hotline gave no address
    view = _notice(engine, "HU-NMHH/HU-1")
    assert view["country"] == "NL"
    assert view["hosting"]["evidence"][0]["asserted_by"].startswith("DNS lookup by this node")
