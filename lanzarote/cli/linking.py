"""`priors import` and `links held`: the unit's earlier cases, and identifiers that stopped linking."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import app, console, open_engine

priors_app = typer.Typer(help="Prior records: the unit's earlier cases and subjects (signal T8).", no_args_is_help=True)
links_app = typer.Typer(help="Links between reports.", no_args_is_help=True)
app.add_typer(priors_app, name="priors")
app.add_typer(links_app, name="links")


@priors_app.command("import")
def priors_import(
    path: Annotated[Path, typer.Argument(help="CSV or JSON with case_reference, offence, identifier_kind, "
                                               "identifier_value")],
) -> None:
    """Install prior records (replacing the previous file); `process --all` applies them to history."""
    from lanzarote.linking.priors import PriorRecords
    from lanzarote.pipeline.process import priors_path

    records = PriorRecords.load(path)
    target = priors_path().with_suffix(path.suffix.lower() if path.suffix.lower() == ".json" else ".csv")
    for old in (priors_path(), priors_path().with_suffix(".json")):
        old.unlink(missing_ok=True)
    shutil.copyfile(path, target)
    console.print(f"{len(records):,} prior identifiers installed; run `lanzarote process --all` to apply them")


@links_app.command("held")
def links_held() -> None:
    """Identifiers that stopped linking (shared addresses, placeholders, widely shared content), for review."""
    from lanzarote.store import state
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        rows = state.held(s)
    table = Table(title=f"identifiers held from linking ({len(rows)})")
    for column in ("kind", "value", "reports", "why"):
        table.add_column(column, overflow="fold")
    for kind, value, reason, reports in rows:
        table.add_row(kind, value, str(reports), reason)
    console.print(table)
