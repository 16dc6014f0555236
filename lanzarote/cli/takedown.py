"""`takedown …`: URL reports from hotlines taken in, routed to the hosting country's hotline and police, their
notices followed to removal, a marked blocklist for operators, and INHOPE-style statistics. No URL is ever
fetched."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.errors import InputRejected
from lanzarote.service import session
from lanzarote.service import takedown as service
from lanzarote.service.takedown import NoticeState, Tlp

takedown_app = typer.Typer(help="Notice and takedown of URL reports from hotlines.", no_args_is_help=True)
notice_app = typer.Typer(help="One notice: its timeline, or its next step.", no_args_is_help=True)
app.add_typer(takedown_app, name="takedown")
takedown_app.add_typer(notice_app, name="notice")


def _dumps(value: object) -> str:
    return json.dumps(value, default=str, indent=1)


@takedown_app.command("import")
def import_(paths: Annotated[list[Path], typer.Argument(help="Files or folders: .json, .jsonl, a hotline's .csv.")],
            hotline: Annotated[str | None, typer.Option(help="The reporting hotline of CSV rows without one.")] = None,
            route: Annotated[bool, typer.Option("--route", help="Route what was taken in at once.")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False) -> None:
    """Take URL reports in; what cannot be read is quarantined with the reason; audited."""
    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    summary = service.import_paths(engine, user, paths, hotline)
    routed = service.route(engine, user) if route else None
    if as_json:
        typer.echo(_dumps({**summary.as_dict(), "routed": routed.as_dict() if routed else None}))
        return
    console.print(f"{summary.new:,} new, {summary.updated:,} updated, {summary.unchanged:,} unchanged, "
                  f"{summary.quarantined:,} quarantined")
    for reason in for_terminal(summary.reasons):
        console.print(f"  [yellow]quarantined[/yellow] {reason}")
    if routed:
        _print_route(routed)


def _print_route(r: service.RouteSummary) -> None:
    console.print(f"{r.routed:,} routed: {r.notices:,} notices sent, {r.no_notice:,} without a notice, "
                  f"{r.duplicates:,} duplicates of a URL under notice, {r.reappeared:,} back after removal, "
                  f"{r.unknown_country:,} with no hosting country")


@takedown_app.command("route")
def route(as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False) -> None:
    """Route every URL report not routed yet to its hosting country's hotline and police; audited."""
    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    summary = service.route(engine, user)
    if as_json:
        typer.echo(_dumps(summary.as_dict()))
    else:
        _print_route(summary)


@takedown_app.command("notices")
def notices(state: Annotated[str | None, typer.Option(help="Only notices in this state.")] = None,
            country: Annotated[str | None, typer.Option(help="Only this hosting country.")] = None,
            limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
            as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """Notices, newest first: where each went, its state, and whether its URL came back; audited."""
    with session(open_engine()) as s:
        rows, total = service.notices(s, actor(s), state, country, limit)
    if as_json:
        typer.echo(_dumps({"total": total, "notices": rows}))
        return
    table = Table(title=f"notices ({len(rows)} of {total})")
    for column in ("notice", "state", "country", "hotline", "url", "sent", "flag"):
        table.add_column(column)
    for r in for_terminal(rows):
        flag = f"back after removal ({r['reappeared_by']})" if r["reappeared_of"] else ""
        table.add_row(str(r["notice_id"]), str(r["state"]), str(r["country"]), str(r["hotline"] or "-"),
                      str(r["url"]), f"{r['sent_at']:%Y-%m-%d %H:%M}", flag)
    console.print(table)


@notice_app.command("show")
def notice_show(notice_id: Annotated[str, typer.Argument(help="The notice (N-…).")],
                as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """A notice's report, hosting evidence (who asserted what), directive, timeline and clocks; audited."""
    with session(open_engine()) as s:
        view = service.notice(s, actor(s), notice_id)
    if as_json:
        typer.echo(_dumps(view))
        return
    _print_notice(for_terminal(view))


def _print_notice(v: dict[str, object]) -> None:
    report, hosting, directive = v["report"], v["hosting"], v["directive"]
    assert isinstance(report, dict) and isinstance(directive, dict)
    console.print(f"{v['notice_id']} {v['state']}: {report['url']} ({report['assessment']}, from {report['hotline']})")
    if report["reappeared_of"]:
        console.print(f"[yellow]back after removal: the same {report['reappeared_by']} as {report['reappeared_of']}"
                      "[/yellow]")
    console.print(f"to {v['hotline'] or 'no hotline'} and {v['police'] or 'no police contact point'}: "
                  f"{directive['reason']}")
    for note in directive.get("notes", []):
        console.print(f"  note: {note}")
    if isinstance(hosting, dict):
        for e in hosting["evidence"]:
            console.print(f"  {e['fact']:14} {e['value']}  — {e['asserted_by']}" + (f" ({e['note']})" if e["note"]
                                                                                       else ""))
    for step in v["timeline"]:  # type: ignore[attr-defined]
        after = f"+{step['after_hours']} h" if step["after_hours"] is not None else ""
        console.print(f"  {step['at']:%Y-%m-%d %H:%M}  {step['state']:13} {after:>10}  {step['by']}  {step['note']}")
    console.print("clocks (hours): " + ", ".join(f"{k} {val if val is not None else '-'}"
                                                 for k, val in v["clocks_hours"].items()))  # type: ignore[attr-defined]


@notice_app.command("record")
def notice_record(notice_id: Annotated[str, typer.Argument(help="The notice (N-…).")],
                  state: Annotated[NoticeState, typer.Argument(help="What the recipient said.")],
                  at: Annotated[str | None, typer.Option(help="When (ISO 8601, UTC if no zone; default now).")]
                  = None,
                  note: Annotated[str, typer.Option(help="What was said.")] = "",
                  moved_to: Annotated[str | None, typer.Option(help="Where moved content went (a new report).")]
                  = None) -> None:
    """Record a notice's next step: acknowledged, removed, not_removed or moved; audited."""
    try:
        when = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise InputRejected(f"--at {at!r} is not an ISO 8601 date and time") from None
    with session(open_engine()) as s:
        view = service.record(s, actor(s), notice_id, state, when, note, moved_to)
    clocks = view["clocks_hours"]
    typer.echo(f"{notice_id} is {view['state']}; hours to notice {clocks['to_notice']}, to removal "
               f"{clocks['to_removal'] if clocks['to_removal'] is not None else '-'}")


@takedown_app.command("blocklist")
def blocklist(to: Annotated[str, typer.Option(help="The one operator it is for.")],
              fmt: Annotated[str, typer.Option("--format", help="csv, json or txt.")] = "csv",
              tlp: Annotated[Tlp, typer.Option(help="TLP 2.0 of the list.")] = Tlp.AMBER_STRICT,
              out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None) -> None:
    """The URLs still online, for one operator to block, under the blocklist's own markings; audited."""
    markings = service.blocklist_markings(tlp)
    with session(open_engine()) as s:
        done = service.blocklist(s, actor(s), to, fmt, markings)
    if out is None:
        typer.echo(done.content.decode(), nl=False)
    else:
        out.write_bytes(done.content)
        typer.echo(f"wrote {out}: {done.count:,} URLs under {markings.label}")


@takedown_app.command("stats")
def stats(overall: Annotated[bool, typer.Option("--overall", help="Per country only, all months together.")] = False,
          fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table") -> None:
    """Per hosting country and month: reports, illegal share, time to removal (median, 90th percentile)."""
    with session(open_engine()) as s:
        rows = service.stats(s, actor(s), not overall)
    if fmt == "csv":
        typer.echo(service.stats_csv(rows), nl=False)
    elif fmt == "json":
        typer.echo(_dumps([r.as_dict() for r in rows]))
    else:
        table = Table(title="time to removal per hosting country")
        for column in ("country", "month", "reports", "illegal share", "removed", "median h", "p90 h"):
            table.add_column(column)
        for r in rows:
            table.add_row(r.country, r.month, f"{r.reports:,}", f"{r.illegal_share:.0%}", f"{r.removed:,}",
                          str(r.median_hours if r.median_hours is not None else "-"),
                          str(r.p90_hours if r.p90_hours is not None else "-"))
        console.print(table)


@takedown_app.command("networks")
def networks(path: Annotated[Path, typer.Argument(help="CSV: network,owner,abuse_contact[,country].")]) -> None:
    """Replace the unit's network table (administrators); audited."""
    with session(open_engine()) as s:
        count, version = service.load_networks(s, actor(s), path.read_bytes())
    typer.echo(f"{count:,} networks loaded (version {version})")


@takedown_app.command("quarantine")
def quarantine(limit: Annotated[int, typer.Option(help="At most this many.")] = 100) -> None:
    """URL reports that could not be taken in, newest first, with the reason; audited."""
    with session(open_engine()) as s:
        rows = service.quarantined(s, actor(s), limit)
    for r in for_terminal(rows):
        console.print(f"{r['received_at']:%Y-%m-%d %H:%M}  {r['location']}: {r['reason']}", soft_wrap=True)
    if not rows:
        console.print("nothing quarantined")
