"""`node …`: this store as a deconfliction node — its identity, its peers, the exchange with the hub (once or in a
loop), its status and backlog, hits and their marking, names exchanges and planned actions."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote import config
from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import deconfliction as service
from lanzarote.service import session

node_app = typer.Typer(help="Deconfliction between agencies: node identity, peers, sync, hits, actions.",
                       no_args_is_help=True)
app.add_typer(node_app, name="node")


@node_app.command("init")
def init(agency: Annotated[str, typer.Option(help="This node's agency code, e.g. DE (HUB for the hub).")],
         url: Annotated[str, typer.Option(help="The URL peers reach this node's server at.")],
         role: Annotated[str, typer.Option(help="unit or hub.")] = "unit") -> None:
    """Give this store its node identity and keys (administrators); prints what peers install."""
    with session(open_engine()) as s:
        found = service.init_node(s, actor(s), agency, url, role)
    typer.echo(json.dumps(found))


@node_app.command("identity")
def identity() -> None:
    """This node's agency, role, URL, key id and public key (what a peer installs with `node add-peer`)."""
    with session(open_engine()) as s:
        typer.echo(json.dumps(service.identity(s)))


@node_app.command("add-peer")
def add_peer(agency: Annotated[str, typer.Argument(help="The peer's agency code.")],
             url: Annotated[str, typer.Option(help="Its server's URL.")],
             public_key: Annotated[str, typer.Option(help="Its public key (base64), from its `node identity`.")],
             role: Annotated[str, typer.Option(help="unit or hub.")] = "unit") -> None:
    """Trust a peer node (administrators); audited."""
    with session(open_engine()) as s:
        peer = service.add_peer(s, actor(s), agency, url, public_key, role)
    typer.echo(f"peer {peer.agency} ({peer.role}) at {peer.url}: key {peer.key_id}")


@node_app.command("peers")
def peers() -> None:
    """The peers: role, URL, key id, failures in a row, next try, last error."""
    with session(open_engine()) as s:
        found = service.peers(s, actor(s))
    table = Table("agency", "role", "url", "key", "failures", "next try", "last error")
    for p in found:
        table.add_row(p.agency, p.role, for_terminal(p.url), p.key_id, str(p.failures),
                      p.next_try_at.isoformat() if p.next_try_at else "", for_terminal(p.last_error or ""))
    console.print(table)


@node_app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """The node, its peers, the backlog waiting per peer, identifiers waiting for a token, the last refusals."""
    with session(open_engine()) as s:
        found = service.status(s, actor(s))
    if as_json:
        typer.echo(json.dumps(found, default=str))
        return
    n = found["node"]
    console.print(f"node {n['agency']} ({n['role']}) at {for_terminal(n['url'])}, key {n['key_id']}")
    for p in found["peers"]:
        state = "ok" if not p["failures"] else f"{p['failures']} failures, next try {p['next_try_at']}"
        console.print(f"  peer {p['agency']} ({p['role']}): {state}")
    if not found["backlog"]:
        console.print("backlog: nothing waiting")
    for b in found["backlog"]:
        console.print(f"backlog for {b['peer']}: {b['waiting']} messages since {b['oldest']}, "
                      f"{b['attempts']} attempts; {for_terminal(b['last_error'] or '')}")
    if found["identifiers"]:
        console.print("identifiers: " + ", ".join(f"{k} {v}" for k, v in sorted(found["identifiers"].items())))
    if "hub" in found:
        console.print("hub holds: " + ", ".join(f"{k} {v}" for k, v in found["hub"].items()))
    for r in found["refusals"]:
        console.print(f"refused {r['at']} {r['peer'] or '?'}: {for_terminal(r['reason'])}")


@node_app.command("sync")
def sync(watch: Annotated[bool, typer.Option("--watch", help="Run a round every deconfliction_sync_seconds "
                                                             "until stopped.")] = False) -> None:
    """One round of the exchange: new identifiers' tokens, names and planned actions to the hub; the outbox
    delivered. A peer that is down only waits (the backlog is in `node status`)."""
    engine = open_engine()
    while True:
        done = service.sync(engine)
        if done.tokenised or done.queued or done.delivered or done.failed or not watch:
            console.print(f"tokenised {done.tokenised}, queued {done.queued}, delivered {done.delivered}"
                          + "".join(f"; failed: {for_terminal(f)}" for f in done.failed))
        if not watch:
            return
        time.sleep(float(config.get("deconfliction_sync_seconds")))


@node_app.command("hits")
def hits(as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """Hits and name suggestions on reports you may see; audited."""
    with session(open_engine()) as s:
        found = [h.as_json() for h in service.hits(s, actor(s), "cli")]
    if as_json:
        typer.echo(json.dumps(found))
        return
    table = Table("hit", "kind", "held by", "their reference", "since", "our report", "subject", "status")
    for h in found:
        kind = f"{h['kind']} (suggestion {h['similarity']})" if h["suggestion"] else h["kind"]
        table.add_row(h["hit_id"], kind, h["other_agency"], h["other_reference"], h["other_since"][:10],
                      h["report"] or "", h["subject"] or "", h["status"])
    console.print(table)


@node_app.command("mark")
def mark(hit_id: Annotated[str, typer.Argument(help="The hit (H-…).")],
         status_: Annotated[str, typer.Argument(metavar="STATUS", help="contacted, same_person, not_same or new.")]
         ) -> None:
    """Mark a hit after contact with the other agency; audited."""
    with session(open_engine()) as s:
        h = service.mark(s, actor(s), hit_id, status_)
    typer.echo(f"{h.hit.hit_id}: {h.hit.status}")


@node_app.command("exchange-key")
def exchange_key(out: Annotated[Path, typer.Argument(help="Where to write a new 32-byte key (0600).")]) -> None:
    """Make a names exchange's key, for its agencies to share out of band (never with the hub)."""
    service.new_exchange_key(out)
    typer.echo(f"exchange key written to {out}")


@node_app.command("join-exchange")
def join_exchange(name: Annotated[str, typer.Argument(help="The exchange's name, e.g. op-example-2026.")],
                  key_file: Annotated[Path, typer.Option(help="The exchange's 32-byte key file.")]) -> None:
    """Take part in a names exchange (administrators): reported people's names and dates of birth go to the hub
    as CLKs under the exchange's key; matches come back as suggestions."""
    with session(open_engine()) as s:
        service.add_exchange(s, actor(s), name, key_file)
    typer.echo(f"joined names exchange {name}")


@node_app.command("plan")
def plan(kind: Annotated[str, typer.Option(help="search, arrest or undercover.")],
         starts: Annotated[datetime, typer.Option(help="Start, with its zone (2026-12-20T06:00+01:00).",
                                                  formats=["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%z"])],
         ends: Annotated[datetime, typer.Option(help="End, with its zone.",
                                                formats=["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%z"])],
         place: Annotated[str, typer.Option(help="LAT,LON in decimal degrees.")],
         subject: Annotated[str | None, typer.Option(help="The subject (S-…) it is about.")] = None) -> None:
    """Plan an action; it is checked against other agencies' at the next sync and a conflict alerts both."""
    with session(open_engine()) as s:
        ref = service.plan_action(s, actor(s), kind, starts, ends, place, subject)
    typer.echo(f"planned {kind} {ref}")


@node_app.command("actions")
def actions() -> None:
    """This node's planned actions and the conflicts found."""
    with session(open_engine()) as s:
        found = service.planned(s, actor(s))
    for a in found["actions"]:
        console.print(f"{a['reference']} {a['kind']} {a['starts']}–{a['ends']} at {for_terminal(a['place'] or '')} "
                      f"subject {a['subject'] or '-'} ({a['state']})")
    for c in found["conflicts"]:
        console.print(f"[red]conflict[/red] {c['reference']} with {c['other_agency']} {c['other_reference']}: "
                      f"{for_terminal(c['reason'])} (from {c['starts']})")
