"""The bundle's entry point (PyInstaller): the command line, or the window when no subcommand is
given, exactly as main.py. Both executables of the bundle run this script: `dfu-monitor`
(windowed on Windows and macOS) and `dfu-monitor-cli` (a console program).

With DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT=1 the window paints once, saves a screenshot and quits
(packaging/smoke_bundle.sh; app/ui/smoke.py).
"""
from __future__ import annotations

import multiprocessing
import os
import sys


def main() -> int:
    # `report --seen-since` spreads patients over processes: a frozen child must run the
    # worker, not a second copy of the program.
    multiprocessing.freeze_support()
    if os.environ.get("DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT") == "1":
        from app.ui.smoke import arm_paint_check

        arm_paint_check()
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
