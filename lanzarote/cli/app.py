"""The Typer application every command module registers on, and what the commands share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from lanzarote.service import User

app = typer.Typer(
    name="lanzarote",
    help="Take in reports, match, link, route and rank them, and serve the analysts' queue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_acting: dict[str, str | None] = {"as": None}


@app.callback()
def _options(
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Act as this user (their role and agency); otherwise as the system actor named after you.",
    )] = None,
) -> None:
    """Take in reports, match, link, route and rank them, and serve the analysts' queue."""
    _acting["as"] = as_user


def actor(s: Session) -> User:
    """Who runs this command: the user named with `--as`, or the system actor named after the OS user. Every use
    case is called with it: need-to-know and the audit trail apply to the command line too."""
    from lanzarote.service.actors import acting_as, system_actor

    name = _acting["as"]
    return acting_as(s, name) if name else system_actor()


console = Console()
"""Tables and summaries for people (stdout)."""
status = Console(stderr=True)
"""Progress bars and notes (stderr), so `--json` output on stdout stays clean."""


def open_engine() -> Engine:
    """The configured store, migrated to the newest schema."""
    from lanzarote.service import open_store

    return open_store()


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields `advance(n)`."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=status, transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def warn_of_audit_faults(faults: list[str]) -> None:
    """After work that anchors the audit trail: say on stderr what kept it from doing so."""
    for fault in faults:
        status.print(f"warning: audit trail: {fault} (no checkpoint written; see `lanzarote audit verify`)",
                     markup=False, highlight=False)
