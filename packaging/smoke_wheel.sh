#!/usr/bin/env bash
# The wheel outside the checkout: build it, install it into a fresh virtual environment in a
# temporary folder (no --system-site-packages, no access to the checkout), and use the
# installed `dfu-monitor-cli` from another directory, as a clinic PC would.
#
#   packaging/smoke_wheel.sh            (PYTHON=... to choose the interpreter; default .venv's)
#   KEEP=1 packaging/smoke_wheel.sh     (keep the temporary folder for a look afterwards)
#
# Dependencies come from the package index through pip's cache (the first run downloads them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/dfu-wheel.XXXXXX")"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

step "copy the sources (tracked and new files, nothing ignored) to $work/src"
mkdir -p "$work/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
   | xargs -0 -I{} sh -c 'test -f "{}" && printf "%s\0" "{}"' \
   | tar --null -T - -cf -) | tar -xf - -C "$work/src"

step "build the wheel"
if "$python" -c 'import setuptools, wheel' 2>/dev/null; then isolation=--no-build-isolation; else isolation=; fi
"$python" -m pip wheel --quiet --no-deps $isolation "$work/src" -w "$work/wheel"
wheel="$(ls "$work"/wheel/dfu_monitor-*.whl)"
ls -l "$wheel"
"$python" - "$wheel" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = ["app/resources/fonts/DejaVuSans.ttf", "app/resources/fonts/LICENSE-DejaVu.txt",
          "app/resources/icons/dfu-monitor.svg", "app/resources/icons/dfu-monitor-256.png",
          "app/migrations/env.py", "app/migrations/script.py.mako",
          "app/migrations/versions/0001_first_schema.py"]
missing = [n for n in needed if n not in names]
if missing:
    sys.exit(f"FAIL: not in the wheel: {missing}")
print(f"{len(names)} files in the wheel, resources and migrations included")
PY

step "install it into a fresh venv"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet "$wheel" 2>&1 | { grep -v "^WARNING: Location" || true; }
rm -rf "$work/src"  # the checkout copy is gone: only the installed package is left

mkdir -p "$work/run" && cd "$work/run"
export PATH="$work/venv/bin:$PATH" QT_QPA_PLATFORM=offscreen
unset PYTHONPATH DFU_MONITOR_DB
export XDG_DATA_HOME="$work/data"  # the user data folder (crash logs, drafts) stays in the temp
db="$work/run/clinic.db"

step "the package is the installed one"
where="$("$work/venv/bin/python" -c 'import app; print(app.__file__)')"
echo "$where"
case "$where" in "$work/venv/"*) ;; *) echo "FAIL: app imported from $where"; exit 1 ;; esac

step "dfu-monitor-cli --version"
if dfu-monitor-cli --version; then :; else echo "WARN: no --version yet"; fi

step "init, seed-demo, summary, report"
dfu-monitor-cli --db "$db" init
dfu-monitor-cli --db "$db" seed-demo --patients 20
mrn="$("$work/venv/bin/python" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT mrn FROM patient ORDER BY id LIMIT 1").fetchone()[0])' "$db")"
echo "patient: $mrn"
dfu-monitor-cli --db "$db" summary --mrn "$mrn" | head -20
dfu-monitor-cli --db "$db" report --mrn "$mrn" -o r.pdf
test -s r.pdf || { echo "FAIL: no report"; exit 1; }
if command -v pdffonts >/dev/null; then
  pdffonts r.pdf
  pdffonts r.pdf | grep -q "DejaVuSans .*TrueType.*yes" || { echo "FAIL: DejaVu Sans not embedded"; exit 1; }
else
  echo "WARN: pdffonts missing (poppler-utils): fonts not checked"
fi

step "photo card and photo measure (when the command exists)"
if dfu-monitor-cli photo --help >/dev/null 2>&1; then
  dfu-monitor-cli photo card --pdf card.pdf
  dfu-monitor-cli photo card --png card.png --dpi 150
  dfu-monitor-cli photo measure card.png --box 10,10,200,200 --json
else
  echo "WARN: no photo command yet"
fi

step "the window paints (offscreen, demo clinic: app/ui/smoke.py)"
mkdir -p "$XDG_DATA_HOME/dfu-monitor"
dfu-monitor-cli --db "$XDG_DATA_HOME/dfu-monitor/demo.db" seed-demo --patients 20 >/dev/null
"$work/venv/bin/python" -c 'from app.ui.smoke import arm_paint_check
arm_paint_check()
from app.cli import main
raise SystemExit(main(["--demo"]))'

step "done: the wheel works outside the checkout"
