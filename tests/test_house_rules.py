"""The house rules of issue 10 that tools do not check: modules small enough to read in one
sitting (at most 400 lines), functions under 60 lines, at most 8 modules directly in app/ui,
and no `# noqa` without a rule (ruff's RUF100 checks that each one is needed)."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def app_modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def test_no_module_over_400_lines():
    long = {str(p.relative_to(APP)): n for p in app_modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_over_60_lines():
    long = {}
    for path in app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(APP)}:{node.name}"] = length
    assert long == {}


def test_at_most_8_modules_directly_in_app_ui():
    modules = sorted(p.name for p in (APP / "ui").glob("*.py"))
    assert len(modules) <= 8, modules


def test_every_noqa_names_a_rule():
    bare = [f"{p.relative_to(APP)}:{n}" for p in app_modules()
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if "# noqa" in line and "# noqa:" not in line]
    assert bare == []
