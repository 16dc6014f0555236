"""`kb list`, `kb show`, `kb check`: the country knowledge base, and the warnings a draft request earns."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import User, session
from lanzarote.service import knowledge as service

kb_app = typer.Typer(help="The country knowledge base: channels, contact points, authorities, retention, limits.",
                     no_args_is_help=True)
app.add_typer(kb_app, name="kb")
SHORT = {"contact_point_24_7": "24/7", "mla_central_authority": "MLA", "competent_units": "units",
         "restrictions": "limits", "statistics": "stats", "procedures": "steps"}


def _user() -> User:
    with session(open_engine()) as s:
        return actor(s)


@kb_app.command("list")
def kb_list(as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False) -> None:
    """Every state, whether it replied, and how many facts each field holds (— where not stated)."""
    listing = service.countries(_user())
    if as_json:
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    rows = listing["countries"]
    table = Table(title=f"knowledge base ({len(rows)} states, version {listing['version']})")
    fields = list(service.FIELDS)
    for column in ("code", "state", "replied", *(SHORT.get(f, f) for f in fields)):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["code"], row["name"], "yes" if row["replied"] else "no",
                      *(str(row["facts"][f]) if row["facts"][f] else "—" for f in fields))
    console.print(table)


@kb_app.command("show")
def kb_show(code: Annotated[str, typer.Argument(help="The state's two-letter code, e.g. ES.")],
            as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False) -> None:
    """One state's facts, each with the quotation it rests on, its section, its source and the source's date."""
    entry = service.country(_user(), code)
    if as_json:
        typer.echo(json.dumps(entry, ensure_ascii=False, indent=2))
        return
    entry = for_terminal(entry)
    reply = entry["reply"]
    console.print(f"[bold]{entry['code']} {entry['name']}[/bold] / {entry['name_fr']}"
                  f"  (knowledge base {entry['version']})", highlight=False)
    console.print(f"replied to question 16: {'yes' if reply['replied'] else 'no'} — \"{reply['quote']}\"",
                  highlight=False)
    for name in service.FIELDS:
        facts = entry[name]
        console.print(f"\n[bold]{name.replace('_', ' ')}[/bold]", highlight=False)
        if facts == "not stated":
            console.print("  not stated", highlight=False)
            continue
        for fact in facts:
            console.print(f"  • {fact['summary']}", highlight=False)
            console.print(f"    \"{fact['quote']}\"", highlight=False)
            by = f", recorded by {fact['by']}" if fact["by"] else ""
            console.print(f"    — {fact['source_id']}, {fact['section']}, {fact['date']}{by}", highlight=False)


@kb_app.command("check")
def kb_check(
    to: Annotated[str, typer.Option("--to", help="The requested state (two letters).")],
    instrument: Annotated[str, typer.Option(help="preservation_24_7, mla, eio, production_order…")],
    event: Annotated[str, typer.Option(help="Date of the event the data is about (YYYY-MM-DD).")],
    sent: Annotated[str, typer.Option("--date", help="Date of the request (YYYY-MM-DD); today by default.")] = "",
    data: Annotated[list[str] | None, typer.Option(help="connection, traffic, subscriber or content; repeatable.")]
    = None,
    requesting: Annotated[str, typer.Option("--from", help="The requesting state (two letters).")] = "ES",
    channel: Annotated[str | None, typer.Option(help="siena, i24_7, europol, interpol_ncb, mla, direct…")] = None,
    language: Annotated[str | None, typer.Option(help="Language the request is written in (ISO 639-1).")] = None,
    authority: Annotated[str | None, typer.Option(help="The authority the request is addressed to.")] = None,
    offence: Annotated[str | None, typer.Option(help="The conduct, e.g. coercion_self_generated_content.")] = None,
) -> None:
    """The warnings a draft request earns before it is sent (exit code 1 when there is any)."""
    from pydantic import ValidationError

    from lanzarote.errors import InputRejected

    try:
        draft = service.Draft.model_validate({
            "requesting": requesting.upper(), "requested": to.upper(), "instrument": instrument,
            "data": tuple(data or ()), "event_date": date.fromisoformat(event),
            "request_date": date.fromisoformat(sent) if sent else date.today(), "channel": channel,
            "language": language, "central_authority": authority, "offence": offence})
    except (ValidationError, ValueError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InputRejected(f"the draft is not valid: {first}") from exc
    found = service.check_draft(_user(), draft)
    if not found:
        console.print("no warning from the knowledge base", highlight=False)
        return
    for w in for_terminal(found):
        console.print(f"warning ({w.rule}): {w.message}", highlight=False)
        if w.quote:
            console.print(f"  \"{w.quote}\" — {w.source}, {w.section}, {w.source_date}", highlight=False)
    raise typer.Exit(1)
