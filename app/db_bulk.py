"""Bulk inserts at driver speed: the demo seeder writes a 10,000-patient clinic through it."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from sqlalchemy import Connection, Table


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of one table in the caller's transaction, at driver speed on SQLite.

    Every row has the keys of the first. Python-side column defaults fill the columns no row
    gives (a callable one, such as an entry time, is evaluated once for the whole call).
    Values go through each column type's own bind processor, so the rows read back exactly
    as Core's insert() writes them; skipping Core's per-row parameter processing makes a
    demo clinic of 10,000 patients seed in about half the time (bench/README.md).
    Other databases use Core's executemany.
    """
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    constants: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.name not in rows[0] and default is not None and not default.is_sequence:
            constants[column.name] = default.arg if default.is_scalar else default.arg(None)
    columns = [table.c[name] for name in names] + [table.c[name] for name in constants]
    converters = [_memoised(c.type.dialect_impl(dialect).bind_processor(dialect))
                  for c in columns]
    tail = tuple(convert(value) if convert else value
                 for convert, value in zip(converters[len(names):], constants.values()))
    converting = [(i, convert) for i, convert in enumerate(converters[:len(names)]) if convert]

    def values(row: dict[str, Any]) -> tuple:
        out = [row[name] for name in names]
        for i, convert in converting:
            out[i] = convert(out[i])
        return (*out, *tail)

    sql = (f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, map(values, rows))
    finally:
        cursor.close()


def _memoised(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor remembering its answers: dates and flags repeat across many rows."""
    if convert is None:
        return None
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = convert(value)
            return result
        except TypeError:  # an unhashable value
            return convert(value)

    return cached
