"""`synth`: synthetic reports with ground truth, for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanzarote.cli.app import app, console, progress


@app.command()
def synth(
    reports: Annotated[int, typer.Option(help="How many reports.")] = 1000,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 1,
    out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("synthetic"),
) -> None:
    """Write synthetic CyberTipline XML, fileDetails, clearing-house layers, native JSON, ground truth, a VICS list."""
    from lanzarote.synth import generate

    with progress("generating", reports) as advance:
        summary = generate(out, reports, seed, progress=advance)
    console.print(
        f"wrote {summary.reports:,} reports ({summary.files:,} XML documents, {summary.native:,} native JSON) "
        f"and a VICS list of {summary.list_entries:,} entries to {out}"
    )
