"""Many rows into (or over) one table at the driver's speed: the hot writes of ingest and processing.

SQLAlchemy's executemany prepares every row's parameters in Python, which costs more than SQLite takes to store
the row. Here the statement is written once per table and column list, each value goes through its column type's
own bind processor only where the engine needs one (datetimes and booleans on SQLite), and the driver gets plain
tuples. The result is what `session.execute(insert(table), rows)` (or the matching UPDATE) would store, on both
engines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}

Processor = Callable[[Any], Any] | None


@cache
def _statement(dialect: Dialect, table: Table, columns: tuple[str, ...], key: str | None) -> str:
    mark = _PLACEHOLDER[dialect.paramstyle]
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    if key is None:
        return (f"INSERT INTO {name} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join([mark] * len(columns))})")
    settings = ", ".join(f"{quote(c)} = {mark}" for c in columns if c != key)
    return f"UPDATE {name} SET {settings} WHERE {quote(key)} = {mark}"


@cache
def _processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[Processor, ...]:
    return tuple(_processor(table.c[c].type.dialect_impl(dialect), dialect) for c in columns)


def _processor(type_: Any, dialect: Dialect) -> Processor:
    processor: Processor = type_.bind_processor(dialect)
    if isinstance(type_, sqlite.DATETIME) and type_._storage_format == sqlite.DATETIME._storage_format:
        # SQLite keeps a datetime as text; SQLAlchemy writes its fields through a format string (the zone left out).
        # isoformat writes the same text in C, several times faster (the format string was about 3 % of an ingest's
        # CPU, measured in one process).
        general = processor

        def processor(value: Any) -> Any:
            if value.__class__ is datetime:
                return value.replace(tzinfo=None).isoformat(" ", "microseconds")
            return general(value) if general else value

    return processor


def _execute(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: str | None) -> None:
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = tuple(rows[0])
    if key is not None:  # the key's value goes last, for the WHERE
        columns = (*(c for c in columns if c != key), key)
    sql = _statement(dialect, table, columns, key)
    processors = _processors(dialect, table, columns)
    values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    steps = [(i, p) for i, p in enumerate(processors) if p]
    params: list[Any] = [values(row) for row in rows]
    if steps:  # only the columns whose type needs it go through their processor (a row's other values as they are)
        for n, row_values in enumerate(params):
            converted = list(row_values)
            for i, p in steps:
                if converted[i] is not None:
                    converted[i] = p(converted[i])
            params[n] = tuple(converted)
    connection.exec_driver_sql(sql, params)


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dictionaries with the same keys; an empty list writes nothing) into `table` in the session's
    transaction."""
    _execute(session, table, rows, None)


def update_many(session: Session, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Set the other columns of `rows` on the row whose `key` column has the row's `key` value."""
    _execute(session, table, rows, key)
