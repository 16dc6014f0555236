"""Figures for the dashboard and `/api/v1/statistics`: volumes, where reports go, who sends them, time to act."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select, true, tuple_
from sqlalchemy.orm import Session

from lanzarote.store import schema
from lanzarote.store.access import Scope
from lanzarote.store.reports import as_utc

TOP = 15
ACTION_SAMPLE = 100_000


@dataclass
class Statistics:
    days: list[str] = field(default_factory=list)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    """Day → tier (P1..P4, or 'unranked') → reports received."""
    per_tier: dict[str, int] = field(default_factory=dict)
    per_country: list[tuple[str, str, int]] = field(default_factory=list)
    """(country, authority, reports), the largest first."""
    per_provider: list[tuple[str, int]] = field(default_factory=list)
    first_action_hours: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Tier → {'acted': n, 'median': hours, 'p90': hours (nearest rank; None when none acted on), 'waiting': n}."""


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    s = schema.report_state
    if scope.country is None:
        return true()
    condition = s.c.country == scope.country
    return and_(condition, s.c.authority == scope.authority) if scope.authority else condition


def statistics_for(session: Session, scope: Scope, days: int = 30) -> Statistics:
    """The figures over the reports `scope` covers; daily volumes for the last `days` days with reports."""
    s = schema.report_state
    where = _in_scope(scope)
    out = Statistics()
    tier = func.coalesce(s.c.tier, "unranked")
    for t, n in session.execute(select(tier, func.count()).where(where).group_by(tier)):
        out.per_tier[str(t)] = int(n)
    newest = as_utc(session.execute(select(func.max(s.c.received_at)).where(where)).scalar())
    if newest is not None:
        since = (newest - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
        day = func.date(s.c.received_at)
        rows = session.execute(select(day, tier, func.count()).where(where, s.c.received_at >= since)
                               .group_by(day, tier))
        for d, t, n in rows:
            out.per_day.setdefault(str(d), {})[str(t)] = int(n)
        out.days = [(since + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]
    out.per_country = [(c or "unrouted", a or "–", int(n)) for c, a, n in session.execute(
        select(s.c.country, s.c.authority, func.count().label("n")).where(where)
        .group_by(s.c.country, s.c.authority).order_by(func.count().desc()).limit(TOP))]
    out.per_provider = [(p or "unknown", int(n)) for p, n in session.execute(
        select(s.c.provider, func.count()).where(where).group_by(s.c.provider)
        .order_by(func.count().desc()).limit(TOP))]
    out.first_action_hours = _time_to_act(session, where)
    return out


def _time_to_act(session: Session, where: ColumnElement[bool]) -> dict[str, dict[str, float | None]]:
    s = schema.report_state
    hours: dict[str, list[float]] = {}
    rows = session.execute(select(s.c.tier, s.c.received_at, s.c.first_action_at)
                           .where(where, s.c.first_action_at.is_not(None), s.c.tier.is_not(None))
                           .order_by(s.c.first_action_at.desc()).limit(ACTION_SAMPLE))
    for t, received, acted in rows:
        r, a = as_utc(received), as_utc(acted)
        if isinstance(r, datetime) and isinstance(a, datetime):
            hours.setdefault(t, []).append(max((a - r).total_seconds() / 3600, 0.0))
    pending = select(s.c.tier, func.count()).where(where, s.c.first_action_at.is_(None), s.c.tier.is_not(None))
    waiting: dict[str, int] = {str(t): int(n) for t, n in session.execute(pending.group_by(s.c.tier))}
    out: dict[str, dict[str, float | None]] = {}
    for t in sorted(set(hours) | set(waiting)):
        values = sorted(hours.get(t, []))
        out[t] = {"acted": len(values), "waiting": int(waiting.get(t, 0)),
                  "median": round(statistics.median(values), 1) if values else None,
                  "p90": round(values[math.ceil(0.9 * len(values)) - 1], 1) if values else None}
    return out


def list_matches(session: Session, scope: Scope, name: str, limit: int) -> list[tuple[str, str]]:
    """Up to `limit` reports `scope` covers with a file matched in list `name`, most urgent first, as (report key,
    verdicts JSON). Need-to-know is part of the query and the search walks on in pages until `limit` are found, so
    an agency never gets a list cut short by other agencies' reports."""
    s = schema.report_state
    needle = '"list_name":' + json.dumps(name, ensure_ascii=False, separators=(",", ":"))
    query = (select(s.c.report_key, s.c.verdicts, s.c.tier_rank, s.c.received_at)
             .where(_in_scope(scope), s.c.verdicts.contains(needle, autoescape=True))
             .order_by(s.c.tier_rank, s.c.received_at, s.c.report_key))
    out: list[tuple[str, str]] = []
    after: tuple[int, datetime, str] | None = None
    while len(out) < limit:
        page = query if after is None else query.where(
            tuple_(s.c.tier_rank, s.c.received_at, s.c.report_key) > tuple_(*after))
        rows = session.execute(page.limit(limit * 2)).all()
        for row in rows:
            verdicts = json.loads(row.verdicts)  # the text search finds candidates; the document decides
            if any(m.get("list_name") == name for v in verdicts for m in v.get("matches", ())):
                out.append((row.report_key, row.verdicts))
                if len(out) >= limit:
                    break
        if len(rows) < limit * 2:
            break
        last = rows[-1]
        after = (last.tier_rank, last.received_at, last.report_key)
    return out
