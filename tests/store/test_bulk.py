"""store/bulk.py writes what SQLAlchemy's own executemany would write, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, insert, select
from sqlalchemy.dialects import sqlite

from lanzarote.store.bulk import _processors, insert_many, update_many
from lanzarote.store.db import make_engine, session

TIMES = [
    datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC),
    datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC),  # no microseconds: SQLAlchemy still writes .000000
    datetime(2026, 3, 1, 12, 30, 5, 7, tzinfo=timezone(timedelta(hours=2))),  # the zone is left out, as SQLAlchemy does
    datetime(999, 1, 2, 3, 4, 5),  # naive, a year of three digits
    datetime(9999, 12, 31, 23, 59, 59, 999999),
]


def _table(name: str = "t") -> Table:
    return Table(name, MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime(timezone=True)),
                 Column("name", String(20)), Column("flag", Boolean))


def test_sqlite_datetimes_are_written_as_sqlalchemy_writes_them() -> None:
    dialect = sqlite.dialect()
    table = _table()
    (fast,) = _processors(dialect, table, ("at",))
    general = table.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    assert fast is not None and general is not None
    for value in [*TIMES, date(2026, 3, 1)]:
        assert fast(value) == general(value)


def test_insert_and_update_many_store_what_executemany_stores(store_url: str) -> None:
    engine = make_engine(store_url)
    ours, theirs = _table("bulk_ours"), _table("bulk_theirs")
    for table in (ours, theirs):
        table.metadata.create_all(engine)
    rows = [{"id": i, "at": at, "name": f"n{i}", "flag": i % 2 == 0} for i, at in enumerate(TIMES)]
    with session(engine) as s:
        insert_many(s, ours, rows)
        s.execute(insert(theirs), rows)
        update_many(s, ours, "id", [{"id": 1, "name": "changed", "flag": True}])
        s.execute(theirs.update().where(theirs.c.id == 1).values(name="changed", flag=True))
    with session(engine) as s:
        stored = list(s.execute(select(ours).order_by(ours.c.id)))
        assert stored == list(s.execute(select(theirs).order_by(theirs.c.id)))
        assert [r.name for r in stored][:2] == ["n0", "changed"]
