"""`operations`: operations, their targets, the action day and its board, meetings, JITs, from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanzarote.cli.app import actor, app, console, for_terminal, open_engine
from lanzarote.service import operations as service
from lanzarote.service import session

ops_app = typer.Typer(help="Operations: meetings, targets and who arrests them, action days that reconcile, JITs.",
                      no_args_is_help=True)
app.add_typer(ops_app, name="operations")
Many = Annotated[list[str] | None, typer.Option()]


@ops_app.command("create")
def create(name: str, description: Annotated[str, typer.Option(help="What it is about.")] = "") -> None:
    """Create an operation coordinated by the acting user's agency."""
    with session(open_engine()) as s:
        op = service.create(s, actor(s), name, description)
    typer.echo(f"operation {op.id} created: {for_terminal(op.name)}, coordinated by {op.coordinator}")


@ops_app.command("list")
def list_operations() -> None:
    """The operations the acting user's agency coordinates or takes part in."""
    with session(open_engine()) as s:
        found = service.listing(s, actor(s), "cli")
    table = Table("operation", "name", "coordinator", "action day", "state")
    for o in found:
        table.add_row(str(o.id), for_terminal(o.name), o.coordinator, f"{o.day_on or '-'}", o.day_state.value)
    console.print(table)


@ops_app.command("show")
def show(op_id: int, state: Annotated[str | None, typer.Option(help="Only this state's targets.")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """An operation: agencies, targets the acting agency may see, disputes, meetings, JITs and the board."""
    from lanzarote.api.operations import operation_json  # the API's JSON shape, one definition

    with session(open_engine()) as s:
        view = service.operation(s, actor(s), op_id, "cli", state)
    if as_json:
        typer.echo(json.dumps(operation_json(view), ensure_ascii=False))
        return
    op = view.operation
    typer.echo(f"operation {op.id}: {for_terminal(op.name)} — coordinated by {op.coordinator}; action day "
               f"{op.day_on or 'not set'} ({op.day_state.value})")
    typer.echo("  agencies: " + ", ".join(f"{p.agency} ({p.role.value})" for p in op.participants))
    for t in view.targets:
        typer.echo(f"  target {t.id} {for_terminal(t.label)} in {t.country}: arrested by {t.arresting_state or '-'}"
                   + (" DISPUTED" if t.open_disputes else ""))
    for d, label in view.disputes:
        typer.echo(f"  dispute {d.id}: {d.claimant} claims {for_terminal(label)} held by {d.holder or '-'}")
    _print_board(view.board)


def _print_board(b: service.Board) -> None:
    f = b.totals.figures
    typer.echo(f"  totals: {f['arrests']} arrests of {b.targets} targets by {b.totals.states} states, "
               f"{f['officers']} officers, {f['searches']} searches, {f['devices_seized']} devices, "
               f"{f['victims_safeguarded']} victims safeguarded — " + ("reconciled" if b.balanced else "DIFFERENCES"))
    for h in b.hhours:
        typer.echo(f"  H-hour {h.country}: {h.text}")
    for d in b.differences:
        typer.echo(f"  difference: {for_terminal(d)}")


@ops_app.command("agency")
def agency(op_id: int, code: str, role: Annotated[str, typer.Option(help="participant or observer")] = "participant",
           ) -> None:
    """Let an agency take part in (or observe) the operation."""
    with session(open_engine()) as s:
        service.add_agency(s, actor(s), op_id, code, role)
    typer.echo(f"operation {op_id}: {code.upper()} as {role}")


@ops_app.command("link")
def link(op_id: int, case: Annotated[int | None, typer.Option(help="A case.")] = None,
         package: Annotated[str | None, typer.Option(help="A package id.")] = None) -> None:
    """Bring a case or a package into the operation."""
    with session(open_engine()) as s:
        user = actor(s)
        if case:
            service.link_case(s, user, op_id, case)
        if package:
            service.link_package(s, user, op_id, package)
    typer.echo(f"operation {op_id} updated")


@ops_app.command("target")
def target(op_id: int, country: str, label: str,
           arresting: Annotated[str | None, typer.Option(help="The state that arrests the target.")] = None,
           shared: Many = None) -> None:
    """A target in a state (a reference label, never a victim's detail)."""
    with session(open_engine()) as s:
        t = service.add_target(s, actor(s), op_id, country, label, arresting, shared or [])
    typer.echo(f"target {t.id} {for_terminal(t.label)} in {t.country}, arrested by {t.arresting_state or '-'}")


@ops_app.command("arresting")
def arresting(op_id: int, target_id: int, state: str,
              reason: Annotated[str, typer.Option(help="Why (kept with a dispute).")] = "") -> None:
    """Name the one state that arrests a target; a second state is refused and kept as a dispute."""
    with session(open_engine()) as s:
        t = service.set_arresting_state(s, actor(s), op_id, target_id, state, reason)
    typer.echo(f"target {t.id}: arrested by {t.arresting_state}")


@ops_app.command("resolve")
def resolve(op_id: int, dispute_id: int, state: str, why: Annotated[str, typer.Option()] = "") -> None:
    """Settle a dispute (the coordinator): the state that arrests the target."""
    with session(open_engine()) as s:
        t = service.resolve_dispute(s, actor(s), op_id, dispute_id, state, why)
    typer.echo(f"target {t.id}: arrested by {t.arresting_state}")


@ops_app.command("day")
def day(op_id: int, on: str, hhour: Annotated[str, typer.Option(help="Default H-hour, local time.")] = "06:00",
        ) -> None:
    """Set the action day (YYYY-MM-DD) and the H-hour states get unless they set their own."""
    with session(open_engine()) as s:
        op = service.plan_day(s, actor(s), op_id, date.fromisoformat(on), hhour)
    typer.echo(f"operation {op.id}: action day {op.day_on}, H-hour {op.default_hhour:%H:%M} local")


@ops_app.command("plan")
def plan(op_id: int, country: str, hhour: Annotated[str | None, typer.Option(help="Local time.")] = None,
         zone: Annotated[str | None, typer.Option(help="IANA time zone (default: the state's).")] = None,
         officers: int = 0, searches: int = 0) -> None:
    """A state's part of the day: H-hour in its zone, officers and searches planned."""
    with session(open_engine()) as s:
        p = service.plan_country(s, actor(s), op_id, country, hhour, zone, officers, searches)
    typer.echo(f"{p.country}: H-hour {p.hhour:%H:%M} {p.zone}, {p.officers} officers, {p.searches} searches")


@ops_app.command("freeze")
def freeze(op_id: int) -> None:
    """Freeze the day (refused while a target lacks its one arresting state or a dispute is open)."""
    with session(open_engine()) as s:
        op = service.freeze(s, actor(s), op_id)
    typer.echo(f"operation {op.id}: action day {op.day_state.value}")


@ops_app.command("close")
def close(op_id: int) -> None:
    """Close the day: results recorded afterwards are late (new versions)."""
    with session(open_engine()) as s:
        op = service.close_day(s, actor(s), op_id)
    typer.echo(f"operation {op.id}: action day {op.day_state.value}")


@ops_app.command("result")
def result(op_id: int, country: str, arrests: int = 0, searches: int = 0, devices_seized: int = 0,
           victims_safeguarded: int = 0, officers: int = 0, note: str = "") -> None:
    """A state's results on the day (each a new version)."""
    with session(open_engine()) as s:
        r = service.record_result(s, actor(s), op_id, country, {
            "arrests": arrests, "searches": searches, "devices_seized": devices_seized,
            "victims_safeguarded": victims_safeguarded, "officers": officers}, note)
    typer.echo(f"{r.country} result version {r.version}{' (late)' if r.late else ''}")


@ops_app.command("board")
def board(op_id: int, as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """The coordination centre's board: totals, lines, differences."""
    with session(open_engine()) as s:
        b = service.board(s, actor(s), op_id, "cli")
    if as_json:
        typer.echo(json.dumps(service.board_json(b), ensure_ascii=False))
        return
    table = Table("state", "targets", *service.FIGURES, "version")
    for ln in b.lines:
        table.add_row(ln.country, str(ln.targets),
                      *(str(ln.result.figure(f)) if ln.result else "-" for f in service.FIGURES),
                      f"{ln.versions}{' late' if ln.result and ln.result.late else ''}")
    console.print(table)
    _print_board(b)


@ops_app.command("results")
def results(op_id: int, country: Annotated[str | None, typer.Option()] = None) -> None:
    """Every version of the results the acting agency may see."""
    with session(open_engine()) as s:
        found = service.results_history(s, actor(s), op_id, country)
    for r in found:
        typer.echo(f"{r.country} v{r.version}{' late' if r.late else ''} {r.recorded_at:%Y-%m-%d %H:%M} "
                   f"{r.recorded_by}: " + ", ".join(f"{f} {r.figure(f)}" for f in service.FIGURES))


@ops_app.command("meeting")
def meeting(op_id: int, at: Annotated[str, typer.Option(help="When (ISO date-time, UTC unless given).")],
            chair: Annotated[str, typer.Option()], title: str = "",
            participant: Many = None, agenda: Many = None) -> None:
    """Record a coordination meeting (participants "ES: name", agenda "ES: presentation…", repeatable)."""
    with session(open_engine()) as s:
        m = service.hold_meeting(s, actor(s), op_id, datetime.fromisoformat(at), chair, title, participant or [],
                                 agenda or [])
    typer.echo(f"meeting {m.id}: {for_terminal(m.title)}")


@ops_app.command("decide")
def decide(op_id: int, meeting_id: int, text: str, owner: Annotated[str, typer.Option()],
           due: Annotated[str, typer.Option(help="YYYY-MM-DD")]) -> None:
    """A decision of a meeting, with its owner and due date."""
    with session(open_engine()) as s:
        did = service.decide(s, actor(s), op_id, meeting_id, text, owner, date.fromisoformat(due))
    typer.echo(f"decision {did} recorded")


@ops_app.command("done")
def done(op_id: int, decision_id: int) -> None:
    """Mark a decision done."""
    with session(open_engine()) as s:
        service.finish_decision(s, actor(s), op_id, decision_id)
    typer.echo(f"decision {decision_id} done")


@ops_app.command("follow-up")
def follow_up(op_id: int, meeting_id: int) -> None:
    """What is new in the operation's cases since the meeting before this one."""
    with session(open_engine()) as s:
        f = service.meeting(s, actor(s), op_id, meeting_id, "cli")
    typer.echo(f"meeting {f.meeting.id}: {for_terminal(f.meeting.title)}"
               + (f", since {f.previous.held_at:%Y-%m-%d}" if f.previous else " (the first)"))
    for n in f.new_in_cases:
        typer.echo(f"  case {n.case_id} ({n.owner}, {n.state}): {for_terminal(n.text)}")
    for m, d in f.open_decisions:
        typer.echo(f"  open from meeting {m.id}: {for_terminal(d.text)} ({d.owner}, due {d.due_on})")


@ops_app.command("minutes")
def minutes(op_id: int, meeting_id: int, out: Annotated[Path, typer.Option(help="Write the PDF here.")]) -> None:
    """The meeting's minutes as PDF."""
    with session(open_engine()) as s:
        doc = service.minutes(s, actor(s), op_id, meeting_id)
    out.write_bytes(doc.content)
    typer.echo(f"minutes written to {out}")


@ops_app.command("press")
def press(op_id: int) -> None:
    """The joint press release drafted from the reconciled figures."""
    with session(open_engine()) as s:
        typer.echo(service.press_release(s, actor(s), op_id))


@ops_app.command("calendar")
def calendar(op_id: int, out: Annotated[Path, typer.Option(help="Write the iCalendar file here.")]) -> None:
    """The action day's H-hours, the meetings and the decisions' due dates as iCalendar."""
    with session(open_engine()) as s:
        out.write_bytes(service.calendar(s, actor(s), op_id))
    typer.echo(f"calendar written to {out}")


@ops_app.command("jit")
def jit(op_id: int, name: str, party: Annotated[list[str], typer.Option(help="A party (repeatable).")],
        agreement: Annotated[str, typer.Option(help="Signed on (YYYY-MM-DD).")],
        expires: Annotated[str, typer.Option(help="Ends on (YYYY-MM-DD).")],
        case: Annotated[int | None, typer.Option(help="The shared case.")] = None) -> None:
    """Set up a joint investigation team of the operation."""
    with session(open_engine()) as s:
        j = service.create_jit(s, actor(s), op_id, name, date.fromisoformat(agreement), date.fromisoformat(expires),
                               party, case)
    typer.echo(f"JIT {j.id} {for_terminal(j.name)}: {', '.join(j.parties)} until {j.until}")


@ops_app.command("jit-member")
def jit_member(op_id: int, jit_id: int, name: str, agency_code: str, role: str = "member") -> None:
    """Add a member to a JIT."""
    with session(open_engine()) as s:
        service.add_member(s, actor(s), op_id, jit_id, name, agency_code, role)
    typer.echo(f"JIT {jit_id}: {for_terminal(name)} added")


@ops_app.command("jit-extend")
def jit_extend(op_id: int, jit_id: int, until: str) -> None:
    """Extend a JIT's agreement to a new end date."""
    with session(open_engine()) as s:
        j = service.extend_jit(s, actor(s), op_id, jit_id, date.fromisoformat(until))
    typer.echo(f"JIT {j.id} runs until {j.until}")


@ops_app.command("jit-result")
def jit_result(op_id: int, jit_id: int, stage: service.Stage, on: str, count: int = 1) -> None:
    """What a JIT achieved (it counts in the operation's outcomes funnel)."""
    with session(open_engine()) as s:
        f = service.record_jit_result(s, actor(s), op_id, jit_id, stage, date.fromisoformat(on), count)
    typer.echo(f"JIT {jit_id}: {f.stage.value} x{f.count} (version {f.version})")


@ops_app.command("outcomes")
def outcomes(op_id: int) -> None:
    """The operation's outcomes funnel: packages, JITs, and their sum."""
    with session(open_engine()) as s:
        rows = service.outcomes(s, actor(s), op_id)
    table = Table("from", "packages", "investigations", "searches", "arrests", "convictions")
    for r in rows:
        table.add_row(for_terminal(r.group), *(str(x) for x in (r.packages, r.investigations, r.searches, r.arrests,
                                                               r.convictions)))
    console.print(table)
