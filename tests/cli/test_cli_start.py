"""The command line starts with Python's cyclic garbage collector paused (bench/README.md,
"Start-up imports"), turns it back on before a command runs, and leaves it as it found it."""
from __future__ import annotations

import gc

import pytest

from app.cli import main
from app.cli import parser as cli_parser
from app.cli.common import CliError


@pytest.fixture
def observed(monkeypatch):
    """gc.isenabled() while the parser is built and when the command is about to run."""
    seen: dict[str, bool] = {}
    build = cli_parser.build_parser

    def building():
        seen["start"] = gc.isenabled()
        return build()

    def command(_args):
        seen["command"] = gc.isenabled()
        raise CliError("stopped before the command")

    monkeypatch.setattr(cli_parser, "build_parser", building)
    monkeypatch.setattr(cli_parser, "refuse_unsigned_server", command)
    return seen


@pytest.mark.parametrize("before", [True, False])
def test_collector_paused_at_start_on_for_the_command_then_as_before(observed, before, tmp_path):
    (gc.enable if before else gc.disable)()
    try:
        assert main(["--db", str(tmp_path / "clinic.db"), "check"]) == 1
        assert observed == {"start": False, "command": True}
        assert gc.isenabled() is before
    finally:
        gc.enable()


def test_collector_restored_after_an_argument_error(observed):
    gc.enable()
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    assert observed == {"start": False} and gc.isenabled()
