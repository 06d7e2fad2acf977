"""Wound photographs of an assessment, and their bytes stored once by content hash.

`photo_blob` holds bytes addressed by their SHA-256: the untouched original, the upright working
copy (long side <= 2048 px) and the thumbnail. A row is never updated (a trigger refuses it),
so a hash found once stays true, two assessments sharing a photo share its bytes, and a backup
can copy only the hashes it does not have yet (incremental by content). Blobs live in the
clinic database, so a server clinic keeps photos on the server and an encrypted clinic keeps
them encrypted at rest.

`photo` is one photo attached to one assessment: which blobs, the calibration, the traced
outline (image px of the upright full-resolution photo) and what was measured from it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, between, entry_time, flag, intpk, long_text, one_of, short_text

PHOTO_FORMATS = ("JPEG", "PNG", "HEIC")
CALIBRATION_METHODS = ("card", "ruler")
OUTLINE_SOURCES = ("box", "click", "hand", "file")


class PhotoBlob(Base):
    """Immutable bytes addressed by their SHA-256 (lower-case hex)."""

    __tablename__ = "photo_blob"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("byte_size >= 0", name="byte_size"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    byte_size: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[entry_time]


class Photo(Base):
    """One photo of one assessment: blobs, calibration, outline and measurements."""

    __tablename__ = "photo"
    __table_args__ = (
        Index("uq_photo_assessment_sha256", "assessment_id", "sha256", unique=True,
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
        CheckConstraint(one_of("format", PHOTO_FORMATS), name="format"),
        CheckConstraint(one_of("calibration_method", CALIBRATION_METHODS),
                        name="calibration_method"),
        CheckConstraint(one_of("outline_source", OUTLINE_SOURCES), name="outline_source"),
        CheckConstraint("width_px > 0 AND height_px > 0", name="size"),
        CheckConstraint(between("area_cm2", 0, 2500), name="area_cm2"),
        CheckConstraint(between("length_cm", 0, 50), name="length_cm"),
        CheckConstraint(between("width_cm", 0, 50), name="width_cm"),
        CheckConstraint("calibrated = (calibration_method IS NOT NULL)", name="calibrated"),
    )

    id: Mapped[intpk]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"),
                                            index=True)
    # No cascade from the assessment: removing an assessment that has photos fails rather
    # than dropping them unaudited (erasing the whole patient still cascades through patient_id).
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("photo_blob.sha256"), index=True)
    working_sha256: Mapped[str] = mapped_column(ForeignKey("photo_blob.sha256"))
    thumbnail_sha256: Mapped[str] = mapped_column(ForeignKey("photo_blob.sha256"))
    format: Mapped[str] = mapped_column(String(8))
    width_px: Mapped[int] = mapped_column(Integer)  # upright full resolution
    height_px: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)  # EXIF, local
    file_name: Mapped[short_text]
    is_primary: Mapped[flag]
    calibrated: Mapped[flag]
    calibration_method: Mapped[str | None] = mapped_column(String(8))
    calibration_json: Mapped[long_text]  # app.imaging.calibrate.Calibration.as_json()
    outline_json: Mapped[long_text]  # [[x, y], ...] upright full-resolution image px
    outline_source: Mapped[str | None] = mapped_column(String(16))  # box, click, hand, file
    area_cm2: Mapped[float | None] = mapped_column(Float)
    perimeter_cm: Mapped[float | None] = mapped_column(Float)
    length_cm: Mapped[float | None] = mapped_column(Float)
    width_cm: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[entry_time]
    created_by: Mapped[short_text]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    deletion_reason: Mapped[long_text]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
