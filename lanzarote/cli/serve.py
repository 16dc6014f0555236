"""`serve`, `users add|list|disable`, `audit verify|list`: the web application, its users and its audit trail."""

from __future__ import annotations

import getpass
import secrets
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from lanzarote import config
from lanzarote.cli.app import app, console, open_engine

users_app = typer.Typer(help="Users of the web application and the API.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail of reads, changes and disclosures.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (LANZAROTE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (LANZAROTE_PORT).")] = None,
) -> None:
    """Serve the analysts' web application and the HTTP API."""
    import uvicorn

    from lanzarote.web.app import create_app

    secret = str(config.get("secret_key")) or None
    uvicorn.run(create_app(open_engine(), secret), host=host or str(config.get("host")),
                port=port or int(config.get("port")), log_level="warning")


def serve_demo() -> None:
    """What `make run` ends with: a demo administrator (password printed) and the web app serving."""
    from lanzarote.store import access
    from lanzarote.store.db import session

    password = secrets.token_urlsafe(12)
    username = f"demo-{secrets.token_hex(2)}"
    with session(open_engine()) as s:
        access.add_user(s, username, password, "administrator", access.HUB, datetime.now(UTC))
    console.print(f"web app: http://{config.get('host')}:{config.get('port')}  — user [bold]{username}[/bold], "
                  f"password [bold]{password}[/bold] (Ctrl-C stops it)")
    serve(None, None)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="analyst, supervisor, victim_identification, auditor, administrator")],
    agency: Annotated[str, typer.Option(help="The agency's country code (it sees reports routed there), or HUB.")],
    password: Annotated[str | None, typer.Option(help="Asked for when not given.")] = None,
) -> None:
    """Add a user (password hashed with Argon2)."""
    from lanzarote.store import access
    from lanzarote.store.db import session

    secret = password or getpass.getpass("password (12 characters or more): ")
    with session(open_engine()) as s:
        user = access.add_user(s, username, secret, role, agency, datetime.now(UTC))
    console.print(f"added {user.username} ({user.role}, {user.agency})")


@users_app.command("list")
def users_list() -> None:
    from lanzarote.store import access
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        rows = access.list_users(s)
    table = Table(title="users")
    for column in ("user", "role", "agency", "active"):
        table.add_column(column)
    for user, active in rows:
        table.add_row(user.username, user.role, user.agency, "yes" if active else "no")
    console.print(table)


@users_app.command("disable")
def users_disable(username: str) -> None:
    from lanzarote.store import access
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        access.disable(s, username)
    console.print(f"{username} disabled")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain: any entry edited or deleted after the fact is reported (exit code 1)."""
    from lanzarote.store import audit
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        problems = audit.verify(s)
    for problem in problems:
        console.print(f"[red]{problem}[/red]")
    if problems:
        raise typer.Exit(1)
    console.print("audit trail intact")


@audit_app.command("list")
def audit_list(actor: Annotated[str | None, typer.Option(help="Only this user.")] = None) -> None:
    from lanzarote.store import audit
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        rows = audit.entries(s, actor=actor)
    table = Table(title="audit trail (newest first)")
    for column in ("at", "actor", "action", "target", "detail"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["at"]), str(r["actor"]), str(r["action"]), str(r["target"]), str(r["detail"]))
    console.print(table)
