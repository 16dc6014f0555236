"""`demo`: what `make run` shows — a small synthetic set generated, taken in, processed and queued."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lanzarote.cli.app import actor, app, console, open_engine, progress

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from lanzarote.service import User


@app.command()
def demo(
    reports: Annotated[int, typer.Option(help="How many synthetic reports.")] = 400,
    out: Annotated[Path, typer.Option(help="Where the synthetic set is written.")] = Path("demo-data"),
    serve: Annotated[bool, typer.Option(help="Serve the web app afterwards.")] = True,
) -> None:
    """Generate a small synthetic set, ingest and process it, and show the head of the queue."""
    from lanzarote.cli.queue import to_table
    from lanzarote.service import database_url, intake, session
    from lanzarote.service import reports as service
    from lanzarote.service.reports import QueueFilter
    from lanzarote.synth import generate

    engine = open_engine()
    console.rule("Lanzarote demo — synthetic data only")
    if not (out / "ground-truth.jsonl").exists():
        with progress("generating synthetic reports", reports) as advance:
            generate(out, reports, seed=1, progress=advance)
    inputs = [p for p in (out / "ncmec", out / "ncmec-layers.jsonl", out / "other") if p.exists()]
    with session(engine) as s:
        user = actor(s)
    with progress("ingesting", None) as advance:
        summary = intake.ingest_paths(engine, user, inputs, advance, None)
    counts = summary.as_dict()
    console.print(f"ingest: {counts['new']} new, {counts['unchanged']} unchanged, {counts['new_versions']} new "
                  f"versions, {counts['quarantined']} quarantined, {counts['files']} file details attached")
    _process(engine, out, user)
    with session(engine) as s:
        items, total = service.export(s, user, QueueFilter(), 15, "table")
    console.print(to_table(items, total))
    console.print(f"store: {database_url()} — try `lanzarote reports show {items[0].report_id if items else 'ID'}`")
    if serve:
        _serve()


def _process(engine: Engine, out: Path, user: User) -> None:
    """Install the set's hash list and prior records, then match, link, route and rank what was taken in."""
    from lanzarote.service import processing

    processing.prepare_demo(engine, out)
    with progress("matching, linking, routing, ranking", None) as advance:
        summary = processing.process(engine, user, False, progress=advance)
    v = summary.verdicts
    console.print(f"files: {v.get('known', 0)} known ({v.get('victim_identified', 0)} victim identified), "
                  f"{v.get('near_known', 0)} near-known, {v.get('unknown', 0)} unknown, "
                  f"{v.get('not_matched', 0)} not matched")


def _serve() -> None:
    from lanzarote.cli.serve import serve_demo

    serve_demo()
