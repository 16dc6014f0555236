"""`reports list|show` and `quarantine list|retry`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import app, console, for_terminal, open_engine
from lanzarote.store import quarantine as store_quarantine
from lanzarote.store import reports as store_reports
from lanzarote.store.db import session
from lanzarote.store.reports import StoredReport

reports_app = typer.Typer(help="Stored reports.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Documents that could not be taken in, and why.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
app.add_typer(quarantine_app, name="quarantine")


@reports_app.command("list")
def list_reports(
    limit: Annotated[int, typer.Option(help="How many to show.")] = 50,
    offset: Annotated[int, typer.Option(help="How many to skip.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The latest version of each stored report, newest first."""
    with session(open_engine()) as s:
        rows = store_reports.list_reports(s, limit=limit, offset=offset)
        total = store_reports.count_reports(s)
    if as_json:
        typer.echo(json.dumps([{
            "report_id": r.source_id, "source": r.source, "version": r.version,
            "received_at": r.received_at.isoformat() if r.received_at else None, "origin": r.origin,
            "incident_type": r.incident_type,
        } for r in rows]))
        return
    table = Table(title=f"reports ({total:,} stored)")
    for column in ("report", "source", "version", "received", "origin", "incident type"):
        table.add_column(column)
    for r in for_terminal(rows):
        received = r.received_at.strftime("%Y-%m-%d %H:%M") if r.received_at else "-"
        table.add_row(r.source_id, r.source, str(r.version), received, r.origin, r.incident_type or "-")
    console.print(table)


@reports_app.command("show")
def show(
    report_id: Annotated[str, typer.Argument(help="The source's id (90001234), or SOURCE/ID.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report and its state as JSON.")] = False,
) -> None:
    """One report: what it says, its versions, files and verdicts, tier and reasons, links and routing evidence."""
    with session(open_engine()) as s:
        stored = store_reports.get_report(s, report_id)
        versions = store_reports.versions_of(s, f"{stored.report.source}/{stored.report.source_id}")
    if as_json:
        typer.echo(json.dumps(_as_json(stored, versions), default=str))
        return
    _print(for_terminal(stored), versions)


def _as_json(stored: StoredReport, versions: list[tuple[int, datetime, str]]) -> dict[str, object]:
    return {
        "report": stored.report.model_dump(mode="json"),
        "version": stored.version,
        "versions": [{"version": v, "ingested_at": str(t), "content_sha256": h} for v, t, h in versions],
        "verdicts": [v.model_dump(mode="json") for v in stored.verdicts] if stored.verdicts is not None else None,
        "triage": stored.triage.model_dump(mode="json") if stored.triage else None,
        "route": stored.route.model_dump(mode="json") if stored.route else None,
        "subject": stored.subject,
        "linked_reports": list(stored.linked_reports),
        "links": [link.model_dump(mode="json") for link in stored.links],
    }


def _print(stored: StoredReport, versions: list[tuple[int, datetime, str]]) -> None:
    r = stored.report
    console.rule(f"report {r.source_id} ({r.source}) — version {stored.version} of {stored.versions}")
    console.print(f"origin: {r.origin.value}   received: {r.received_at}   incident: {r.incident_type or '-'}")
    console.print(f"incident time: {r.incident_at or '-'}   platform: {r.platform or '-'}   "
                  f"escalated: {'yes' if r.escalate_to_high_priority else 'no'}   "
                  f"annotations: {', '.join(r.annotations) or '-'}")
    for party in r.parties:
        name = " ".join(x for x in (party.first_name, party.last_name) if x) or "-"
        ids = [e.address for e in party.emails] + [p.number for p in party.phones]
        ids += [f"{party.esp_service or 'account'}:{party.esp_identifier}"] if party.esp_identifier else []
        ids += [i.ip_address for i in party.ip_capture_events]
        console.print(f"  {party.role.value}: {name}  age {party.age or '-'}  {'; '.join(ids)}")
    if r.additional_info:
        console.print(f"additional information: {r.additional_info}")
    if r.warnings:
        console.print("[yellow]schema warnings:[/yellow] " + " | ".join(r.warnings))
    if stored.triage:
        console.print(f"[bold]tier {stored.triage.tier.value}[/bold]  score {stored.triage.score:.1f}  "
                      f"(rules {stored.triage.rules_version})")
        for reason in stored.triage.reasons:
            evidence = f" — {reason.evidence}" if reason.evidence else ""
            console.print(f"  {reason.signal}  {reason.weight:+.1f}  {reason.text}{evidence}")
    else:
        console.print("tier: not ranked yet (run `lanzarote process`)")
    verdicts = {v.file_id: v for v in stored.verdicts or ()}
    for f in r.files:
        v = verdicts.get(f.file_id)
        label = v.verdict.value if v else "not matched yet"
        hits = ", ".join(f"{m.list_name}:{m.entry_id} d={m.distance}" for m in v.matches) if v else ""
        console.print(f"  file {f.file_id} {f.file_name or ''}: {label} {hits}")
    if stored.route:
        route = stored.route
        where = route.country or "needs manual routing"
        console.print(f"route: {where} → {route.national_unit or '-'} → {route.authority or '-'} "
                      f"(confidence {route.confidence:.2f}{', CONFLICT' if route.conflict else ''})")
        for e in route.evidence:
            console.print(f"  {e.kind.value}: {e.value} → {e.country} (strength {e.strength:.2f}, {e.asserted_by})")
        for note in route.notifications:
            console.print(f"  notify: {note}")
        if route.missing:
            console.print(f"  missing: {', '.join(route.missing)}")
    if stored.subject:
        console.print(f"subject {stored.subject}: linked reports {', '.join(stored.linked_reports) or '-'}")
    for link in stored.links:
        shared = ", ".join(f"{i.kind.value}={i.value}" for i in link.identifiers)
        console.print(f"  link {link.report_a} — {link.report_b}: {shared}")
    console.print("versions: " + "; ".join(f"v{v} {t} {h[:12]}" for v, t, h in versions))


@quarantine_app.command("list")
def quarantine_list(
    include_resolved: Annotated[bool, typer.Option("--all", help="Include entries taken in on retry.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every document that could not be taken in, with where it came from and what is wrong."""
    with session(open_engine()) as s:
        rows = store_quarantine.entries(s, include_resolved=include_resolved)
    if as_json:
        typer.echo(json.dumps([{
            "id": r.id, "location": r.location, "content_sha256": r.content_sha256, "reason": r.reason,
            "size": r.size, "received_at": r.received_at.isoformat(),
            "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
        } for r in rows]))
        return
    table = Table(title=f"quarantine ({len(rows)} entries)")
    for column in ("id", "location", "reason", "sha256"):
        table.add_column(column, overflow="fold")
    for r in for_terminal(rows):
        table.add_row(str(r.id), r.location, r.reason, (r.content_sha256 or "-")[:12])
    console.print(table)


@quarantine_app.command("retry")
def quarantine_retry() -> None:
    """Read every quarantined document again (after a fix at the same path) and take in what now reads."""
    from lanzarote.pipeline.quarantine import retry

    summary = retry(open_engine())
    console.print(f"taken in: {summary.taken_in}   still quarantined: {summary.still_quarantined}")
    for missing in summary.missing:
        console.print(f"  cannot read again: {missing}")
