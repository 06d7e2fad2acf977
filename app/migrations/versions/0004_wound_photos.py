"""wound photos and their content-addressed bytes (app/models/photo.py)

photo_blob rows are immutable: a trigger refuses UPDATE on both backends, so a hash once
verified stays the hash of the bytes (deleting an unreferenced blob stays possible).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

IMMUTABLE = "photo bytes are never altered; store new bytes under their own hash"


def upgrade() -> None:
    op.create_table('photo_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('byte_size >= 0', name=op.f('ck_photo_blob_byte_size')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_photo_blob_sha256_length')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_photo_blob'))
    )
    op.create_table('photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('working_sha256', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('width_px', sa.Integer(), nullable=False),
    sa.Column('height_px', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('file_name', sa.String(length=120), nullable=True),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('calibrated', sa.Boolean(), nullable=False),
    sa.Column('calibration_method', sa.String(length=8), nullable=True),
    sa.Column('calibration_json', sa.Text(), nullable=True),
    sa.Column('outline_json', sa.Text(), nullable=True),
    sa.Column('outline_source', sa.String(length=16), nullable=True),
    sa.Column('area_cm2', sa.Float(), nullable=True),
    sa.Column('perimeter_cm', sa.Float(), nullable=True),
    sa.Column('length_cm', sa.Float(), nullable=True),
    sa.Column('width_cm', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deletion_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("calibration_method IS NULL OR calibration_method IN ('card', 'ruler')", name=op.f('ck_photo_calibration_method')),
    sa.CheckConstraint("format IS NULL OR format IN ('JPEG', 'PNG', 'HEIC')", name=op.f('ck_photo_format')),
    sa.CheckConstraint("outline_source IS NULL OR outline_source IN ('box', 'click', 'hand', 'file')", name=op.f('ck_photo_outline_source')),
    sa.CheckConstraint('area_cm2 IS NULL OR (area_cm2 >= 0 AND area_cm2 <= 2500)', name=op.f('ck_photo_area_cm2')),
    sa.CheckConstraint('calibrated = (calibration_method IS NOT NULL)', name=op.f('ck_photo_calibrated')),
    sa.CheckConstraint('length_cm IS NULL OR (length_cm >= 0 AND length_cm <= 50)', name=op.f('ck_photo_length_cm')),
    sa.CheckConstraint('width_cm IS NULL OR (width_cm >= 0 AND width_cm <= 50)', name=op.f('ck_photo_width_cm')),
    sa.CheckConstraint('width_px > 0 AND height_px > 0', name=op.f('ck_photo_size')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_photo_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_photo_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['photo_blob.sha256'], name=op.f('fk_photo_sha256_photo_blob')),
    sa.ForeignKeyConstraint(['thumbnail_sha256'], ['photo_blob.sha256'], name=op.f('fk_photo_thumbnail_sha256_photo_blob')),
    sa.ForeignKeyConstraint(['working_sha256'], ['photo_blob.sha256'], name=op.f('fk_photo_working_sha256_photo_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_sha256'), ['sha256'], unique=False)
        batch_op.create_index('uq_photo_assessment_sha256', ['assessment_id', 'sha256'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER photo_blob_no_update BEFORE UPDATE ON photo_blob "
                   f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END")
    elif dialect == "postgresql":
        op.execute("CREATE FUNCTION photo_blob_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{IMMUTABLE}'; END $$")
        op.execute("CREATE TRIGGER photo_blob_immutable BEFORE UPDATE ON photo_blob "
                   "FOR EACH ROW EXECUTE FUNCTION photo_blob_immutable()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS photo_blob_no_update")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS photo_blob_immutable ON photo_blob")
        op.execute("DROP FUNCTION IF EXISTS photo_blob_immutable()")
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index('uq_photo_assessment_sha256', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_photo_sha256'))
        batch_op.drop_index(batch_op.f('ix_photo_patient_id'))
        batch_op.drop_index(batch_op.f('ix_photo_assessment_id'))

    op.drop_table('photo')
    op.drop_table('photo_blob')
