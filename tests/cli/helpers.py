"""Run the command line: in a subprocess, as staff scripts do (run_cli), or in this process
through app.cli.main (call_cli, the same parser and handlers without an interpreter start).

Both return a CompletedProcess and ignore the caller's database and sign-in variables.
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CALLER_VARIABLES = ("DFU_MONITOR_DB", "DFU_MONITOR_USER", "DFU_MONITOR_PASSWORD")


def run_cli(*args: str, env: dict | None = None, input_text: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in CALLER_VARIABLES}
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, env=environment, input=input_text, timeout=timeout,
                          cwd=ROOT)


def call_cli(*args: str, env: dict | None = None,
             input_text: str | None = None) -> subprocess.CompletedProcess:
    """app.cli.main(args) here, with `env` set and `input_text` as a non-terminal stdin."""
    from app.cli import main

    saved_env = {name: os.environ.get(name) for name in (*CALLER_VARIABLES, *(env or {}))}
    saved_stdin = sys.stdin
    out, err = io.StringIO(), io.StringIO()
    try:
        for name in CALLER_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(env or {})
        sys.stdin = io.StringIO(input_text or "")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse: --help, --version, a usage error
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdin = saved_stdin
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
