"""`priors import` and `links held`: the unit's earlier cases, and identifiers that stopped linking."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, open_engine
from lanzarote.service import links, session

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
    from lanzarote.service import processing

    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    n = processing.install_priors(engine, user, path)
    console.print(f"{n:,} prior identifiers installed; run `lanzarote process --all` to apply them")


@links_app.command("held")
def links_held() -> None:
    """Identifiers that stopped linking (shared addresses, placeholders, widely shared content), for review."""
    with session(open_engine()) as s:
        rows = links.held(s, actor(s))
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
    from lanzarote.service import processing

    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    with progress("reading people", processing.to_process(engine, everything=True)) as advance:
        new = processing.suggest(engine, user, progress=advance)
    console.print(f"{new:,} new suggestions (see `lanzarote suggestions list`)")


@suggestions_app.command("list")
def suggestions_list(
    include_decided: Annotated[bool, typer.Option("--all", help="Include confirmed and rejected ones.")] = False,
) -> None:
    """Open suggestions, most probable first, with the evidence (both of whose reports the acting user may see)."""
    from lanzarote.model.linking import SuggestionStatus

    with session(open_engine()) as s:
        rows = links.suggestions(s, actor(s), None if include_decided else SuggestionStatus.OPEN, LISTED, None, "cli")
    table = Table(title=f"suggestions ({len(rows)})")
    for column in ("report", "report", "probability", "status", "evidence"):
        table.add_column(column, overflow="fold")
    for x in rows:
        table.add_row(x.report_a, x.report_b, f"{x.probability:.3f}", x.status.value, "; ".join(x.evidence))
    console.print(table)


LISTED = 10_000
"""At most this many suggestions listed at once."""


def _decide(report_a: str, report_b: str, confirm: bool) -> None:
    with session(open_engine()) as s:
        decision = links.decide(s, actor(s), report_a, report_b, confirm)
    console.print(f"{decision.report_a} — {decision.report_b}: {decision.status.value}"
                  + (" (subjects merged; run `lanzarote process` to re-rank)" if confirm else ""))


@suggestions_app.command("confirm")
def suggestions_confirm(report_a: str, report_b: str) -> None:
    """The two reports' people are the same: link them (their subjects merge); the acting user decides."""
    _decide(report_a, report_b, True)


@suggestions_app.command("reject")
def suggestions_reject(report_a: str, report_b: str) -> None:
    """They are not the same: never suggest this pair again; the acting user decides."""
    _decide(report_a, report_b, False)
