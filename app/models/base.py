"""Declarative base, reusable column types and naming conventions for the clinic schema."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> dt.datetime:
    """Entry time, always UTC (clinical time is kept apart, as a date)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
clinical_date = Annotated[dt.date, mapped_column(Date)]
entry_time = Annotated[dt.datetime, mapped_column(DateTime, default=utc_now, nullable=False)]
update_time = Annotated[dt.datetime, mapped_column(DateTime, default=utc_now, onupdate=utc_now,
                                                   nullable=False)]
measure = Annotated[float | None, mapped_column(Float)]
flag = Annotated[bool, mapped_column(Boolean, default=False, nullable=False)]
short_text = Annotated[str | None, mapped_column(String(120))]
long_text = Annotated[str | None, mapped_column(Text)]


def between(column: str, low: float, high: float) -> str:
    """CHECK text for a nullable numeric column within [low, high].

    In SQLite text sorts above every number, so this also refuses text in a REAL column.
    """
    return f"{column} IS NULL OR ({column} >= {low!r} AND {column} <= {high!r})"


def one_of(column: str, values: tuple[str, ...]) -> str:
    """CHECK text for a nullable text column restricted to `values`."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IS NULL OR {column} IN ({quoted})"
