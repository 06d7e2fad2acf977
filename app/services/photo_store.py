"""Photo bytes by content hash: store once, read back verified, check all, copy incrementally.

Bytes live in the `photo_blob` table of the clinic database (app/models/photo.py): on a server
clinic they are on the server, in an encrypted clinic they are encrypted with it. A blob is
never updated (a trigger refuses it); reading one checks its SHA-256 again, so an altered or
damaged photo is reported, never shown as if it were the original.

Backups stay small as photos accumulate: `copy_new_blobs` writes into a folder of files named
by their hash (`ab/abcdef...`) only the blobs that folder does not hold yet, so each backup
run copies only the photos taken since the last one (docs/reliability.md, backups).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import PhotoBlob
from app.services.errors import UserError


class PhotoDamaged(UserError):
    """Stored bytes no longer match their hash."""


@dataclass(frozen=True)
class PhotoCheck:
    """The result of re-hashing every stored blob; `damaged` lists the bad hashes."""

    blobs: int
    byte_size: int
    damaged: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.damaged


@dataclass(frozen=True)
class BlobCopy:
    written: int
    already_there: int
    bytes_written: int
    damaged: tuple[str, ...] = ()  # blobs not copied: their bytes no longer match their hash


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_blob(session: Session, data: bytes) -> str:
    """Store bytes under their SHA-256 unless already stored; returns the hash."""
    digest = sha256_hex(data)
    if session.get(PhotoBlob, digest) is None:
        session.add(PhotoBlob(sha256=digest, byte_size=len(data), data=data))
    return digest


def get_blob(session: Session, sha256: str) -> bytes:
    """The bytes stored under `sha256`, verified; PhotoDamaged or UserError otherwise."""
    data = session.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == sha256))
    if data is None:
        raise UserError(f"photo {sha256[:12]}… is missing from the database")
    data = bytes(data)
    if sha256_hex(data) != sha256:
        raise PhotoDamaged(f"photo {sha256[:12]}… is damaged: its bytes no longer match the "
                           "hash recorded when it was attached. Restore it from a backup.")
    return data


def verify_blobs(session: Session) -> PhotoCheck:
    """Re-hash every stored blob (for `check`); reads one blob at a time."""
    count, total, damaged = 0, 0, []
    hashes = session.scalars(select(PhotoBlob.sha256).order_by(PhotoBlob.sha256)).all()
    for digest in hashes:
        data = bytes(session.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == digest)))
        count += 1
        total += len(data)
        if sha256_hex(data) != digest:
            damaged.append(digest)
    return PhotoCheck(blobs=count, byte_size=total, damaged=tuple(damaged))


def blob_path(folder: Path, sha256: str) -> Path:
    """Where a blob lives in a content-addressed folder: two-character fan-out."""
    return Path(folder) / sha256[:2] / sha256


def copy_new_blobs(session: Session, folder: Path) -> BlobCopy:
    """Write every blob that `folder` lacks as `folder/ab/abcdef…` (fsynced, atomic rename);
    a file already there with the right name is trusted by name, so a run costs only the
    new photos. A damaged blob is skipped and listed, the others are still copied."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = present = size = 0
    damaged = []
    for digest in session.scalars(select(PhotoBlob.sha256).order_by(PhotoBlob.sha256)):
        target = blob_path(folder, digest)
        if target.exists():
            present += 1
            continue
        try:
            data = get_blob(session, digest)
        except PhotoDamaged:
            damaged.append(digest)
            continue
        target.parent.mkdir(exist_ok=True)
        partial = target.with_name(target.name + ".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
        written += 1
        size += len(data)
    return BlobCopy(written=written, already_there=present, bytes_written=size,
                    damaged=tuple(damaged))


def restore_missing_blobs(session: Session, folder: Path) -> int:
    """Put back, from a content-addressed folder, blobs referenced by name but absent here;
    each file is verified against its name first. Returns how many were restored."""
    folder = Path(folder)
    restored = 0
    for path in sorted(folder.glob("??/*")):
        digest = path.name
        if len(digest) != 64 or session.get(PhotoBlob, digest) is not None:
            continue
        data = path.read_bytes()
        if sha256_hex(data) != digest:
            raise PhotoDamaged(f"{path} does not match its name: the backup copy is damaged")
        session.add(PhotoBlob(sha256=digest, byte_size=len(data), data=data))
        restored += 1
    return restored


def stored_bytes(session: Session) -> int:
    """Total size of all stored photo bytes."""
    return int(session.scalar(select(func.coalesce(func.sum(PhotoBlob.byte_size), 0))))
