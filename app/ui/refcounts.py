"""A guard against a reference-count leak of PySide6 6.12.0 on CPython 3.11.

PySide6 6.12.0's abi3 wheels return `None` from void methods and `True` from `Signal.emit`
without a new reference. On CPython 3.11, where those singletons are not yet immortal
(PEP 683 made them so in 3.12), every such call takes one reference away; after some
thousands of calls the count reaches zero and the interpreter aborts ("Fatal Python error:
none_dealloc" / "bool_dealloc"), in the middle of a session or at exit. The benchmark harness
found the same (bench/probe_gui.py). Until a fixed PySide6 is pinned, the window raises the
counts of None, True and False out of reach at start, which is what Python 3.12 does for
every interpreter. On 3.12 and later this does nothing.
"""
from __future__ import annotations

import sys

_applied = False


def keep_singletons_alive() -> bool:
    """Make None, True and False effectively immortal (once); True when it was needed."""
    global _applied
    if sys.version_info >= (3, 12):
        return False
    if not _applied:
        import ctypes

        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
        _applied = True
    return True
