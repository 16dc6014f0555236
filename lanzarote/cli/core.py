"""`init`, `ingest` and `schema`: set up the store and take reports in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import app, console, open_engine, progress, warn_of_audit_faults
from lanzarote.store.db import database_url


@app.command()
def init() -> None:
    """Create or upgrade the store to the newest schema; on a new store, create the first administrator."""
    import secrets
    from datetime import UTC, datetime

    from lanzarote.store import access
    from lanzarote.store.db import session

    engine = open_engine()
    console.print(f"store ready: {database_url()}")
    with session(engine) as s:
        if not access.list_users(s):
            password = secrets.token_urlsafe(12)
            access.add_user(s, "admin", password, "administrator", access.HUB, datetime.now(UTC))  # hub: made by 0004
            console.print(f"first administrator: [bold]admin[/bold], password [bold]{password}[/bold] "
                          "(shown once: keep it safe, or add another with `lanzarote users add`)")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or .zip archives of reports.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workers: Annotated[int, typer.Option(help="Reading processes; 0 = one per core.")] = 0,
) -> None:
    """Take in CyberTipline XML, fileDetails and native JSON reports; quarantine what cannot be read."""
    from lanzarote.intake.sources import count_candidates
    from lanzarote.pipeline.ingest import ingest as run_ingest

    engine = open_engine()
    with progress("ingesting", count_candidates(paths)) as advance:
        summary = run_ingest(engine, paths, progress=advance, workers=workers or None)
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
