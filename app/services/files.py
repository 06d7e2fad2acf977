"""Writing files so that a crash or a power cut never leaves half of one.

Every file the program writes for people (exports, reports, visit sheets, drafts) goes through
`atomic_output`: a temporary file beside the target, fsync, rename over the target, fsync of the
folder. The target is either the old file or the whole new one.
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from app.services.errors import UserError


class CannotWrite(UserError, OSError):
    """A file could not be written; the message says which and why. Also an OSError, so
    callers that handle disk errors generically still catch it."""


@contextmanager
def atomic_output(path: Path, *, binary: bool = False, private: bool = False) -> Iterator[IO]:
    """Yield a file to write; on success it replaces `path` whole, on error `path` is untouched.

    `private` files (drafts holding patient data) are readable by their owner only.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise CannotWrite(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise CannotWrite(f"folder {path.parent} does not exist")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o600 if private else 0o666)
        with (os.fdopen(descriptor, "wb") if binary
              else os.fdopen(descriptor, "w", encoding="utf-8", newline="")) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, CannotWrite):
            raise
        raise CannotWrite(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def write_text_atomically(path: Path, text: str, *, private: bool = False) -> None:
    with atomic_output(path, private=private) as handle:
        handle.write(text)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    with atomic_output(path, binary=True) as handle:
        handle.write(data)


def fsync_directory(directory: Path) -> None:
    """Make a rename durable; some platforms cannot open a folder, which is fine there."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
