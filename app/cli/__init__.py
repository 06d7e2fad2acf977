"""The command line (docs/product.md): the same services as the window, for staff scripts.

`main` is the `dfu-monitor-cli` script and main.py; `gui_main` is the `dfu-monitor` window
script. The parser and dispatch are in app.cli.parser, the commands in the modules listed by
app.cli.registry. Nothing is imported here until one of these is called.
"""
from __future__ import annotations

from typing import Sequence

__all__ = ["gui_main", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (exit status 0, or 1 with one line on stderr); no command opens the
    window."""
    from app.cli.parser import run

    return run(argv)


def gui_main(args=None) -> int:
    """Open the window (`args`: parsed global options, or None for the defaults)."""
    from app.cli.parser import open_window

    return open_window(args)
