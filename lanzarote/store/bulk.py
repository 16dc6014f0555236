"""Many rows into one table at the driver's speed: the hot inserts of ingest and processing.

SQLAlchemy's executemany prepares every row's parameters in Python, which costs more than SQLite takes to store
the row. Here the INSERT is compiled once per table and column list, each value goes through its column type's own
bind processor only where the engine needs one (datetimes on SQLite), and the driver gets plain tuples. The result
is what `session.execute(insert(table), rows)` would store, on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.orm import Session

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}

Processor = Callable[[Any], Any] | None


@cache
def _statement(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, tuple[Processor, ...]]:
    mark = _PLACEHOLDER[dialect.paramstyle]
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    marks = ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) VALUES ({marks})"
    return sql, tuple(table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns)


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dictionaries with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    columns = tuple(rows[0])
    sql, processors = _statement(connection.dialect, table, columns)
    if any(processors):
        steps = list(zip(columns, processors, strict=True))
        params = [tuple(p(row[c]) if p and row[c] is not None else row[c] for c, p in steps) for row in rows]
    else:
        params = [tuple(row[c] for c in columns) for row in rows]
    connection.exec_driver_sql(sql, params)
