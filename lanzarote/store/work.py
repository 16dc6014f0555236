"""The work analysts do on a report: who it is assigned to, routing decisions, and when it was first acted on."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from lanzarote.errors import NotFound
from lanzarote.model.jurisdiction import Route, RouteOverride
from lanzarote.store import schema
from lanzarote.store.reports import as_utc


def _acted(session: Session, key: str, now: datetime, **values: object) -> None:
    s = schema.report_state
    first = func.coalesce(s.c.first_action_at, now)
    done = session.execute(update(s).where(s.c.report_key == key).values(**values, first_action_at=first))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"no report {key!r}")


def assign(session: Session, key: str, username: str | None, now: datetime) -> None:
    """Assign a report to a user (None: unassign); the first action on a report is stamped for the dashboard."""
    _acted(session, key, now, assigned_to=username)


def mark_acted(session: Session, key: str, now: datetime) -> None:
    """A decision was taken on this report (a link confirmed or rejected): stamp its first action."""
    _acted(session, key, now)


def save_override(session: Session, key: str, decision: RouteOverride, decided_route: Route) -> None:
    """Keep an analyst's routing decision (processing applies it from now on) and show it at once."""
    o = schema.route_overrides
    session.execute(delete(o).where(o.c.report_key == key))
    session.execute(insert(o).values(report_key=key, country=decision.country, authority=decision.authority,
                                     reason=decision.reason, decided_by=decision.decided_by,
                                     decided_at=decision.decided_at))
    _acted(session, key, decision.decided_at, route=decided_route.model_dump_json(), country=decided_route.country,
           authority=decided_route.authority or decided_route.national_unit, stale=True)


def overrides_of(session: Session, keys: Collection[str]) -> dict[str, RouteOverride]:
    """The analysts' routing decisions for these reports."""
    if not keys:
        return {}
    o = schema.route_overrides
    rows = session.execute(select(o).where(o.c.report_key.in_(sorted(keys))))
    return {r.report_key: RouteOverride(country=r.country, authority=r.authority, reason=r.reason,
                                        decided_by=r.decided_by, decided_at=as_utc(r.decided_at) or r.decided_at)
            for r in rows}
