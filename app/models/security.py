"""User accounts and the append-only audit trail (docs/reliability.md, "People" and "Records")."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, entry_time, intpk, one_of

# The roles of app.services.actor.ROLES (a test keeps the two in step).
USER_ROLES = ("nurse", "doctor", "staff", "admin")


class User(Base):
    """A person who logs in: role, argon2id PHC hash (never the password), lockout state."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(one_of("role", USER_ROLES), name="role"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts"),
        CheckConstraint("length(username) BETWEEN 1 AND 64", name="username_length"),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)  # UTC
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    created_at: Mapped[entry_time]
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """One audited fact: a field created, changed or deleted, or an event (export, print).

    Append-only (triggers refuse UPDATE and DELETE); `hash` covers the row and `prev_hash`,
    the hash of the row before it, so any edit or removal breaks the chain.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_patient", "patient_id"),
        Index("ix_audit_log_row", "table_name", "row_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # UTC
    username: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))  # create, update, delete, or an event name
    table_name: Mapped[str | None] = mapped_column(String(64))
    row_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the trail outlives rows
    field: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
