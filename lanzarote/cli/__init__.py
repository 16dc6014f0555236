"""The command line: thin commands over the pipeline, stages and store.

Each topic lives in its own module and registers its commands on `app`. User mistakes (`LanzaroteError`) become
one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from lanzarote.cli.app import app
from lanzarote.errors import LanzaroteError

# Every module of this package except `app` registers its commands on import: adding a topic is adding a file.
COMMAND_MODULES: tuple[str, ...] = tuple(
    sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "app" and not m.name.startswith("_"))
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"lanzarote.cli.{_name}")


def main() -> None:
    try:
        # without standalone mode click does not exit: a command's `typer.Exit(n)` comes back as the return value
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except LanzaroteError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except _CLICK_ERRORS as exc:  # usage errors arrive here in non-standalone mode
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]


def _click_errors() -> tuple[type[Exception], ...]:
    """Click's usage errors: click's own, and those of the copy of click newer Typer releases carry (`typer._click`),
    which are not click's: catching only click's let a mistyped option end in a traceback."""
    import click

    found: list[type[Exception]] = [click.ClickException]
    try:
        vendored = importlib.import_module("typer._click.exceptions")
    except ImportError:
        return tuple(found)
    return (*found, vendored.ClickException)


_CLICK_ERRORS = _click_errors()


__all__ = ["app", "main"]
