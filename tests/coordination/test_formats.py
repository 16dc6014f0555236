"""The formats partners read: a STIX 2.1 bundle stix2 parses, a MISP event pymisp loads, a PDF and CSV; markings
survive each."""

from __future__ import annotations

import csv
import io
import json

import stix2
from pymisp import MISPEvent
from pypdf import PdfReader

from lanzarote.coordination.packages.formats import misp, stix, tabular
from lanzarote.coordination.packages.markings import Handling, Markings, Overrides, Tlp
from lanzarote.coordination.packages.minimise import Selection
from tests.coordination.fixtures import package

TLP2 = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def _red_account_package():  # type: ignore[no-untyped-def]
    account = next(i for i in package().items if i.type == "account")
    return package(Selection(overrides={account.item_id: Overrides(tlp=Tlp.RED, handling=Handling.H2)}),
                   Markings(handling=Handling.H1, tlp=Tlp.AMBER)), account


def test_the_stix_bundle_parses_back_with_its_tlp_2_markings() -> None:
    p, account = _red_account_package()
    parsed = stix2.parse(stix.bundle(p).serialize(), allow_custom=True)
    by_type: dict[str, list[object]] = {}
    for o in parsed.objects:
        by_type.setdefault(o.type, []).append(o)
    assert {"identity", "report", "observed-data", "user-account", "email-addr", "ipv4-addr", "ipv6-addr", "url",
            "file", "relationship", "x-lanzarote-phone-number", "marking-definition"} <= set(by_type)
    markings = {m.id: m for m in by_type["marking-definition"]}
    assert {m["extensions"][TLP2]["tlp_2_0"] for m in markings.values()} == {"amber", "red"}
    accounts = [o for o in by_type["user-account"] if o.get("user_id") == account.value.split(":", 1)[1]]
    assert [markings[r].name for r in accounts[0].object_marking_refs] == ["TLP:RED"]
    assert accounts[0].x_lanzarote_handling == "H2"
    email = by_type["email-addr"][0]
    assert [markings[r].name for r in email.object_marking_refs] == ["TLP:AMBER"]
    assert email.x_lanzarote_handling == "H1"
    report = by_type["report"][0]
    assert "H1: not for court without the owner's permission" in report.x_lanzarote_warnings
    phone = by_type["x-lanzarote-phone-number"][0]
    assert phone.value == "+34600000123"
    assert phone.id == stix.PhoneNumber(value="+34600000123").id  # deterministic: the same number, the same id
    with_hashes = {h for f in by_type["file"] for h in f.hashes}
    assert {"MD5", "SHA-1"} <= with_hashes
    assert "Lucía" not in stix.bundle(p).serialize()


def test_the_same_package_gives_the_same_bundle() -> None:
    p, _ = _red_account_package()
    assert stix.bundle(p).serialize(sort_keys=True) == stix.bundle(p).serialize(sort_keys=True)


def test_the_misp_event_loads_back_with_tags_and_distribution() -> None:
    p, account = _red_account_package()
    loaded = MISPEvent()
    loaded.load(misp.event(p).to_json())
    assert {t.name for t in loaded.tags} >= {"tlp:amber", 'lanzarote:handling="H1"', 'lanzarote:evaluation="B2"'}
    assert loaded.distribution == misp.ORGANISATION_ONLY
    emails = [a for a in loaded.attributes if a.type == "email"]
    assert emails and {t.name for t in emails[0].tags} >= {"tlp:amber", 'lanzarote:handling="H1"'}
    files = [o for o in loaded.objects if o.name == "file"]
    assert {a.type for o in files for a in o.attributes} >= {"md5", "sha1"}
    users = [o for o in loaded.objects if o.name == "user-account"]
    red = [a for o in users for a in o.attributes if a.value == account.value.split(":", 1)[1]]
    assert {t.name for t in red[0].tags} >= {"tlp:red", 'lanzarote:handling="H2"'}


def test_a_prosecutor_reads_the_pdf_and_a_tool_the_csv() -> None:
    p, account = _red_account_package()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(tabular.to_pdf(p))).pages)
    assert "Intelligence package PKG-TEST-0001" in text
    assert "not for court without the owner's permission" in text
    assert "Victim 1 of 90100001" in text and "Lucía" not in text
    rows = list(csv.DictReader(io.StringIO(tabular.to_csv(p))))
    assert len(rows) == len(p.items)
    marked = next(r for r in rows if r["item_id"] == account.item_id)
    assert (marked["tlp"], marked["handling"], marked["evaluation"]) == ("RED", "H2", "B2")
    assert json.loads(json.dumps(rows))  # plain strings throughout
