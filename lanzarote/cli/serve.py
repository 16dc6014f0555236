"""`serve`, `users add|list|disable|password|reset-password|token|tokens|revoke|reset-factor`, `agencies
add|list|source`, `audit verify|list`: the web application, its agencies and users, and its audit trail."""

from __future__ import annotations

import getpass
import secrets
from typing import Annotated

import typer
from rich.table import Table

from lanzarote import config
from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import logins, passwords, people, session

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
    import uvicorn

    open_engine()  # migrate once, before any worker starts
    config.secret_key()  # made now if missing, so every worker reads the same one
    uvicorn.run("lanzarote.web.app:app_from_config", factory=True, host=host or str(config.get("host")),
                port=port or int(config.get("port")), workers=workers or int(config.get("web_workers")),
                log_level="warning", server_header=False,  # no `server: uvicorn` for a scanner to read
                proxy_headers=False)  # uvicorn would trust X-Forwarded-For from 127.0.0.1: LANZAROTE_TRUSTED_PROXIES


def serve_demo() -> None:
    """What `make run` ends with: a demo administrator (password printed) and the web app serving."""
    password = secrets.token_urlsafe(12)
    username = f"demo-{secrets.token_hex(2)}"
    with session(open_engine()) as s:
        people.demo_administrator(s, username, password)
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
    """Add a user (password hashed with Argon2); an agency's administrator (`--as`) adds to their agency only."""
    secret = password or getpass.getpass("password (12 characters or more): ")
    with session(open_engine()) as s:
        user = people.add_user(s, actor(s), username, secret, role, agency)
    console.print(f"added {user.username} ({user.role}, {user.agency})")


@users_app.command("list")
def users_list() -> None:
    """The users the acting administrator manages."""
    with session(open_engine()) as s:
        rows = people.users(s, actor(s))
    table = Table(title="users")
    for column in ("user", "role", "agency", "active"):
        table.add_column(column)
    for user, active in rows:
        table.add_row(user.username, user.role, user.agency, "yes" if active else "no")
    console.print(table)


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    with session(open_engine()) as s:
        people.disable_user(s, actor(s), username)
    console.print(f"{username} disabled")


@users_app.command("password")
def users_password() -> None:
    """Change your own password (name yourself with `--as`): the current one is asked first; every session and API
    token of yours ends."""
    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    current = typer.prompt("current password", hide_input=True)
    new = typer.prompt("new password (12 characters or more)", hide_input=True, confirmation_prompt=True)
    ended, revoked = passwords.change_password(engine, user, current, new)
    console.print(f"{user.username}'s password changed: {ended} session(s) ended, {revoked} API token(s) revoked")


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """Give a user a temporary password (shown once) they must change at their next login; their sessions and API
    tokens end at once. An agency's administrator (`--as`) resets their agency's users only."""
    with session(open_engine()) as s:
        temporary = passwords.reset_password(s, actor(s), username)
    console.print(f"{username}'s temporary password: [bold]{temporary}[/bold] (shown once; to be changed at the next "
                  "login)", highlight=False)


@users_app.command("token")
def users_token(username: str, name: Annotated[str, typer.Option(help="The integration that will use it.")]) -> None:
    """Create an API token acting as USERNAME: shown once, stored hashed, revocable."""
    with session(open_engine()) as s:
        token, secret_value = people.create_token(s, actor(s), name, for_user=username)
    console.print(f"token {token.id} for {username} ({name}): [bold]{secret_value}[/bold] (shown once)")


@users_app.command("tokens")
def users_tokens(username: Annotated[str | None, typer.Argument()] = None) -> None:
    """List API tokens (never their secrets)."""
    with session(open_engine()) as s:
        rows = people.tokens(s, actor(s), username)
    table = Table(title="API tokens")
    for column in ("id", "user", "name", "created", "expires", "revoked"):
        table.add_column(column)
    for t in rows:
        table.add_row(str(t.id), t.username, t.name, f"{t.created_at:%Y-%m-%d %H:%M}",
                      f"{t.expires_at:%Y-%m-%d %H:%M}", "yes" if t.revoked else "no")
    console.print(table)


@users_app.command("reset-factor")
def users_reset_factor(username: str) -> None:
    """Take away a user's second factor (a lost phone): they enrol a new one at their next login."""
    with session(open_engine()) as s:
        logins.reset_second_factor(s, actor(s), username)
    console.print(f"{username}'s second factor removed: they enrol a new one at their next login")


@users_app.command("revoke")
def users_revoke(token_id: int) -> None:
    """Revoke an API token: it stops working at once."""
    with session(open_engine()) as s:
        people.revoke_token(s, actor(s), token_id)
    console.print(f"token {token_id} revoked")


@agencies_app.command("add")
def agencies_add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. DE, or DE-BY-LKA for a local authority.")],
    name: Annotated[str, typer.Option(help="The agency's name.")],
    kind: Annotated[str, typer.Option(help="national_unit, local_authority or hub.")] = "national_unit",
    country: Annotated[str | None, typer.Option(help="Its country (alpha-2); a hub has none.")] = None,
    authority: Annotated[str | None, typer.Option(help="A local authority's name, as the routing tables give it.")]
    = None,
    contact: Annotated[str | None, typer.Option(help="How other agencies reach it (a desk's mailbox or phone).")]
    = None,
) -> None:
    """Add an agency: a national unit sees what is routed to its country, a local authority what is routed to it."""
    with session(open_engine()) as s:
        agency = people.add_agency(s, actor(s), code, name, kind, country, authority, contact)
    console.print(f"added {agency.code} ({agency.kind}{', ' + agency.country if agency.country else ''})")


@agencies_app.command("list")
def agencies_list() -> None:
    """The agencies, with their contacts and the sources each may send."""
    with session(open_engine()) as s:
        rows = [(a, people.sources(s, a.code)) for a in people.agencies(s, actor(s))]
    table = Table(title="agencies")
    for column in ("code", "name", "kind", "country", "authority", "contact", "sources"):
        table.add_column(column)
    for a, sources in rows:
        table.add_row(a.code, a.name, a.kind, a.country or "–", a.authority or "–", a.contact or "–",
                      ", ".join(sorted(sources)) or "–")
    console.print(table)


@agencies_app.command("source")
def agencies_source(
    code: Annotated[str, typer.Argument(help="The agency's code.")],
    source: Annotated[str, typer.Argument(help="The source its uploads may create reports of, e.g. citizen-fr.")],
) -> None:
    """Let an agency send reports of SOURCE over the API (a source belongs to one agency)."""
    with session(open_engine()) as s:
        people.grant_source(s, actor(s), source, code)
    console.print(f"{code.upper()} may send reports of {source!r}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain and compare it with its last signed checkpoint: any entry edited or deleted after
    the fact, the trail cut or rewritten, is reported (exit code 1); an intact trail is checkpointed again."""
    with session(open_engine()) as s:
        problems = people.audit_verify(s, actor(s))
    for problem in problems:
        console.print(problem, style="red", markup=False, highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print("audit trail intact")


@audit_app.command("list")
def audit_list(by: Annotated[str | None, typer.Option("--actor", help="Only this user.")] = None) -> None:
    """The audit trail, newest first (an agency's auditor, `--as`, sees their agency's users' entries)."""
    with session(open_engine()) as s:
        rows = people.audit_search(s, actor(s), by, None, None)
    table = Table(title="audit trail (newest first)")
    for column in ("at", "actor", "action", "target", "detail"):
        table.add_column(column)
    for r in for_terminal(rows):
        table.add_row(str(r["at"]), str(r["actor"]), str(r["action"]), str(r["target"]), str(r["detail"]))
    console.print(table)
