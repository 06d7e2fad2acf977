"""Primary keys handed out before a big flush, so the ORM writes each table with one
executemany instead of one INSERT ... RETURNING per row (bench/README.md, "Importing a visit
sheet"). SQLAlchemy 2.1 inserts rows one by one on SQLite when it needs their generated keys
back; with the keys already set it batches them."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session


def assign_ids(session: Session) -> int:
    """Give every pending new row without an id the id SQLite would give it (the table's
    largest + 1, in the order the rows were added). Only on SQLite, whose write transaction
    (BEGIN IMMEDIATE) keeps every other writer out until it ends; a server keeps its
    sequences. Returns how many ids were set."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return 0
    pending: dict[type, list] = defaultdict(list)
    for obj in session.new:
        mapper = inspect(obj).mapper
        keys = mapper.primary_key
        if len(keys) == 1 and keys[0].key == "id" and obj.id is None:
            pending[mapper.class_].append(obj)
    count = 0
    for model, objects in pending.items():
        objects.sort(key=lambda o: inspect(o).insert_order)
        column = model.__table__.c.id
        next_id = (connection.execute(select(func.max(column))).scalar() or 0) + 1
        for obj in objects:
            obj.id = next_id
            next_id += 1
        count += len(objects)
    return count
