"""Clinic settings: one row per key (JSON value), and the clinic's reference ranges."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, entry_time, measure


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[entry_time]


class ReferenceRangeSetting(Base):
    """A clinic's own reference range for one analyte, in the canonical unit."""

    __tablename__ = "reference_range"
    __table_args__ = (CheckConstraint("low IS NULL OR high IS NULL OR low <= high",
                                      name="ordered"),)

    analyte: Mapped[str] = mapped_column(String(32), primary_key=True)
    low: Mapped[measure]
    high: Mapped[measure]
    updated_at: Mapped[entry_time]
