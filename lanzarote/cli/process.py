"""`process` and `triage --rerun`: run the stages over what is new, or over all history after a rules change."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from lanzarote.cli.app import actor, app, console, open_engine, progress, warn_of_audit_faults


def _run(everything: bool, as_json: bool) -> None:
    from lanzarote.service import processing, session

    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    with progress("matching, linking, routing, ranking", processing.to_process(engine, everything)) as advance:
        summary = processing.process(engine, user, everything, progress=advance)
    warn_of_audit_faults(summary.audit_faults)
    data = {"processed": summary.processed, "links": summary.links, "held_identifiers": summary.held,
            "tiers": summary.tiers, "matching_ran": summary.matching_ran}
    if as_json:
        typer.echo(json.dumps(data))
        return
    tiers = ", ".join(f"{t}: {n:,}" for t, n in sorted(summary.tiers.items()))
    console.print(f"processed {summary.processed:,} reports — {tiers or 'nothing new'}; {summary.links:,} new links; "
                  f"{summary.held:,} identifiers held from linking (see `lanzarote links held`)")
    if not summary.matching_ran:
        console.print("hash matching has not run (no hash lists installed): files are 'not matched yet', "
                      "never 'unknown material'")


@app.command()
def process(
    everything: Annotated[bool, typer.Option("--all", help="Re-run over every stored report.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Match, link, route and rank every new or changed report."""
    _run(everything, as_json)


@app.command()
def triage(
    rerun: Annotated[bool, typer.Option("--rerun", help="Re-rank all history (after a rules change).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Rank what is new; with --rerun, re-rank every report with the current rules (their version is stored)."""
    _run(rerun, as_json)
