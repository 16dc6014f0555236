"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="lanzarote",
    help="Take in reports, match, link, route and rank them, and serve the analysts' queue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
