"""`cases`, `requests` and `deadlines`: cases and their legal requests, and what is due, from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import cases as service
from lanzarote.service import session

cases_app = typer.Typer(help="Cases: open, show, move on, agencies, reports, tasks.", no_args_is_help=True)
requests_app = typer.Typer(help="Legal requests on their clocks: instruments, send, record a step.",
                           no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(requests_app, name="requests")


@cases_app.command("open")
def open_case(title: Annotated[str, typer.Option(help="What the case is about.")] = "",
              report: Annotated[list[str] | None, typer.Option(help="A report to attach (repeatable).")] = None,
              from_report: Annotated[str | None, typer.Option(help="Open in one action from this report.")] = None,
              ) -> None:
    """Open a case owned by the acting user's agency (a P1 report gives it a "today" clock)."""
    with session(open_engine()) as s:
        c = (service.open_from_report(s, actor(s), from_report) if from_report
             else service.open_case(s, actor(s), title, report or []))
    today = f" — act today (before {c.today_due:%Y-%m-%d %H:%M} UTC)" if c.today_due else ""
    typer.echo(f"case {c.id} opened: {for_terminal(c.title)}{today}")


@cases_app.command("list")
def list_cases() -> None:
    """The cases the acting user's agency owns or takes part in."""
    with session(open_engine()) as s:
        found = service.cases(s, actor(s), "cli")
    table = Table("case", "title", "owner", "state")
    for c in found:
        table.add_row(str(c.id), for_terminal(c.title), c.owner_agency, c.state.label)
    console.print(table)


@cases_app.command("show")
def show(case_id: int, as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """A case with its timeline, tasks and requests."""
    from lanzarote.api.cases import case_json  # the API's JSON shape, one definition

    with session(open_engine()) as s:
        file = service.case(s, actor(s), case_id, "cli")
    if as_json:
        typer.echo(json.dumps(case_json(file), ensure_ascii=False))
        return
    c = file.case
    typer.echo(f"case {c.id}: {for_terminal(c.title)} — {c.state.label} since {c.state_on}, owned by "
               f"{c.owner_agency}, lead {c.lead}" + (f", with {', '.join(c.participants)}" if c.participants else ""))
    for r in file.requests:
        clocks = "; ".join(f"{k.label} {k.due_at:%Y-%m-%d %H:%M} UTC" if k.due_at else k.label
                           for k in r.request.running)
        typer.echo(f"  request {r.id} {r.request.instrument} to {r.request.to_state}: {r.request.state}"
                   + (f" [{clocks}]" if clocks else "") + (" URGENT" if r.request.urgent else ""))
    for e in file.timeline:
        typer.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {for_terminal(e.text)}")


@cases_app.command("move")
def move(case_id: int, state: str, on: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD).")] = None) -> None:
    """Move a case on: under_investigation, searched, arrested, charged, convicted, or closed_nfa."""
    with session(open_engine()) as s:
        c = service.move(s, actor(s), case_id, state, date.fromisoformat(on) if on else None)
    typer.echo(f"case {c.id}: {c.state.label} on {c.state_on}")


@cases_app.command("add")
def add(case_id: int, agency: Annotated[str | None, typer.Option(help="A participating agency.")] = None,
        report: Annotated[str | None, typer.Option(help="A report to attach.")] = None,
        subject: Annotated[str | None, typer.Option(help="A subject to attach.")] = None) -> None:
    """Add a participating agency, a report or a subject to a case."""
    with session(open_engine()) as s:
        user = actor(s)
        if agency:
            service.add_agency(s, user, case_id, agency)
        if report:
            service.attach_report(s, user, case_id, report)
        if subject:
            service.attach_subject(s, user, case_id, subject)
    typer.echo(f"case {case_id} updated")


@cases_app.command("task")
def task(case_id: int, title: str, owner: Annotated[str, typer.Option()], due: Annotated[str, typer.Option()],
         request: Annotated[int | None, typer.Option(help="The request whose clock it serves.")] = None,
         clock: Annotated[str | None, typer.Option(help="That request's clock.")] = None) -> None:
    """A task with an owner and a due date (YYYY-MM-DD), perhaps pointing at a request's clock."""
    with session(open_engine()) as s:
        task_id = service.add_task(s, actor(s), case_id, title, owner, date.fromisoformat(due), request, clock)
    typer.echo(f"task {task_id} added to case {case_id}")


@requests_app.command("instruments")
def instruments() -> None:
    """The instruments a request may be sent under, with their clocks and sources."""
    for inst in service.catalogue():
        typer.echo(f"{inst.id}: {inst.name} ({inst.source})")
        for name, clock in inst.clocks.items():
            length = f"{clock.length} {clock.unit}" if clock.length else "no deadline"
            typer.echo(f"    {name}: {clock.label}, {length} — {clock.source.document}, {clock.source.article}")


@requests_app.command("send")
def send(case_id: int, instrument: str, to_state: str,
         about: Annotated[str, typer.Option(help="What is asked for.")]) -> None:
    """Send a request about a case to a state; its warnings are shown and its clocks start."""
    with session(open_engine()) as s:
        sent, warnings = service.send_request(s, actor(s), case_id, instrument, to_state, about)
    for w in warnings:
        typer.echo(f"warning: {for_terminal(w)}")
    _print_request(sent)


@requests_app.command("step")
def step(request_id: int, name: str) -> None:
    """Record what happened to a request (e.g. acknowledge, preserved, not_possible)."""
    with session(open_engine()) as s:
        after = service.record_step(s, actor(s), request_id, name)
    _print_request(after)


def _print_request(r: service.StoredRequest) -> None:
    q = r.request
    typer.echo(f"request {r.id} ({q.instrument} to {q.to_state}): {q.state}"
               + (f" — urgent: {q.urgent_reason}" if q.urgent else ""))
    if q.steps[-1].notice:
        typer.echo(f"  {q.steps[-1].notice}")
    for c in q.running:
        typer.echo(f"  {c.label}: " + (f"{c.due_at:%Y-%m-%d %H:%M} UTC" if c.due_at else "no deadline (chase)"))


@app.command()
def deadlines(agency: Annotated[str | None, typer.Option(help="Only cases this agency owns.")] = None,
              case: Annotated[int | None, typer.Option(help="Only this case.")] = None,
              as_json: Annotated[bool, typer.Option("--json", help="The JSON feed.")] = False,
              ical: Annotated[Path | None, typer.Option(help="Write an iCalendar file here.")] = None,
              limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows of each bucket.")] = service.PAGE,
              offset: Annotated[int, typer.Option(min=0, help="Rows of each bucket skipped.")] = 0) -> None:
    """What is overdue, due today, due this week, and to chase, in the cases the acting agency sees (a page of
    each, with how many there are)."""
    with session(open_engine()) as s:
        found = service.deadlines(s, actor(s), "cli", agency=agency, case_id=case, limit=limit, offset=offset)
    if ical:
        ical.write_bytes(service.as_ical(found))
    if as_json:
        typer.echo(json.dumps(service.deadlines_json(found), ensure_ascii=False))
        return
    table = Table("when", "case", "request", "clock", "due", "state")
    for bucket in ("overdue", "today", "week", "chase"):
        for d in getattr(found, bucket):
            table.add_row(bucket, f"{d.case_id} {for_terminal(d.case_title)}",
                          f"{d.request_id} {d.instrument} {d.to_state}" if d.request_id else "-",
                          d.label, f"{d.due:%Y-%m-%d %H:%M}" if d.due else "-", d.reading.text)
    console.print(table)
    typer.echo("in all: " + ", ".join(f"{n} {name}" for name, n in found.counts.items())
               + (f" (rows {offset + 1}–{offset + limit} of each shown; --offset for more)" if found.more else ""))
