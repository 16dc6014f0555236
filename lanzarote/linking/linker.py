"""Deterministic links: reports that share a strong identifier, or an IP address under guards.

Guards, each explained in what it returns: an identifier seen in more reports than the fan-out limit (a placeholder
e-mail, a shared test phone, a viral file) stops linking and is listed for review; an IP address links only two
sightings within the time window, never a sighting behind a proxy, and never an address seen with many different
accounts (carrier-grade NAT, VPN exits).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from lanzarote.linking.identifiers import Sighting
from lanzarote.model.linking import Identifier, IdentifierKind, Link

SHARED_ADDRESS_ACCOUNTS = 3
"""An IP address seen with more distinct accounts than this is treated as shared (CGNAT, VPN, public Wi-Fi)."""

History = Callable[[Collection[Identifier]], Sequence[tuple[str, Sighting]]]


class HeldIdentifier(BaseModel):
    """An identifier that stopped linking, and why (listed for an analyst to review)."""

    model_config = ConfigDict(frozen=True)
    identifier: Identifier
    reason: str
    reports: int


class LinkBatchResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    links: tuple[Link, ...]
    held: tuple[HeldIdentifier, ...]


def held_identifier(identifier: Identifier, reports: int, accounts: int, fanout_limit: int) -> HeldIdentifier:
    """Why `identifier` links nobody, in the words an analyst reviews: an IP address seen with more accounts than
    SHARED_ADDRESS_ACCOUNTS, any other identifier seen in more reports than the fan-out limit."""
    if identifier.kind is IdentifierKind.IP:
        reason = (f"seen with {accounts} different accounts: a shared address (carrier-grade NAT, VPN, public network) "
                  "links nobody")
    else:
        reason = (f"seen in {reports} reports, more than the limit of {fanout_limit}: probably a placeholder, a "
                  "shared or test identifier, or widely shared content")
    return HeldIdentifier(identifier=identifier, reason=reason, reports=reports)


def linkable(s: Sighting) -> bool:
    return s.identifier.strong or s.identifier.kind is IdentifierKind.IP


def link_batch(
    batch: Sequence[tuple[str, tuple[Sighting, ...]]],
    history: History,
    *,
    window_minutes: int,
    fanout_limit: int,
    held_already: Collection[tuple[str, str]] = (),
) -> LinkBatchResult:
    """Links from the new reports in `batch` to each other and to history, with the identifiers that made them."""
    batch_keys = {key for key, _ in batch}
    skip = set(held_already)
    wanted = {s.identifier for _, ss in batch for s in ss if linkable(s)}
    wanted = {i for i in wanted if (i.kind.value, i.value) not in skip}
    occurrences: dict[Identifier, list[tuple[str, Sighting]]] = defaultdict(list)
    for key, s in history(wanted):
        if key not in batch_keys:
            occurrences[s.identifier].append((key, s))
    for key, sightings in batch:
        for s in sightings:
            if s.identifier in wanted:
                occurrences[s.identifier].append((key, s))
    pairs: dict[tuple[str, str], set[Identifier]] = defaultdict(set)
    held: list[HeldIdentifier] = []
    window = timedelta(minutes=window_minutes)
    for identifier, occ in occurrences.items():
        keys = {k for k, _ in occ}
        if len(keys) < 2:
            continue
        if identifier.kind is IdentifierKind.IP:
            accounts = {s.account for _, s in occ if s.account}
            if len(accounts) > SHARED_ADDRESS_ACCOUNTS:
                held.append(held_identifier(identifier, len(keys), len(accounts), fanout_limit))
                continue
            usable = [(k, s) for k, s in occ if not s.proxy and s.at is not None]
            for i, (ka, sa) in enumerate(usable):
                for kb, sb in usable[i + 1:]:
                    if ka != kb and (ka in batch_keys or kb in batch_keys) and abs(sa.at - sb.at) <= window:  # type: ignore[operator]
                        pairs[_pair(ka, kb)].add(identifier)
            continue
        if len(keys) > fanout_limit:
            held.append(held_identifier(identifier, len(keys), 0, fanout_limit))
            continue
        ordered = sorted(keys)
        for i, ka in enumerate(ordered):
            for kb in ordered[i + 1:]:
                if ka in batch_keys or kb in batch_keys:
                    pairs[_pair(ka, kb)].add(identifier)
    links = tuple(
        Link(report_a=a, report_b=b, identifiers=tuple(sorted(ids, key=lambda x: (x.kind.value, x.value))))
        for (a, b), ids in sorted(pairs.items())
    )
    return LinkBatchResult(links=links, held=tuple(held))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)
