"""the server guards the audit trail: no TRUNCATE, and a restricted application role

PostgreSQL only (app.db_server.secure_server documents the roles and grants); an SQLite
file has no roles and its triggers already refuse UPDATE and DELETE.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from app.db_server import secure_server

        secure_server(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from app.db_server import unsecure_server

        unsecure_server(bind)
