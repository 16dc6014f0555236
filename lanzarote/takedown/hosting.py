"""Where a URL is hosted, resolved offline: the server's address as the hotline traced it (or, where an
administrator allows it, as this node's resolver answered), the country that address is registered to (the
registry data `iptocc` bundles, as routing reads an IP's country), and the network owner and abuse contact as the
hotline or the unit's own network table gives them. Every fact says who asserted it; countries that disagree are
all shown.

The unit's network table is a CSV the administrator loads: `network,owner,abuse_contact,country` (a CIDR network,
the organisation holding it, its abuse address, optionally its country); the most specific network wins.
"""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from lanzarote.errors import InputRejected
from lanzarote.routing.evidence import ip_country
from lanzarote.takedown.model import Hosting, HostingEvidence, HostingFact, UrlReport

REGISTRY = "registry data (iptocc)"
_registered = lru_cache(maxsize=1 << 16)(ip_country)
"""Hosting addresses repeat (a few large hosts hold most reported URLs): each is looked up once."""
STRENGTH = {"unit": 0.8, "registry": 0.7, "hotline": 0.6}
"""A country from the unit's own table beats the registry's (an address block resold abroad), which beats the
hotline's tracing alone."""
NETWORK_COLUMNS = ("network", "owner", "abuse_contact", "country")


@dataclass(frozen=True)
class Network:
    network: str
    owner: str
    abuse_contact: str
    country: str | None


@dataclass
class NetworkTable:
    """The unit's table of networks, looked up by longest prefix."""

    version: str = "none"
    _by_length: dict[tuple[int, int], dict[int, Network]] = field(default_factory=dict)
    _lengths: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Network], version: str) -> NetworkTable:
        table = cls(version)
        for row in rows:
            net = ipaddress.ip_network(row.network, strict=False)
            table._by_length.setdefault((net.version, net.prefixlen), {})[int(net.network_address)] = row
        for version_, length in table._by_length:
            table._lengths.setdefault(version_, []).append(length)
        for lengths in table._lengths.values():
            lengths.sort(reverse=True)
        return table

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_length.values())

    def lookup(self, ip: str) -> Network | None:
        if not self._lengths:
            return None
        address = ipaddress.ip_address(ip)
        bits = 32 if address.version == 4 else 128
        number = int(address)
        for length in self._lengths.get(address.version, ()):
            found = self._by_length[(address.version, length)].get(number >> (bits - length) << (bits - length))
            if found is not None:
                return found
        return None


def read_networks(content: bytes, limit_rows: int = 1_000_000) -> tuple[list[Network], str]:
    """The rows of a network table CSV and its version (the content's hash); a bad row is one clear error naming
    its line (the administrator fixes the file: a table half loaded would route wrongly)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRejected(f"the network table is not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"network", "owner", "abuse_contact"} <= set(reader.fieldnames):
        raise InputRejected(f"the network table needs the columns {', '.join(NETWORK_COLUMNS)} (country optional)")
    rows: list[Network] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(rows) >= limit_rows:
                raise InputRejected(f"the network table has more than {limit_rows:,} rows")
            try:
                net = ipaddress.ip_network((row.get("network") or "").strip(), strict=False)
            except ValueError:
                raise InputRejected(f"line {line}: {(row.get('network') or '')[:60]!r} is not a network "
                                    "(CIDR, e.g. 192.0.2.0/24)") from None
            owner, abuse = (row.get("owner") or "").strip(), (row.get("abuse_contact") or "").strip()
            country = (row.get("country") or "").strip().upper() or None
            if not owner or len(owner) > 300 or len(abuse) > 300:
                raise InputRejected(f"line {line}: an owner (at most 300 characters) is needed; an abuse contact is "
                                    "at most 300")
            if country is not None and (len(country) != 2 or not country.isalpha()):
                raise InputRejected(f"line {line}: {country[:10]!r} is not an ISO 3166 alpha-2 country code")
            rows.append(Network(net.compressed, owner, abuse, country))
    except csv.Error as exc:
        raise InputRejected(f"the network table is not a readable CSV: {exc}") from None
    return rows, hashlib.sha256(content).hexdigest()[:12]


def resolve(report: UrlReport, host: str, networks: NetworkTable,
            looked_up: tuple[str, str] | None = None) -> Hosting:
    """The hosting of a reported URL from what the hotline said, the registry and the unit's table; `looked_up`
    is (address, who looked it up) when an allowed DNS lookup found the address the hotline did not give."""
    evidence: list[HostingEvidence] = []
    by = f"{report.hotline} (reporting hotline)"
    ip: str | None = None
    literal: str | None = None
    if host[:1].isdigit() or ":" in host:  # only what could be an address is parsed as one
        try:
            literal = ipaddress.ip_address(host).compressed
        except ValueError:
            literal = None
    if report.ip:
        ip = report.ip
        evidence.append(HostingEvidence(fact=HostingFact.IP, value=ip, asserted_by=by))
    elif literal:
        ip = literal
        evidence.append(HostingEvidence(fact=HostingFact.IP, value=ip, asserted_by=f"{by}: the URL's own host"))
    elif looked_up:
        ip = looked_up[0]
        evidence.append(HostingEvidence(fact=HostingFact.IP, value=ip, asserted_by=looked_up[1],
                                        note="a DNS answer: the host may resolve elsewhere for others"))
    if literal and report.ip and literal != report.ip:
        evidence.append(HostingEvidence(fact=HostingFact.IP, value=literal, asserted_by=f"{by}: the URL's own host",
                                        note="differs from the address the hotline traced"))
    countries: list[tuple[str, float]] = []
    if report.hosting_country:
        countries.append((report.hosting_country, STRENGTH["hotline"]))
        evidence.append(HostingEvidence(fact=HostingFact.COUNTRY, value=report.hosting_country, asserted_by=by,
                                        strength=STRENGTH["hotline"]))
    owner, abuse = report.network_owner, report.abuse_contact
    if owner:
        evidence.append(HostingEvidence(fact=HostingFact.NETWORK_OWNER, value=owner, asserted_by=by))
    if abuse:
        evidence.append(HostingEvidence(fact=HostingFact.ABUSE_CONTACT, value=abuse, asserted_by=by))
    if ip:
        registered = _registered(ip)
        if registered:
            countries.append((registered, STRENGTH["registry"]))
            evidence.append(HostingEvidence(fact=HostingFact.COUNTRY, value=registered, strength=STRENGTH["registry"],
                                            asserted_by=f"{REGISTRY}, for {ip}"))
        row = networks.lookup(ip)
        if row is not None:
            table = f"the unit's network table {networks.version} ({row.network})"
            evidence.append(HostingEvidence(fact=HostingFact.NETWORK_OWNER, value=row.owner, asserted_by=table))
            owner = owner or row.owner
            if row.abuse_contact:
                evidence.append(HostingEvidence(fact=HostingFact.ABUSE_CONTACT, value=row.abuse_contact,
                                                asserted_by=table))
                abuse = abuse or row.abuse_contact
            if row.country:
                countries.append((row.country, STRENGTH["unit"]))
                evidence.append(HostingEvidence(fact=HostingFact.COUNTRY, value=row.country, asserted_by=table,
                                                strength=STRENGTH["unit"]))
    country = max(countries, key=lambda c: c[1])[0] if countries else None
    missing = tuple(what for what, value in (("ip", ip), ("country", country), ("network_owner", owner),
                                             ("abuse_contact", abuse)) if not value)
    return Hosting(host=host, ip=ip, country=country, network_owner=owner, abuse_contact=abuse,
                   evidence=tuple(evidence), conflict=len({c for c, _ in countries}) > 1, missing=missing)
