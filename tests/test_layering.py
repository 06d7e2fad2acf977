"""docs/house_style.md: nothing outside app/ui imports PySide6 or pyqtgraph."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def non_ui_modules() -> list[str]:
    modules = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = relative.parts
        if parts[:2] == ("app", "ui") or "migrations" in parts:
            continue
        modules.append(".".join(p for p in parts if p != "__init__"))
    return modules


def test_non_ui_modules_do_not_load_qt():
    modules = non_ui_modules()
    assert "app.domain.episodes" in modules and "app.cli" in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph'))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_startup_modules_do_not_import_heavy_libraries():
    code = ("import sys\nimport app.cli.parser\napp.cli.parser.build_parser()\n"
            "print(','.join(sorted(m for m in ('reportlab', 'numpy', 'pyqtgraph', 'pandas')"
            " if m in sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
