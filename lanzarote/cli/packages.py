"""`packages …`: intelligence packages from a subject to one recipient, their export and receipt, feedback, and
the dissemination ledger's funnel."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import packages as service
from lanzarote.service import session
from lanzarote.service.packages import Handling, InformationAssessment, SourceReliability, Tlp

packages_app = typer.Typer(help="Intelligence packages: build, send, receive, feedback, funnel.", no_args_is_help=True)
partner_app = typer.Typer(help="Partner nodes whose signed packages this node accepts.", no_args_is_help=True)
feedback_app = typer.Typer(help="What came of a package.", no_args_is_help=True)
app.add_typer(packages_app, name="packages")
packages_app.add_typer(partner_app, name="partner")
packages_app.add_typer(feedback_app, name="feedback")


@packages_app.command("identity")
def identity() -> None:
    """This node's agency, key id and public key (what a partner adds with `packages partner add`)."""
    typer.echo(json.dumps(service.identity()))


@partner_app.command("add")
def partner_add(agency: Annotated[str, typer.Argument(help="The partner's agency code, e.g. ES.")],
                public_key: Annotated[str, typer.Argument(help="Its public key (base64), from its `identity`.")]
                ) -> None:
    """Trust a partner node's signing key (administrators); audited."""
    with session(open_engine()) as s:
        partner = service.add_partner(s, actor(s), agency, public_key)
    typer.echo(f"partner {partner.agency} added: key {partner.key_id}")


@packages_app.command("ceiling")
def ceiling(agency: Annotated[str, typer.Argument(help="The recipient agency.")],
            tlp: Annotated[Tlp, typer.Option(help="The most restrictive TLP it may receive.")] = Tlp.AMBER_STRICT,
            handling: Annotated[Handling, typer.Option(help="The most restrictive handling code.")] = Handling.H3
            ) -> None:
    """Set the most a recipient may receive (administrators); audited."""
    with session(open_engine()) as s:
        service.set_ceiling(s, actor(s), agency, service.Ceiling(tlp=tlp, handling=handling))
    typer.echo(f"{agency.upper()} receives at most TLP:{tlp.value} {handling.value}")


@packages_app.command("build")
def build(
    subject: Annotated[str, typer.Option(help="The subject the package is about (S-…).")],
    to: Annotated[str, typer.Option(help="The one recipient agency.")],
    tlp: Annotated[Tlp, typer.Option(help="TLP 2.0 of the package.")] = Tlp.AMBER,
    handling: Annotated[Handling, typer.Option(help="SIENA handling code.")] = Handling.H0,
    handling_text: Annotated[str | None, typer.Option(help="H3's restriction in words.")] = None,
    source: Annotated[SourceReliability, typer.Option(help="Source evaluation A/B/C/X.")] = SourceReliability.B,
    information: Annotated[InformationAssessment, typer.Option(help="Information evaluation 1-4.")] = (
        InformationAssessment.TWO),
    report: Annotated[list[str] | None, typer.Option(help="Only these reports (SOURCE/ID), repeatable.")] = None,
    no_victims: Annotated[bool, typer.Option("--no-victims", help="Leave the victims' pseudonyms out.")] = False,
    operation: Annotated[str | None, typer.Option(help="The operation it belongs to.")] = None,
    summary: Annotated[str, typer.Option(help="A case summary for the recipient.")] = "",
) -> None:
    """A minimised package about a subject for one recipient (kept as a draft until exported); audited."""
    markings = service.Markings(handling=handling, handling_text=handling_text, tlp=tlp, source=source,
                                information=information)
    selection = service.Selection(reports=frozenset(report) if report else None, victims=not no_victims)
    with session(open_engine()) as s:
        p = service.from_subject(s, actor(s), subject, to, markings, selection, summary, operation)
    console.print(f"package {p.package_id} for {for_terminal(p.recipient.name)}: {len(p.items)} items, "
                  f"{p.markings.label}")
    for warning in p.markings.warnings:
        console.print(f"[yellow]{warning}[/yellow]")


@packages_app.command("export")
def export(package_id: Annotated[str, typer.Argument(help="The package.")],
           fmt: Annotated[str, typer.Option("--format", help="signed, stix, misp, pdf or csv.")] = "signed",
           out: Annotated[Path | None, typer.Option(help="File to write (default: the package's file name).")]
           = None) -> None:
    """Write the package in a partner's format; the first export sends it; every export audited."""
    with session(open_engine()) as s:
        done = service.export(s, actor(s), package_id, fmt)
    target = out or Path(done.filename)
    target.write_bytes(done.content)
    typer.echo(f"wrote {target} ({len(done.content):,} bytes)")


@packages_app.command("receive")
def receive(path: Annotated[Path, typer.Argument(help="A signed package from a partner.")]) -> None:
    """Verify and take in a partner's package: its reports of origin foreign police, linked here; audited."""
    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    p = service.receive(engine, user, path.read_bytes())
    typer.echo(f"received {p.package_id} from {p.sender}: {len(p.items)} items under {p.markings.label}")


@packages_app.command("list")
def list_packages(direction: Annotated[str | None, typer.Option(help="sent or received.")] = None) -> None:
    """Packages sent and received, newest first."""
    with session(open_engine()) as s:
        rows = service.listing(s, actor(s), direction)
    table = Table(title="packages")
    for column in ("package", "direction", "from", "to", "operation", "sent", "acknowledged"):
        table.add_column(column)
    for r in for_terminal(rows):
        table.add_row(*(str(r[k] or "-") for k in ("package_id", "direction", "sender", "recipient", "operation",
                                                    "sent_at", "acknowledged_at")))
    console.print(table)


@packages_app.command("show")
def show(package_id: Annotated[str, typer.Argument(help="A received package.")]) -> None:
    """A received package: provenance, every item with its markings, what it linked to here; audited."""
    with session(open_engine()) as s:
        shown = for_terminal(service.received(s, actor(s), package_id))
    console.print(f"{shown.package.package_id} from {shown.package.sender} (key {shown.meta['key_id']}), "
                  f"received {shown.meta['sent_at']}: {shown.package.markings.label}")
    for warning in shown.package.markings.warnings:
        console.print(f"[yellow]{warning}[/yellow]")
    for item, markings, key in shown.items:
        console.print(f"  {item.kind.value:10} {item.value}  [{markings.label}]  {key or ''}")
    for key, others in shown.linked.items():
        if others:
            console.print(f"  {key} linked to {', '.join(others)}")


@feedback_app.command("record")
def feedback_record(
    package_id: Annotated[str, typer.Argument(help="The package.")],
    stage: Annotated[service.Stage, typer.Argument(help="What happened.")],
    on: Annotated[str, typer.Option(help="When (YYYY-MM-DD).")],
    count: Annotated[int, typer.Option(help="How many (investigations, persons searched/arrested/…).")] = 1,
    decisive: Annotated[service.Decisive, typer.Option(help="Was the report decisive?")] = service.Decisive.UNKNOWN,
    words: Annotated[str, typer.Option(help="The recipient's own words.")] = "",
    reported_by: Annotated[str | None, typer.Option(help="Who reported it (default: you).")] = None,
) -> None:
    """Record feedback on a package; a second word on a stage is its next version; audited."""
    with session(open_engine()) as s:
        f = service.record_feedback(s, actor(s), package_id, stage, date.fromisoformat(on), count, reported_by,
                                    decisive, words)
    typer.echo(f"{package_id}: {f.stage.value} x{f.count} on {f.on} (version {f.version})")


@feedback_app.command("export")
def feedback_export(package_id: Annotated[str, typer.Argument(help="A received package.")],
                    out: Annotated[Path | None, typer.Option(help="File to write.")] = None) -> None:
    """The feedback on a received package, signed for its sender; audited."""
    with session(open_engine()) as s:
        done = service.export_feedback(s, actor(s), package_id)
    target = out or Path(done.filename)
    target.write_bytes(done.content)
    typer.echo(f"wrote {target}")


@feedback_app.command("import")
def feedback_import(path: Annotated[Path, typer.Argument(help="A recipient's signed feedback.")]) -> None:
    """Take in a recipient's signed feedback on a package sent from here; audited."""
    with session(open_engine()) as s:
        package_id, added = service.import_feedback(s, actor(s), path.read_bytes())
    typer.echo(f"{package_id}: {added} new feedback entries")


@packages_app.command("funnel")
def funnel(by: Annotated[str | None, typer.Option(help="operation, recipient, country or month.")] = None,
           as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (a statistics return).")] = False) -> None:
    """Packages → investigations → searches → arrests → convictions, from the ledger."""
    with session(open_engine()) as s:
        user = actor(s)
        if as_csv:
            typer.echo(service.funnel_csv(s, user, by), nl=False)
            return
        rows = service.funnel(s, user, by)
    table = Table(title="funnel")
    for column in (by or "all", "packages", "investigations", "searches", "arrests", "convictions",
                   "arrested or convicted", "awaiting"):
        table.add_column(column)
    for r in for_terminal(rows):
        table.add_row(r.group, *(f"{getattr(r, c):,}" for c in ("packages", "investigations", "searches", "arrests",
                                                                 "convictions", "arrested_or_convicted", "awaiting")))
    console.print(table)


@packages_app.command("reminders")
def reminders() -> None:
    """Packages whose recipient has reported no outcome after `feedback_reminder_days`."""
    with session(open_engine()) as s:
        due = service.reminders(s, actor(s))
    for p in due:
        typer.echo(f"{p.package_id} to {p.recipient}, sent {p.sent_at:%Y-%m-%d}: ask for feedback")
    if not due:
        typer.echo("no package is waiting for feedback past the reminder")
