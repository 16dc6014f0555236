"""`serve`, `users add|list|disable|token|tokens|revoke`, `agencies add|list`, `audit verify|list`: the web
application, its agencies and users, and its audit trail."""

from __future__ import annotations

import getpass
import secrets
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from lanzarote import config
from lanzarote.cli.app import app, console, for_terminal, open_engine

users_app = typer.Typer(help="Users of the web application and the API.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail of reads, changes and disclosures.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies: national units, local authorities and the hub.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(agencies_app, name="agencies")
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (LANZAROTE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (LANZAROTE_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes (LANZAROTE_WEB_WORKERS).")] = None,
) -> None:
    """Serve the analysts' web application and the HTTP API."""
    import os

    import uvicorn

    open_engine()  # migrate once, before any worker starts
    if not config.get("secret_key"):
        # every worker must sign forms with the same key; one made up now lasts until the server stops
        os.environ["LANZAROTE_SECRET_KEY"] = secrets.token_hex(32)
    uvicorn.run("lanzarote.web.app:app_from_config", factory=True, host=host or str(config.get("host")),
                port=port or int(config.get("port")), workers=workers or int(config.get("web_workers")),
                log_level="warning", server_header=False)  # no `server: uvicorn` for a scanner to read


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
    serve(None, None, None)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="analyst, supervisor, victim_identification, auditor, administrator")],
    agency: Annotated[str, typer.Option(help="The agency's code (see `lanzarote agencies list`), e.g. DE or HUB.")],
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


@users_app.command("token")
def users_token(username: str, name: Annotated[str, typer.Option(help="The integration that will use it.")]) -> None:
    """Create an API token acting as USERNAME: shown once, stored hashed, revocable."""
    from lanzarote.store import access, audit
    from lanzarote.store.db import session

    now = datetime.now(UTC)
    with session(open_engine()) as s:
        user = next((u for u, active in access.list_users(s) if u.username == username and active), None)
        if user is None:
            raise typer.BadParameter(f"no active user {username!r}")
        token, secret_value = access.create_token(s, user, name, now)
        audit.record(s, "cli", "token_created", f"token/{token.id}", f"{username}: {name}", now)
    console.print(f"token {token.id} for {username} ({name}): [bold]{secret_value}[/bold] (shown once)")


@users_app.command("tokens")
def users_tokens(username: Annotated[str | None, typer.Argument()] = None) -> None:
    """List API tokens (never their secrets)."""
    from lanzarote.store import access
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        rows = access.tokens(s, username)
    table = Table(title="API tokens")
    for column in ("id", "user", "name", "created", "revoked"):
        table.add_column(column)
    for t in rows:
        table.add_row(str(t.id), t.username, t.name, f"{t.created_at:%Y-%m-%d %H:%M}", "yes" if t.revoked else "no")
    console.print(table)


@users_app.command("revoke")
def users_revoke(token_id: int) -> None:
    """Revoke an API token: it stops working at once."""
    from lanzarote.store import access, audit
    from lanzarote.store.db import session

    now = datetime.now(UTC)
    with session(open_engine()) as s:
        access.revoke_token(s, token_id, now)
        audit.record(s, "cli", "token_revoked", f"token/{token_id}", "", now)
    console.print(f"token {token_id} revoked")


@agencies_app.command("add")
def agencies_add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. DE, or DE-BY-LKA for a local authority.")],
    name: Annotated[str, typer.Option(help="The agency's name.")],
    kind: Annotated[str, typer.Option(help="national_unit, local_authority or hub.")] = "national_unit",
    country: Annotated[str | None, typer.Option(help="Its country (alpha-2); a hub has none.")] = None,
    authority: Annotated[str | None, typer.Option(help="A local authority's name, as the routing tables give it.")]
    = None,
) -> None:
    """Add an agency: a national unit sees what is routed to its country, a local authority what is routed to it."""
    from lanzarote.store import access
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        agency = access.add_agency(s, code, name, kind, country, authority)
    console.print(f"added {agency.code} ({agency.kind}{', ' + agency.country if agency.country else ''})")


@agencies_app.command("list")
def agencies_list() -> None:
    from lanzarote.store import access
    from lanzarote.store.db import session

    with session(open_engine()) as s:
        rows = access.list_agencies(s)
    table = Table(title="agencies")
    for column in ("code", "name", "kind", "country", "authority"):
        table.add_column(column)
    for a in rows:
        table.add_row(a.code, a.name, a.kind, a.country or "–", a.authority or "–")
    console.print(table)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain and compare it with its last signed checkpoint: any entry edited or deleted after
    the fact, the trail cut or rewritten, is reported (exit code 1); an intact trail is checkpointed again."""
    from lanzarote.pipeline import anchor

    problems = anchor.verify(open_engine())
    for problem in problems:
        console.print(problem, style="red", markup=False, highlight=False)
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
    for r in for_terminal(rows):
        table.add_row(str(r["at"]), str(r["actor"]), str(r["action"]), str(r["target"]), str(r["detail"]))
    console.print(table)
