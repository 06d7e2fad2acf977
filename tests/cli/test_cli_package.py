"""The shape of app/cli (an explicit registry, no import cycle), `--version`, and the sign-in:
`--user` with its password, `init --admin`, and a database server refused without a user."""
from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import sys
from pathlib import Path

import pytest

import app
from app.about import app_version as program_version
from app.cli import registry
from app.cli.common import SERVER_NEEDS_USER
from app.cli.parser import CommandParser, build_parser
from app.services.users import MAX_FAILURES
from tests.cli.helpers import call_cli

CLI = Path(app.__file__).with_name("cli")
COMMANDS = {"init", "seed-demo", "check", "import-csv", "export-csv", "summary", "report",
            "cohort", "export-research", "export-fhir", "user", "backup", "restore", "audit"}
PASSWORD = "Tulip-Harbour-4410-unique"
SERVER = "postgresql+psycopg://clinic:hunter2secret@192.0.2.1:5432/clinic"  # TEST-NET: no one


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


# -- the package --------------------------------------------------------------------------------
def _registered_by(module) -> dict[str, argparse.ArgumentParser]:
    commands = argparse.ArgumentParser().add_subparsers(parser_class=CommandParser)
    module.register(commands)
    return dict(commands.choices)


def test_the_registry_lists_every_command_each_with_a_handler():
    commands = _subcommands(build_parser())
    assert COMMANDS <= set(commands)  # none of the existing commands was lost
    assert set(commands) == {name for module in registry.COMMAND_MODULES
                             for name in _registered_by(module)}
    for name, sub in commands.items():
        assert callable(sub.get_default("handler")), name
        options = {o for a in sub._actions for o in a.option_strings}
        assert {"--db", "--user"} <= options, name


@pytest.mark.parametrize("module", registry.COMMAND_MODULES, ids=lambda m: m.__name__)
def test_each_command_module_registers_handlers(module):
    added = _registered_by(module)
    assert added
    for name, sub in added.items():
        handler = sub.get_default("handler")
        assert callable(handler), name


def test_every_module_of_the_package_is_a_command_module_or_infrastructure():
    modules = {p.stem for p in CLI.glob("*.py")}
    listed = {m.__name__.rsplit(".", 1)[1] for m in registry.COMMAND_MODULES}
    unlisted = modules - listed - {"__init__", "common", "parser", "registry"}
    assert not unlisted, f"add {unlisted} to COMMAND_MODULES in app/cli/registry.py"


def _cli_imports(path: Path) -> set[str]:
    """The app.cli modules `path` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.cli"):
            if node.module == "app.cli":
                found |= {f"app.cli.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("app.cli")}
    return found


def test_no_import_cycle_in_the_package_even_through_late_imports():
    graph = {("app.cli" if p.stem == "__init__" else f"app.cli.{p.stem}"): _cli_imports(p)
             for p in CLI.glob("*.py")}
    assert "app.cli.common" in graph["app.cli.records"]  # the graph is really read
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for target in graph.get(module, ()):
            visit(target, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    for module in (m.__name__ for m in registry.COMMAND_MODULES):
        assert not graph[module] & {"app.cli", "app.cli.parser", "app.cli.registry"}, module


@pytest.mark.parametrize("name", sorted(f"app.cli.{p.stem}" for p in CLI.glob("*.py")
                                        if p.stem != "__init__") + ["app.cli"])
def test_each_module_imports_first_on_its_own(name):
    """A fresh import of every app.cli module, each one first: a cycle would fail one."""
    saved = {k: v for k, v in sys.modules.items() if k == "app.cli" or k.startswith("app.cli.")}
    for key in saved:
        del sys.modules[key]
    try:
        module = importlib.import_module(name)
        assert module.__name__ == name
    finally:
        for key in [k for k in sys.modules if k == "app.cli" or k.startswith("app.cli.")]:
            del sys.modules[key]
        sys.modules.update(saved)


def test_version(monkeypatch):
    result = call_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"dfu-monitor {importlib.metadata.version('dfu-monitor')}\n"
    assert program_version() == app.__version__  # one number: pyproject reads app.__version__

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert program_version() == app.__version__


# -- signing in -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def accounts(tmp_path_factory) -> str:
    """A clinic whose first administrator `boss` was made by init --admin, plus nurse.ana."""
    db = str(tmp_path_factory.mktemp("accounts") / "clinic.db")
    created = call_cli("--db", db, "init", "--admin", "boss", input_text=f"{PASSWORD}\n" * 2)
    assert created.returncode == 0, created.stderr
    assert "database created" in created.stdout and "administrator boss created" in created.stdout
    nurse = call_cli("--db", db, "--user", "boss", "user", "add", "nurse.ana", "--role", "nurse",
                     env={"DFU_MONITOR_PASSWORD": PASSWORD}, input_text=f"{PASSWORD}\n" * 2)
    assert nurse.returncode == 0, nurse.stderr
    return db


def _audit(db: str) -> list[dict]:
    import json

    return json.loads(call_cli("--db", db, "audit", "--json").stdout)


def test_init_admin_makes_the_first_administrator_once(accounts):
    again = call_cli("--db", accounts, "init", "--admin", "boss2",
                     input_text=f"{PASSWORD}\n" * 2)
    assert again.returncode == 1 and "an account already exists" in again.stderr
    listing = call_cli("--db", accounts, "user", "list").stdout.split()
    assert listing == ["boss", "admin", "active", "nurse.ana", "nurse", "active"]
    added = [r for r in _audit(accounts) if r["table"] == "app_user" and r["field"] == "username"]
    assert [(r["user"], r["new"]) for r in added] == [("boss", "boss"), ("boss", "nurse.ana")]


def test_right_password_acts_as_that_user_with_their_role(accounts):
    as_nurse = {"DFU_MONITOR_USER": "nurse.ana", "DFU_MONITOR_PASSWORD": PASSWORD}
    listing = call_cli("--db", accounts, "user", "list", env=as_nurse)
    assert listing.returncode == 0 and "nurse.ana" in listing.stdout
    denied = call_cli("--db", accounts, "user", "add", "dr.bo", "--role", "doctor",
                      env=as_nurse, input_text=f"{PASSWORD}\n" * 2)
    assert denied.returncode == 1 and "nurse.ana (nurse) may not" in denied.stderr
    assert call_cli("--db", accounts, "--user", "boss", "backup", str(Path(accounts).with_name(
        "b.db")), env={"DFU_MONITOR_PASSWORD": PASSWORD}).returncode == 0
    logins = [r["user"] for r in _audit(accounts) if r["action"] == "login"]
    assert logins[-3:] == ["nurse.ana", "nurse.ana", "boss"]


def test_wrong_password_is_refused_and_counts_towards_the_lockout(tmp_path):
    db = str(tmp_path / "c.db")
    assert call_cli("--db", db, "init", "--admin", "boss",
                    input_text=f"{PASSWORD}\n" * 2).returncode == 0
    for attempt in range(MAX_FAILURES):
        wrong = call_cli("--db", db, "--user", "boss", "summary", "--mrn", "A",
                         env={"DFU_MONITOR_PASSWORD": f"not it {attempt}"})
        assert wrong.returncode == 1 and wrong.stderr.startswith("error: sign-in refused")
        assert "not it" not in wrong.stderr and len(wrong.stderr.splitlines()) == 1
    locked = call_cli("--db", db, "--user", "boss", "user", "list",
                      env={"DFU_MONITOR_PASSWORD": PASSWORD})
    assert locked.returncode == 1 and "sign-in refused" in locked.stderr
    assert locked.stdout == ""
    unknown = call_cli("--db", db, "--user", "nobody", "user", "list",
                       env={"DFU_MONITOR_PASSWORD": PASSWORD})
    assert unknown.stderr == locked.stderr  # one message, whatever went wrong


def test_a_user_without_password_or_terminal_is_refused(accounts):
    result = call_cli("--db", accounts, "user", "list", env={"DFU_MONITOR_USER": "boss"})
    assert result.returncode == 1 and "DFU_MONITOR_PASSWORD" in result.stderr
    assert result.stdout == ""


def test_unreadable_accounts_refuse_instead_of_trusting(tmp_path):
    from tests.db.helpers import FIXTURE_0001

    old = tmp_path / "old.db"
    old.write_bytes(FIXTURE_0001.read_bytes())  # the first schema: no account table
    result = call_cli("--db", str(old), "--user", "boss", "check",
                      env={"DFU_MONITOR_PASSWORD": PASSWORD})
    assert result.returncode == 1
    assert "sign-in refused: the accounts could not be read" in result.stderr
    assert "check passed" not in result.stdout


def test_a_server_without_a_user_is_refused_before_connecting(monkeypatch):
    from app.db import Database

    def no_connection(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(Database, "open", no_connection)
    for command in (("summary", "--mrn", "A"), ("init",), ("user", "list"), ("check",),
                    ("restore", "backup.dump")):
        result = call_cli("--db", SERVER, *command)
        assert result.returncode == 1, command
        assert result.stderr == f"error: {SERVER_NEEDS_USER}\n"
        assert "hunter2secret" not in result.stderr
    through_env = call_cli("summary", "--mrn", "A", env={"DFU_MONITOR_DB": SERVER})
    assert through_env.stderr == f"error: {SERVER_NEEDS_USER}\n"


def test_an_empty_database_needs_init_admin_before_anyone_can_sign_in(tmp_path):
    db = str(tmp_path / "new.db")
    result = call_cli("--db", db, "--user", "boss", "init", env={"DFU_MONITOR_PASSWORD": "x"})
    assert result.returncode == 1 and "init --admin NAME" in result.stderr
    short = call_cli("--db", db, "init", "--admin", "boss", input_text="short\nshort\n")
    assert short.returncode == 1 and "at least 12" in short.stderr
    assert call_cli("--db", db, "user", "list").stdout == ""  # no account was half-made


def test_on_a_server_init_admin_then_every_command_signs_in(pg_empty_url):
    """Issue 12's sequence on a real (throwaway) PostgreSQL server, in this process."""
    import json

    from tests.conftest import GOLDEN_CSV

    created = call_cli("--db", pg_empty_url, "init", "--admin", "boss",
                       input_text=f"{PASSWORD}\n" * 2)
    assert created.returncode == 0, created.stderr
    assert "database created" in created.stdout and "administrator boss created" in created.stdout
    as_boss = {"DFU_MONITOR_DB": pg_empty_url, "DFU_MONITOR_USER": "boss",
               "DFU_MONITOR_PASSWORD": PASSWORD}
    assert "up to date" in call_cli("init", env=as_boss).stdout  # an upgrade signs in too
    nurse = call_cli("user", "add", "nurse.ana", "--role", "nurse", env=as_boss,
                     input_text=f"{PASSWORD}\n" * 2)
    assert nurse.returncode == 0, nurse.stderr
    as_nurse = {**as_boss, "DFU_MONITOR_USER": "nurse.ana"}
    imported = call_cli("import-csv", str(GOLDEN_CSV), env=as_nurse)
    assert imported.returncode == 0 and "imported 158 rows" in imported.stdout, imported.stderr
    summary = call_cli("summary", "--mrn", "H-01001", "--json", env=as_nurse)
    assert json.loads(summary.stdout)["mrn"] == "H-01001"
    check = call_cli("check", env=as_boss)
    assert check.returncode == 0 and "audit chain ok" in check.stdout, check.stderr
    assert "integrity ok" not in check.stdout  # the server's storage is not checked from here
    unsigned = call_cli("summary", "--mrn", "H-01001", env={"DFU_MONITOR_DB": pg_empty_url})
    assert unsigned.stderr == f"error: {SERVER_NEEDS_USER}\n"
    wrong = call_cli("summary", "--mrn", "H-01001",
                     env={**as_nurse, "DFU_MONITOR_PASSWORD": "not the password"})
    assert wrong.returncode == 1 and "sign-in refused" in wrong.stderr
    again = call_cli("init", "--admin", "boss2", env={"DFU_MONITOR_DB": pg_empty_url},
                     input_text=f"{PASSWORD}\n" * 2)
    assert again.returncode == 1 and "an account already exists" in again.stderr
    authors = {r["user"] for r in json.loads(call_cli("audit", "--json", env=as_boss).stdout)
               if r["table"] == "patient"}
    assert authors == {"nurse.ana"}


def test_the_local_user_of_a_read_only_file_may_only_read(tmp_path):
    from app.cli.common import command_actor
    from app.db import Database

    path = tmp_path / "c.db"
    assert call_cli("--db", str(path), "init").returncode == 0
    db = Database.open(f"sqlite:///{path}", read_only=True)
    try:
        actor = command_actor(argparse.Namespace(db=str(path), user=None), db)
    finally:
        db.dispose()
    assert actor.username.startswith("cli:") and actor.read_only
    assert actor.can("read") and not actor.can("record") and not actor.can("users")
    writable = Database.open(f"sqlite:///{path}")
    try:
        assert command_actor(argparse.Namespace(db=str(path), user=None), writable).can("users")
    finally:
        writable.dispose()
