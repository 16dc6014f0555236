"""Packages are minimised by default and carry markings whose rules are enforced."""

from __future__ import annotations

import pytest

from lanzarote.coordination.packages.markings import (
    Ceiling,
    Handling,
    Markings,
    Overrides,
    Tlp,
    forwarding_allowed,
    gate,
)
from lanzarote.coordination.packages.minimise import RULES, Selection, breaches, minimised
from lanzarote.coordination.packages.model import ItemKind
from lanzarote.errors import AccessDenied, InputRejected
from tests.coordination.fixtures import package, reports


def test_a_default_package_holds_what_the_rules_allow_and_nothing_more() -> None:
    p = package()
    assert breaches(p.items) == []
    for item in p.items:  # the diff against the minimisation rules, field by field
        assert set(item.details) <= RULES[item.kind], item
    text = p.model_dump_json()
    for withheld in ("Lucía", "Ficticia", "lucia.ficticia@example.net", "Carlos", "Ejemplo", "IMG_0001.jpg",
                     "NCMEC analyst", "Chat excerpt"):
        assert withheld not in text, withheld
    victims = [i for i in p.items if i.kind is ItemKind.VICTIM]
    assert [(v.value, v.details) for v in victims] == [("Victim 1 of 90100001", {"age": "13"})]
    kinds = {(i.kind, i.type) for i in p.items}
    assert (ItemKind.IDENTIFIER, "email") in kinds and (ItemKind.FILE_HASH, "MD5") in kinds
    phones = [(i.report, i.value) for i in p.items if i.type == "phone"]  # E.164, once per report that gives it
    assert phones == [("ncmec/90100001", "+34600000123"), ("ncmec/90100002", "+34600000123")]


def test_the_sender_narrows_the_selection_and_drops_victims() -> None:
    p = package(Selection(reports=frozenset({"ncmec/90100002"}), victims=False))
    assert {i.report for i in p.items} == {"ncmec/90100002"}
    assert not [i for i in p.items if i.kind is ItemKind.VICTIM]


def test_a_package_that_leaks_is_found_by_the_diff() -> None:
    p = package()
    leaked = p.items[0].model_copy(update={"details": {**p.items[0].details, "additional_info": "notes"}})
    assert breaches([leaked]) == [f"{leaked.item_id} (report) carries additional_info"]


def test_markings_per_item_override_the_package_and_say_what_they_mean() -> None:
    base = Markings(handling=Handling.H1, tlp=Tlp.AMBER)
    item = package(markings=base).items[1]
    p = package(Selection(overrides={item.item_id: Overrides(tlp=Tlp.RED, handling=Handling.H2)}), base)
    marked = {i.item_id: p.marking_of(i) for i in p.items}
    assert marked[item.item_id].label == "H2 TLP:RED B2"
    assert not marked[item.item_id].forwardable
    others = [m for k, m in marked.items() if k != item.item_id]
    assert {m.label for m in others} == {"H1 TLP:AMBER B2"}
    assert "H1: not for court without the owner's permission" in base.warnings
    with pytest.raises(ValueError, match="H3 needs its restriction"):
        Markings(handling=Handling.H3)
    assert Markings(handling=Handling.H3, handling_text="not to be shown to the suspect").label.startswith(
        "H3 (not to be shown to the suspect)")
    with pytest.raises(InputRejected):
        Overrides(handling=Handling.H3).over(base)


def test_a_recipients_ceiling_and_the_forwarding_rule_refuse() -> None:
    amber = Ceiling(tlp=Tlp.AMBER, handling=Handling.H1)
    gate(amber, "ES", "the package", Markings(tlp=Tlp.GREEN, handling=Handling.H1))
    with pytest.raises(AccessDenied, match="beyond what ES may receive"):
        gate(amber, "ES", "the package", Markings(tlp=Tlp.RED))
    with pytest.raises(AccessDenied):
        gate(amber, "ES", "the package", Markings(handling=Handling.H2))
    with pytest.raises(AccessDenied, match="may not be forwarded"):
        forwarding_allowed(Markings(tlp=Tlp.RED), "report x")
    with pytest.raises(AccessDenied, match="may not be forwarded"):
        minimised(reports(), Selection(), received={"ncmec/90100001": Markings(handling=Handling.H2)})
    assert minimised(reports(), Selection(), received={"ncmec/90100001": Markings(handling=Handling.H1)})
