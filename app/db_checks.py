"""The database's own checks, for `check`, backups and restores (docs/reliability.md):
SQLite's integrity_check or quick_check and foreign_key_check; on a server, every foreign key
by a query and the constraints' validation. app.db.Database calls these on its engine."""
from __future__ import annotations

from sqlalchemy import Engine

from app import db_server


def integrity_problems(engine: Engine, *, quick: bool = False) -> list[str]:
    """SQLite's integrity_check (or quick_check); an empty list when the file is sound."""
    if engine.dialect.name != "sqlite":
        return []
    pragma = "quick_check" if quick else "integrity_check"
    with engine.connect() as connection:
        rows = [r[0] for r in connection.exec_driver_sql(f"PRAGMA {pragma}")]
    return [] if rows == ["ok"] else rows


def foreign_key_problems(engine: Engine) -> list[str]:
    """SQLite's foreign_key_check, a line per row that refers to a missing parent."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    return [f"{table} row {rowid} refers to a missing {parent}"
            for table, rowid, parent, _ in rows]


def verified_checks(engine: Engine) -> tuple[list[str], list[str]]:
    """(problems, what was verified, in words) for `check`: SQLite's integrity_check and
    foreign_key_check; on a server, every foreign key by a query and the constraints'
    validation, while storage integrity is the server's own (not claimed here)."""
    if engine.dialect.name != "postgresql":
        problems = [f"integrity: {p}" for p in integrity_problems(engine)]
        if problems:
            return problems, []
        problems = [f"foreign key: {p}" for p in foreign_key_problems(engine)]
        return problems, ([] if problems else ["integrity ok", "foreign keys ok"])
    with engine.connect() as connection:
        checked, missing = db_server.foreign_key_problems(connection)
        problems = [f"foreign key: {p}" for p in missing]
        problems += db_server.unvalidated_constraints(connection)
    verified = [f"foreign keys ok ({checked} checked by query on the server)",
                "constraints validated by the server",
                "storage integrity: the server's own (not checkable from here)"]
    return problems, ([] if problems else verified)
