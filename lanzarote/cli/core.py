"""`init`, `ingest` and `schema`: set up the store and take reports in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, open_engine, progress, warn_of_audit_faults
from lanzarote.service import database_url, session


@app.command()
def init(
    months_from: Annotated[str | None, typer.Option(
        "--months-from", help="PostgreSQL: make the monthly partitions of reports and the audit trail from this "
        "month (YYYY-MM) on, before a backfill of older reports.")] = None,
) -> None:
    """Create or upgrade the store to the newest schema; on a new store, create the first administrator."""
    import secrets
    from datetime import UTC, datetime

    from lanzarote.service import maintenance, people

    engine = open_engine()
    console.print(f"store ready: {database_url()}")
    if months_from:
        made = maintenance.make_months(engine, months_from, datetime.now(UTC))
        console.print(f"partitions made: {', '.join(made)}" if made else
                      "partitions: none to make (they exist, or the store is SQLite, which has none)")
    with session(engine) as s:
        password = secrets.token_urlsafe(12)
        if people.first_administrator(s, password) is not None:  # of the hub, which 0004 made
            console.print(f"first administrator: [bold]admin[/bold], password [bold]{password}[/bold] "
                          "(shown once: keep it safe, or add another with `lanzarote users add`)")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or .zip archives of reports.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workers: Annotated[int, typer.Option(help="Reading processes; 0 = one per core.")] = 0,
) -> None:
    """Take in CyberTipline XML, fileDetails and native JSON reports; quarantine what cannot be read. As the system
    actor this is every channel's configured intake; with `--as` it is bound like an upload by that user."""
    from lanzarote.intake.sources import count_candidates
    from lanzarote.service import intake

    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    with progress("ingesting", count_candidates(paths)) as advance:
        summary = intake.ingest_paths(engine, user, paths, advance, workers or None)
    warn_of_audit_faults(summary.audit_faults)
    data = summary.as_dict()
    if as_json:
        typer.echo(json.dumps(data))
        return
    table = Table(title="ingest summary", show_header=False)
    labels = {
        "documents": "documents read",
        "new": "new reports",
        "unchanged": "unchanged (already stored)",
        "new_versions": "new versions of stored reports",
        "quarantined": "quarantined (see `lanzarote quarantine list`)",
        "files": "file details attached or updated",
        "files_unchanged": "file details unchanged",
        "layers": "clearing-house layers",
    }
    for key, label in labels.items():
        table.add_row(label, f"{data[key]:,}")
    console.print(table)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of printing.")] = None,
) -> None:
    """The JSON Schema of the native report format (what non-provider origins send)."""
    from lanzarote.intake.native import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        console.print(f"wrote {out}")
