"""`queue`: the ranked reports, as a table for people or JSON/CSV for tools (the JSON is a contract)."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, csv_cell, for_terminal, open_engine
from lanzarote.model.queue import QueueItem
from lanzarote.service import cases as service_cases
from lanzarote.service import reports as service
from lanzarote.service import session
from lanzarote.service.reports import QueueFilter


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@app.command()
def queue(
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.TABLE,
    limit: Annotated[int | None, typer.Option(help="How many rows (default: all for json/csv, 20 for table).")] = None,
    tier: Annotated[str | None, typer.Option(help="Only this tier (P1..P4).")] = None,
    country: Annotated[str | None, typer.Option(help="Only this country (alpha-2).")] = None,
) -> None:
    """The queue (as the acting user's agency may see it): by tier, then score, then age, with reasons, country,
    authority and links; the export is audited."""
    if limit is None and fmt is Format.TABLE:
        limit = 20
    with session(open_engine()) as s:
        user = actor(s)
        items, total = service.export(s, user, QueueFilter(tier=tier, country=country.upper() if country else None),
                                      limit, fmt.value)
        expiring = service_cases.expiring_preservations(s, user, "cli")
    if expiring and fmt is Format.TABLE:  # above everything else: P1 cases' preservations ending soon
        typer.echo("P1 cases: preservation ending")
        for d in expiring:
            typer.echo(f"  case {d.case_id} {for_terminal(d.case_title)} · request {d.request_id} {d.instrument} → "
                       f"{d.to_state}: {d.label}, due {d.due:%Y-%m-%d %H:%M} UTC ({d.reading.text}) · {d.source}")
    elif expiring:
        typer.echo("\n".join(f"# P1 case {d.case_id}, request {d.request_id}: {d.label} due {d.due:%Y-%m-%d %H:%M} UTC"
                             f" ({d.source})" for d in expiring), err=True)
    if fmt is Format.JSON:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
    elif fmt is Format.CSV:
        typer.echo(to_csv(items), nl=False)
    else:
        console.print(to_table(items, total))


def to_csv(items: list[QueueItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["report_id", "source", "received_at", "tier", "score", "reasons", "country", "authority",
                     "subject", "linked_reports"])
    for i in items:
        writer.writerow([
            csv_cell(i.report_id), csv_cell(i.source), i.received_at.isoformat() if i.received_at else "", i.tier or "",
            "" if i.score is None else f"{i.score:.2f}",
            csv_cell("; ".join(f"{r.signal}: {r.text}" for r in i.reasons or ())), i.country or "",
            csv_cell(i.authority or ""), csv_cell(i.subject or ""), csv_cell(" ".join(i.linked_reports or ())),
        ])
    return out.getvalue()


def to_table(items: list[QueueItem], total: int) -> Table:
    table = Table(title=f"queue — {len(items)} of {total:,}")
    for column in ("tier", "score", "report", "received", "country", "authority", "reasons", "linked"):
        table.add_column(column, overflow="fold")
    for i in for_terminal(items):
        reasons = ", ".join(r.signal for r in i.reasons or ()) or "-"
        table.add_row(
            i.tier or "-", "-" if i.score is None else f"{i.score:.1f}", i.report_id,
            i.received_at.strftime("%Y-%m-%d %H:%M") if i.received_at else "-", i.country or "-",
            i.authority or "-", reasons, str(len(i.linked_reports or ())),
        )
    return table
