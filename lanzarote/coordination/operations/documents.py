"""What an operation hands out: a meeting's minutes as PDF, a joint press release drafted from the reconciled
figures (never a target's detail), and the action day and the decisions' due dates as iCalendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from lanzarote.coordination.operations import Meeting, Operation, label_list
from lanzarote.coordination.operations.day import HHour, Reconciliation
from lanzarote.coordination.packages.formats.tabular import grid, pdf_document


@dataclass(frozen=True)
class NewInCase:
    """What changed in one of the operation's cases since the previous meeting, as counts and state moves (the
    minutes carry no report, subject or victim)."""

    case_id: int
    title: str
    owner: str
    state: str
    moves: tuple[str, ...]
    """"open → searched on 2026-11-02"."""
    counts: tuple[tuple[str, int], ...]
    """(kind of entry, how many): reports attached, requests sent, tasks…"""

    @property
    def text(self) -> str:
        parts = [*self.moves, *(f"{n} {kind}" for kind, n in self.counts)]
        return "; ".join(parts) or "nothing new"


def thousands(n: int) -> str:
    """1332 → "1,332" (the figures' house style)."""
    return f"{n:,}"


def press_release(op: Operation, board: Reconciliation, coordinator_name: str) -> str:
    """A joint press release drafted from the reconciled totals: the day, the states, the officers, the arrests,
    searches, devices and children safeguarded. Drafted for people to edit, marked as a draft until the day
    balances."""
    f = board.totals.figures
    states = [line.country for line in board.lines if line.result is not None]
    when = op.day_on.strftime("%d/%m/%Y") if op.day_on else "the action day"
    head = "DRAFT — figures not yet reconciled: " + "; ".join(board.differences) + "\n\n" \
        if not board.balanced else "DRAFT for the participating authorities' approval\n\n"
    body = (f"Operation {op.name}: {thousands(f['arrests'])} arrests in {len(states)} "
            f"{'state' if len(states) == 1 else 'states'} on {when}\n\n"
            f"On {when}, {thousands(f['officers'])} officers in {label_list(states)} took part in a simultaneous "
            f"action day coordinated by {coordinator_name}. {thousands(f['arrests'])} "
            f"{'person was' if f['arrests'] == 1 else 'persons were'} arrested and {thousands(f['searches'])} "
            f"{'search was' if f['searches'] == 1 else 'searches were'} carried out; "
            f"{thousands(f['devices_seized'])} devices were seized and {thousands(f['victims_safeguarded'])} "
            f"{'child was' if f['victims_safeguarded'] == 1 else 'children were'} safeguarded.\n\n"
            "The investigations continue under the authority of each state's prosecutors. "
            "No further details will be given at this stage.\n")
    return head + body


def minutes_pdf(op: Operation, meeting: Meeting, previous: Meeting | None, new: Sequence[NewInCase],
                hhours: Sequence[HHour]) -> bytes:
    """The minutes: who met (per country), the agenda, the decisions with owner and due date, what is new in the
    cases since the previous meeting, and the action day's H-hours."""
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph, Spacer

    def story(styles: Any, mm: float) -> list[Any]:
        out: list[Any] = [Paragraph(escape(f"Operation {op.name} — {meeting.title}"), styles["Title"]),
                          Paragraph(escape(f"Coordination meeting of {meeting.held_at:%d/%m/%Y %H:%M} UTC, "
                                           f"chaired by {meeting.chair}"), styles["Heading2"])]
        if previous is not None:
            out.append(Paragraph(escape(f"Follows the meeting of {previous.held_at:%d/%m/%Y}."), styles["Normal"]))
        out.append(Paragraph("Participants", styles["Heading3"]))
        people = meeting.by_country()
        out.append(grid([["Country", "Participants"], *([c, ", ".join(w)] for c, w in sorted(people.items()))],
                        [30 * mm, 150 * mm], styles))
        out.append(Paragraph("Agenda", styles["Heading3"]))
        out.append(grid([["#", "Country", "Item"], *([str(a.position), a.country or "-", a.title]
                                                     for a in meeting.agenda)], [10 * mm, 25 * mm, 145 * mm], styles))
        out.append(Paragraph("Decisions", styles["Heading3"]))
        out.append(grid([["Decision", "Owner", "Due", "Done"],
                         *([d.text, d.owner, d.due_on.strftime("%d/%m/%Y"),
                            d.done_at.strftime("%d/%m/%Y") if d.done_at else "-"] for d in meeting.decisions)],
                        [100 * mm, 35 * mm, 25 * mm, 20 * mm], styles))
        if previous is not None:
            out.append(Paragraph("New in the cases since the previous meeting", styles["Heading3"]))
            out.append(grid([["Case", "Owner", "State", "New"],
                             *([f"{n.case_id} {n.title}", n.owner, n.state, n.text] for n in new)],
                            [60 * mm, 25 * mm, 30 * mm, 65 * mm], styles))
        if hhours:
            out.append(Paragraph("Action day", styles["Heading3"]))
            out.append(grid([["State", "H-hour (local)", "UTC"],
                             *([h.country, f"{h.local:%d/%m/%Y %H:%M} {h.local.tzname()}", f"{h.utc:%H:%M}"]
                               for h in hhours)], [30 * mm, 80 * mm, 70 * mm], styles))
        out.append(Spacer(1, 4 * mm))
        return out

    return pdf_document(f"Operation {op.name}: minutes of {meeting.held_at:%Y-%m-%d}", meeting.chair, story)


def calendar(op: Operation, hhours: Sequence[HHour], meetings: Sequence[Meeting], now: datetime) -> bytes:
    """The action day (one event per state at its H-hour, in its own zone), the meetings and the decisions' due
    dates, for a calendar program."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Lanzarote//operations//EN")
    cal.add("version", "2.0")
    for h in hhours:
        event = Event()
        event.add("uid", f"lanzarote-op{op.id}-day-{h.country}@lanzarote.invalid")
        event.add("dtstamp", now)
        event.add("dtstart", h.local)
        event.add("dtend", h.local + timedelta(hours=1))
        event.add("summary", f"Operation {op.name}: action day, H-hour {h.country}")
        event.add("description", f"H-hour in {h.country}: {h.text}")
        cal.add_component(event)
    for m in meetings:
        event = Event()
        event.add("uid", f"lanzarote-op{op.id}-meeting{m.id}@lanzarote.invalid")
        event.add("dtstamp", now)
        event.add("dtstart", m.held_at)
        event.add("dtend", m.held_at + timedelta(hours=2))
        event.add("summary", f"Operation {op.name}: {m.title}")
        cal.add_component(event)
        for d in m.decisions:
            due = Event()
            due.add("uid", f"lanzarote-op{op.id}-decision{d.id}@lanzarote.invalid")
            due.add("dtstamp", now)
            due.add("dtstart", datetime.combine(d.due_on, time(9), tzinfo=UTC))
            due.add("dtend", datetime.combine(d.due_on, time(10), tzinfo=UTC))
            due.add("summary", f"Operation {op.name}: due — {d.text} ({d.owner})")
            cal.add_component(due)
    return bytes(cal.to_ical())
