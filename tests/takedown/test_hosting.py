"""Hosting resolved offline, each fact with who asserted it; the member list and police contact points as data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lanzarote.coordination.knowledge.load import KnowledgeBase
from lanzarote.errors import InputRejected
from lanzarote.routing.tables import RoutingTables
from lanzarote.takedown.directory import Directory, direct
from lanzarote.takedown.hosting import NetworkTable, read_networks, resolve
from lanzarote.takedown.model import UrlReport
from tests.takedown.fixtures import DE_IP, NL_IP

NETWORKS = (b"network,owner,abuse_contact,country\n"
            b"84.200.0.0/16,Example Carrier AG (fictional),abuse@carrier.example.org,\n"
            b"84.200.69.0/24,Example Resold Hosting (fictional),abuse@resold.example.net,AT\n"
            b"2001:db8::/32,Example Lab (fictional),abuse@lab.test,\n")


def _report(**more: object) -> UrlReport:
    return UrlReport.model_validate({"hotline": "HU-NMHH", "reference": "HU-1", "url": "http://a.example.org/",
                                     "assessment": "baseline", "reported_at": datetime(2026, 11, 2, tzinfo=UTC),
                                     **more})


def _table() -> NetworkTable:
    rows, version = read_networks(NETWORKS)
    return NetworkTable.of(rows, version)


def test_the_units_table_names_owner_and_abuse_contact_by_the_most_specific_network() -> None:
    table = _table()
    assert len(table) == 3
    found = resolve(_report(ip=DE_IP), "a.example.org", table)
    assert (found.network_owner, found.abuse_contact) == ("Example Resold Hosting (fictional)",
                                                          "abuse@resold.example.net")
    assert found.country == "AT" and found.conflict  # the unit's table beats the registry (DE), both shown
    countries = {(e.value, e.asserted_by) for e in found.evidence if e.fact == "country"}
    assert countries == {("DE", f"registry data (iptocc), for {DE_IP}"),
                         ("AT", f"the unit's network table {table.version} (84.200.69.0/24)")}
    other = resolve(_report(ip="84.200.1.1"), "a.example.org", table)
    assert other.network_owner == "Example Carrier AG (fictional)" and other.country == "DE" and not other.conflict
    assert resolve(_report(ip="2001:db8::5"), "a.example.org", table).network_owner == "Example Lab (fictional)"


def test_the_hotlines_word_is_kept_beside_the_registrys() -> None:
    found = resolve(_report(ip=NL_IP, hosting_country="NL", network_owner="RIPE NCC", abuse_contact="abuse@ripe.test"),
                    "a.example.org", NetworkTable())
    assert found.country == "NL" and not found.conflict and found.missing == ()
    assert {e.asserted_by for e in found.evidence} == {"HU-NMHH (reporting hotline)",
                                                       f"registry data (iptocc), for {NL_IP}"}


def test_an_address_in_the_url_itself_is_used_and_a_dns_answer_is_marked_as_one() -> None:
    literal = resolve(_report(url=f"http://{NL_IP}/x"), NL_IP, NetworkTable())
    assert literal.ip == NL_IP and literal.country == "NL"
    looked = resolve(_report(), "a.example.org", NetworkTable(), (DE_IP, "DNS lookup by this node (2026-11-02)"))
    assert looked.ip == DE_IP and looked.evidence[0].asserted_by.startswith("DNS lookup")
    unknown = resolve(_report(), "a.example.org", NetworkTable())
    assert unknown.country is None and unknown.missing == ("ip", "country", "network_owner", "abuse_contact")


@pytest.mark.parametrize(("content", "reason"), [
    (b"net,who\n", "needs the columns"), (b"network,owner,abuse_contact\nnot-a-net,X,\n", "line 2"),
    (b"network,owner,abuse_contact\n192.0.2.0/24,,\n", "an owner"),
    (b"network,owner,abuse_contact,country\n192.0.2.0/24,X,,Germany\n", "alpha-2"), (b"\xff\xfe", "UTF-8"),
])
def test_a_bad_network_table_is_refused_with_its_line(content: bytes, reason: str) -> None:
    with pytest.raises(InputRejected, match=reason):
        read_networks(content)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(KnowledgeBase.load(), RoutingTables.load())


def test_the_member_list_loads_and_marks_what_is_uncertain(directory: Directory) -> None:
    assert directory.members["HU-NMHH"].certain and directory.members["HU-NMHH"].cite
    assert not directory.members["ES-INCIBE"].certain
    assert {"AT", "DE", "FR", "GB", "HU", "LV", "NL", "RO", "US"} <= set(directory.by_country)
    assert directory.source.date.year == 2024
    assert directory.police["DE"].name.startswith("Federal Criminal Police Office")
    assert directory.police["US"].source.startswith("routing tables")  # not in the knowledge base


def test_routing_goes_to_the_hosting_countrys_hotline_or_says_why_not(directory: Directory) -> None:
    hosting = resolve(_report(ip=NL_IP), "a.example.org", NetworkTable())
    to_nl = direct(_report(ip=NL_IP), hosting, directory)
    assert (to_nl.notice, to_nl.hotline, to_nl.police) == (True, "NL-EOKM", "Dutch National Police")
    spain = direct(_report(), hosting.model_copy(update={"country": "ES"}), directory)
    assert spain.hotline == "ES-INCIBE" and not spain.hotline_certain and any("uncertain" in n for n in spain.notes)
    norway = direct(_report(), hosting.model_copy(update={"country": "NO"}), directory)
    assert norway.notice and norway.hotline is None and "goes to its police" in norway.reason
    nowhere = direct(_report(), hosting.model_copy(update={"country": "AQ"}), directory)
    assert not nowhere.notice and "route it by hand" in nowhere.reason
