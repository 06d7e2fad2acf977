"""Database problems explained in words a clinic's admin can act on (raised by app.db,
app.db_files and app.db_server; every caller names them as app.db's)."""
from __future__ import annotations


class DatabaseError(Exception):
    """A database problem explained in words a clinic's admin can act on."""


class ReadOnlyDatabase(DatabaseError):
    """The database is open read-only (file or folder read-only, or damaged): nothing saved."""


class DiskFull(DatabaseError):
    """The disk is full: the transaction was rolled back, nothing was saved."""


class PassphraseNeeded(DatabaseError):
    """The file is encrypted (or not SQLite at all) and no passphrase was given."""


class WrongPassphrase(DatabaseError):
    """The passphrase does not open the file; nothing was created or changed."""


class NetworkFileSystem(DatabaseError):
    """The database path is on a network file system, where SQLite corrupts."""


class ServerUnavailable(DatabaseError):
    """The database server went away (network, restart): rolled back, nothing was saved."""


class ServerBusy(DatabaseError):
    """Another workstation held the writer lock too long: nothing was saved."""


DISK_FULL_MESSAGE = ("the disk holding the database is full: nothing was saved. Free some space "
                     "and save again (what you typed is still there).")
