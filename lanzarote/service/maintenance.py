"""Upkeep of the store that an operator runs: PostgreSQL's monthly partitions made ahead of a backfill."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from lanzarote.errors import InputRejected
from lanzarote.store import partitions


def make_months(engine: Engine, since: str, now: datetime) -> list[str]:
    """Make the monthly partitions of reports and the audit trail from the month `since` (YYYY-MM) to the present
    (and those ahead), so that a backfill of older reports fills their months instead of the DEFAULT partition;
    the names of those made (none on SQLite, which has no partitions)."""
    try:
        month = partitions.month_of(datetime.strptime(since, "%Y-%m"))
    except ValueError as exc:
        raise InputRejected(f"{since!r} is not a month: give it as YYYY-MM, e.g. 2025-01") from exc
    if month > now:
        raise InputRejected(f"{since} is after the present: the months ahead are made already")
    if engine.dialect.name != "postgresql":
        return []
    made = []
    with engine.begin() as conn:
        while month <= now:
            made += [partitions.month_name(p.table, month) for p in partitions.PARTITIONED
                     if partitions.is_partitioned(conn, p.table) and partitions.make_month(conn, p, month)]
            month = partitions.next_month(month)
        made += partitions.ensure(conn, now)
    return made
