"""Monthly partitions of the tables that grow with a hub's reports, on PostgreSQL (SQLite keeps one table each).

`reports` (every version's document: most of a store's bytes) is partitioned by the report's received time, the
audit trail by the time its entry was written, one partition a month (UTC) and a DEFAULT partition that takes
whatever no month holds: a report without a received time, or one dated before the store's first month. Nothing is
ever refused for want of a partition. The months from the present to `partition_months_ahead` ahead are made by
migration 0018, and again whenever a store is opened and an ingest run starts (`ensure`); a month made later than
rows for it arrived takes those rows out of the DEFAULT partition.

PostgreSQL enforces a unique constraint of a partitioned table only within each partition, so every one must hold
the partition key; a report's versions may be received in different months, and an audit entry's number says
nothing of its month. The two rules are therefore kept by a trigger on each table, which refuses a row whose
(report_key, version), or whose audit id, any partition holds already:
- a report's writers are serialised on its `report_state` row (the one unpartitioned row every report has from its
  first version on; its primary key refuses a second first version), so two ingests cannot both add version n;
- audit writers are serialised by the chain's advisory lock (`audit.CHAIN_LOCK`), which `audit.record` holds.
The trigger's look-up reads each partition's index once (a few microseconds a month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

from lanzarote import config
from lanzarote.store.audit import CHAIN_LOCK


@dataclass(frozen=True)
class Partitioned:
    """A table partitioned by month of `key`, and the uniqueness its trigger keeps across partitions."""

    table: str
    key: str
    unique: tuple[str, ...]
    unique_index: str | None
    """The index (of the declared unique constraint's name) that serves the trigger's look-up; None when the
    primary key, with the partition key added, serves it."""
    serialise: str
    """The SQL statement that serialises the writers of one row's unique value (run by the trigger first)."""


PARTITIONED = (
    Partitioned("reports", "received_at", ("report_key", "version"), "uq_reports_key_version",
                "PERFORM 1 FROM report_state WHERE report_key = NEW.report_key FOR UPDATE"),
    Partitioned("audit", "at", ("id",), None, f"PERFORM pg_advisory_xact_lock({CHAIN_LOCK})"),
)


def default_name(table: str) -> str:
    return f"{table}_default"


def month_name(table: str, month: datetime) -> str:
    return f"{table}_p{month:%Y_%m}"


def month_of(at: datetime) -> datetime:
    """The first instant (UTC) of the month `at` falls in."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def next_month(month: datetime) -> datetime:
    return datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)


def is_partitioned(conn: Connection, table: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                             "WHERE c.relname = :t AND c.relnamespace = current_schema()::regnamespace"),
                        {"t": table}).first() is not None


def partitions(conn: Connection, table: str) -> dict[str, str]:
    """The partitions of `table`: name → bound (as PostgreSQL prints it, e.g. `DEFAULT`)."""
    rows = conn.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = (SELECT oid FROM pg_class WHERE relname = :t "
        "AND relnamespace = current_schema()::regnamespace) ORDER BY 1"), {"t": table})
    return {str(name): str(bound) for name, bound in rows}


def make_month(conn: Connection, p: Partitioned, month: datetime) -> bool:
    """Make `p.table`'s partition of `month` if it is missing; rows of that month already in the DEFAULT partition
    move into it. Returns whether it was made."""
    name = month_name(p.table, month)
    if name in partitions(conn, p.table):
        return False
    bounds = {"a": month, "b": next_month(month)}
    conn.execute(text(f"LOCK TABLE {p.table} IN ACCESS EXCLUSIVE MODE"))
    if name in partitions(conn, p.table):  # another process (a server starting beside an ingest) made it meanwhile
        return False
    default = default_name(p.table)
    stray = conn.execute(text(f"SELECT count(*) FROM {default} WHERE {p.key} >= :a AND {p.key} < :b"),
                         bounds).scalar_one()
    if stray:
        conn.execute(text(f"CREATE TEMPORARY TABLE moving_rows (LIKE {p.table}) ON COMMIT DROP"))
        conn.execute(text(f"WITH moved AS (DELETE FROM {default} WHERE {p.key} >= :a AND {p.key} < :b RETURNING *) "
                          "INSERT INTO moving_rows SELECT * FROM moved"), bounds)
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF {p.table} FOR VALUES FROM ('{month.isoformat()}') "
                      f"TO ('{next_month(month).isoformat()}')"))
    if stray:
        conn.execute(text(f"INSERT INTO {p.table} SELECT * FROM moving_rows"))
        conn.execute(text("DROP TABLE moving_rows"))
    return True


def ensure(conn: Connection, now: datetime, months_ahead: int | None = None) -> list[str]:
    """Make the partitions of this month and of the `months_ahead` that follow (default: the setting
    `partition_months_ahead`) on every partitioned table; the names of those made. Nothing on SQLite, nor on a
    table not partitioned."""
    if conn.dialect.name != "postgresql":
        return []
    ahead = int(config.get("partition_months_ahead")) if months_ahead is None else months_ahead
    made = []
    for p in PARTITIONED:
        if not is_partitioned(conn, p.table):
            continue
        month = month_of(now)
        for _ in range(ahead + 1):
            if make_month(conn, p, month):
                made.append(month_name(p.table, month))
            month = next_month(month)
    return made


def ensure_ahead(engine: Engine, now: datetime) -> list[str]:
    """`ensure` in a transaction of its own; cheap when the months are there (one catalogue query a table)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.begin() as conn:
        wanted = []
        for p in PARTITIONED:
            if is_partitioned(conn, p.table):
                have = partitions(conn, p.table)
                month = month_of(now)
                for _ in range(int(config.get("partition_months_ahead")) + 1):
                    wanted += [month] if month_name(p.table, month) not in have else []
                    month = next_month(month)
        return ensure(conn, now) if wanted else []


def trigger_sql(p: Partitioned) -> list[str]:
    """The function and trigger that refuse a row whose unique columns another partition holds already."""
    fn = f"{p.table}_unique_across_partitions"
    match = " AND ".join(f"{c} = NEW.{c}" for c in p.unique)
    shown = ", ".join("%s" for _ in p.unique)
    values = ", ".join(f"NEW.{c}" for c in p.unique)
    return [
        f"""CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {p.serialise};
    IF EXISTS (SELECT 1 FROM {p.table} WHERE {match}) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation', CONSTRAINT = '{p.unique_index or p.table}',
            MESSAGE = format('{p.table}: ({", ".join(p.unique)}) = ({shown}) is stored already', {values});
    END IF;
    RETURN NEW;
END $$""",
        f"CREATE TRIGGER {fn} BEFORE INSERT ON {p.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
    ]


def drop_trigger_sql(p: Partitioned) -> list[str]:
    fn = f"{p.table}_unique_across_partitions"
    return [f"DROP TRIGGER IF EXISTS {fn} ON {p.table}", f"DROP FUNCTION IF EXISTS {fn}()"]
