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
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        from click import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


__all__ = ["app", "main"]
