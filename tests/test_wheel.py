"""The wheel carries its package data: fonts and their licences, icons, every migration.

Built from a copy of the sources (tracked and new files, nothing ignored), so stale files in
build/ cannot hide a missing one. The full install-and-run check outside the checkout is
packaging/smoke_wheel.sh (make wheel-check).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def source_copy(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the sources")
    pytest.importorskip("setuptools")
    tmp = tmp_path_factory.mktemp("wheel")
    src = source_copy(tmp / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", str(src), "-w", str(tmp / "out")],
                   check=True, capture_output=True, timeout=300)
    [wheel] = (tmp / "out").glob("dfu_monitor-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_resources_are_in_the_wheel(wheel_names):
    resources = [p.relative_to(ROOT).as_posix()
                 for p in (ROOT / "app" / "resources").rglob("*")
                 if p.is_file() and p.suffix in (".ttf", ".txt", ".svg", ".png")]
    assert len(resources) >= 14  # 4 fonts, 3 licences, the SVG and 6 PNG sizes
    assert sorted(set(resources) - wheel_names) == []


def test_every_migration_is_in_the_wheel(wheel_names):
    migrations = [p.relative_to(ROOT).as_posix()
                  for p in (ROOT / "app" / "migrations").rglob("*")
                  if p.is_file() and p.suffix in (".py", ".mako") and "__pycache__" not in p.parts]
    assert "app/migrations/env.py" in migrations
    assert sorted(set(migrations) - wheel_names) == []


def test_nothing_but_the_app_is_packaged(wheel_names):
    tops = {name.split("/")[0] for name in wheel_names}
    assert tops == {"app", next(t for t in tops if t.endswith(".dist-info"))}
