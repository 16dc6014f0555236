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

suggestions_app = typer.Typer(help="Possible links from weak evidence, for an analyst to confirm or reject.",
                              no_args_is_help=True)
app.add_typer(suggestions_app, name="suggestions")


@suggestions_app.command("run")
def suggestions_run() -> None:
    """Compare the people of all stored reports (Splink, trained without labels) and store new suggestions."""
    from lanzarote.cli.app import progress
    from lanzarote.pipeline.suggestions import run
    from lanzarote.store import state
    from lanzarote.store.db import session

    engine = open_engine()
    with session(engine) as s:
        total = state.count_all(s)
    with progress("reading people", total) as advance:
        new = run(engine, progress=advance)
    console.print(f"{new:,} new suggestions (see `lanzarote suggestions list`)")


@suggestions_app.command("list")
def suggestions_list(
    include_decided: Annotated[bool, typer.Option("--all", help="Include confirmed and rejected ones.")] = False,
) -> None:
    """Open suggestions, most probable first, with the evidence."""
    from lanzarote.model.linking import SuggestionStatus
    from lanzarote.store import state
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        rows = state.suggestions(s, None if include_decided else SuggestionStatus.OPEN)
    table = Table(title=f"suggestions ({len(rows)})")
    for column in ("report", "report", "probability", "status", "evidence"):
        table.add_column(column, overflow="fold")
    for x in rows:
        table.add_row(x.report_a, x.report_b, f"{x.probability:.3f}", x.status.value, "; ".join(x.evidence))
    console.print(table)


def _decide(report_a: str, report_b: str, confirm: bool, by: str) -> None:
    from lanzarote.model.linking import SuggestionStatus
    from lanzarote.pipeline.suggestions import decide

    status = SuggestionStatus.CONFIRMED if confirm else SuggestionStatus.REJECTED
    decision = decide(open_engine(), report_a, report_b, status, by)
    console.print(f"{decision.report_a} — {decision.report_b}: {status.value}"
                  + (" (subjects merged; run `lanzarote process` to re-rank)" if confirm else ""))


@suggestions_app.command("confirm")
def suggestions_confirm(report_a: str, report_b: str,
                        by: Annotated[str, typer.Option(help="Who decides (kept with the decision).")] = "analyst",
                        ) -> None:
    """The two reports' people are the same: link them (their subjects merge)."""
    _decide(report_a, report_b, True, by)


@suggestions_app.command("reject")
def suggestions_reject(report_a: str, report_b: str,
                       by: Annotated[str, typer.Option(help="Who decides (kept with the decision).")] = "analyst",
                       ) -> None:
    """They are not the same: never suggest this pair again."""
    _decide(report_a, report_b, False, by)
