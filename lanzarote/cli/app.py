"""The Typer application every command module registers on, and what the commands share."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
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


_CONTROL = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])?"  # CSI, OSC, two-character
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other C0 and C1 controls
)
"""Terminal escape sequences (CSI, OSC, single-character) and the control characters that move the cursor or
rewrite a line (a tab and a newline are kept)."""
T = TypeVar("T")


def terminal_text(text: str) -> str:
    """Text from a report, safe to print: no escape sequence reaches the terminal, no Rich markup is obeyed."""
    return escape(_CONTROL.sub("", text))


def for_terminal(value: T) -> T:
    """`value` (a record, a dataclass of them, a list…) with every text in it made safe to print. Reports are
    untrusted input: a field could clear the screen, recolour a warning, or forge a line of the output."""
    cleaned: Any
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        cleaned = terminal_text(value)
    elif isinstance(value, BaseModel):
        cleaned = value.model_construct(**{k: for_terminal(v) for k, v in value.__dict__.items()})
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        cleaned = dataclasses.replace(value, **{f.name: for_terminal(getattr(value, f.name))
                                                for f in dataclasses.fields(value) if f.init})
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        cleaned = type(value)(*(for_terminal(v) for v in value))
    elif isinstance(value, list | tuple):
        cleaned = type(value)(for_terminal(v) for v in value)
    elif isinstance(value, dict):
        cleaned = {for_terminal(k): for_terminal(v) for k, v in value.items()}
    else:
        return value
    return cleaned  # type: ignore[no-any-return]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet will not run: one that starts like a formula is kept as text (a leading ')."""
    return f"'{text}" if text.startswith(FORMULA_START) else text
