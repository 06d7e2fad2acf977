"""The command line (docs/product.md): the same services as the window, for staff scripts.

`main` is the `dfu-monitor-cli` script and main.py; `gui_main` is the `dfu-monitor` window
script. The parser and dispatch are in app.cli.parser, the commands in the modules listed by
app.cli.registry. Nothing is imported here until one of these is called.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator, Sequence

__all__ = ["gui_main", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (exit status 0, or 1 with one line on stderr); no command opens the
    window."""
    with collector_paused_for_start():
        from app.cli.parser import run

        return run(argv)


def gui_main(args=None) -> int:
    """Open the window (`args`: parsed global options, or None for the defaults)."""
    with collector_paused_for_start():
        from app.cli.parser import open_window

        return open_window(args)


@contextmanager
def collector_paused_for_start() -> Iterator[None]:
    """Python's cyclic garbage collector stays off while the program starts: every module
    loaded adds objects it would scan again and again, ~10% of the start-up (bench/README.md,
    "Start-up imports"). A command turns it back on before it runs (app.cli.parser.run); the
    window hands it to its GUI-thread collector (app.ui.gc_guard). Afterwards it is as it
    was."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        (gc.enable if was_on else gc.disable)()
