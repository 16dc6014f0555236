"""`reports list|show` and `quarantine list|retry`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import intake, session
from lanzarote.service import reports as service
from lanzarote.service.reports import StoredReport

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
    """The latest version of each stored report (that the acting user may see), newest first; audited."""
    with session(open_engine()) as s:
        rows, total = service.listing(s, actor(s), limit, offset)
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
    """One report: what it says, its versions, files and verdicts, tier and reasons, links and routing evidence, as
    the acting user may see it (victims by pseudonym unless their role needs them); the read is audited."""
    with session(open_engine()) as s:
        user = actor(s)
        stored = service.read(s, user, report_id, "cli")
        versions = service.versions_of_read(s, stored)
    shown = service.as_json(user, stored)
    if as_json:
        shown["versions"] = versions.as_json()
        typer.echo(json.dumps(shown, default=str))
        return
    _print(for_terminal(stored), for_terminal(shown), versions)


def _print(stored: StoredReport, shown: dict[str, object], versions: service.ReportVersions) -> None:
    r = stored.report
    console.rule(f"report {r.source_id} ({r.source}) — version {stored.version} of {stored.versions}")
    console.print(f"origin: {r.origin.value}   received: {r.received_at}   incident: {r.incident_type or '-'}")
    console.print(f"incident time: {r.incident_at or '-'}   platform: {r.platform or '-'}   "
                  f"escalated: {'yes' if r.escalate_to_high_priority else 'no'}   "
                  f"annotations: {', '.join(r.annotations) or '-'}")
    parties = shown["report"]["parties"]  # type: ignore[index]
    for party, dumped in zip(r.parties, parties, strict=True):
        if "pseudonym" in dumped:
            console.print(f"  victim: {dumped['pseudonym']} (details for victim-identification roles only)")
            continue
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
    for x in stored.linked_elsewhere:
        console.print(f"  {x.text}")
    console.print("versions: " + "; ".join(f"v{v} {t} {h[:12]}" for v, t, h in versions.report))
    for file_id, earlier in versions.files.items():
        if len(earlier) > 1:
            console.print(f"  file {file_id} details: " + "; ".join(f"v{v} {t} {h[:12]}" for v, t, h in earlier))
    if len(versions.clearing_house) > 1:
        console.print("  clearing-house layer: "
                      + "; ".join(f"v{v} {t} {h[:12]}" for v, t, h in versions.clearing_house))


@quarantine_app.command("list")
def quarantine_list(
    include_resolved: Annotated[bool, typer.Option("--all", help="Include entries taken in on retry.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every document that could not be taken in, with where it came from and what is wrong."""
    with session(open_engine()) as s:
        rows = intake.quarantined(s, actor(s), include_resolved)
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
    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    summary = intake.retry_quarantined(engine, user)
    console.print(f"taken in: {summary.taken_in}   still quarantined: {summary.still_quarantined}")
    for missing in summary.missing:
        console.print(f"  cannot read again: {missing}")
