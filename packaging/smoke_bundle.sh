#!/usr/bin/env bash
# Smoke test of the built bundle (make dist first, or: make dist-check), as a clinic PC runs it:
# from a temporary folder, with no Python of ours on the PATH and a user data folder of its own.
#   - the command line: --version, init, seed-demo --patients 20, summary, report (DejaVu
#     embedded), report --seen-since with two processes (the frozen multiprocessing path),
#     check, cohort, export-fhir, backup, init --encrypt (modules imported by name), and
#     photo card / photo measure on a PNG and a HEIC file (OpenCV, pi-heif);
#   - the window, offscreen, on the demo clinic: it paints the main window once, saves a
#     screenshot and quits (app/ui/smoke.py, DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT=1); then the
#     same on a real X server when xvfb-run is there (the bundled X11 libraries must load);
#   - the size of the bundle (the limit: 250 MB, issue 15).
#   packaging/smoke_bundle.sh [BUNDLE_DIR]     (default dist/dfu-monitor)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$(cd "${1:-$root/dist/dfu-monitor}" && pwd)"
limit_mb="${DFU_MONITOR_BUNDLE_LIMIT_MB:-250}"
work="$(mktemp -d "${TMPDIR:-/tmp}/dfu-bundle.XXXXXX")"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
cli="$bundle/dfu-monitor-cli"
gui="$bundle/dfu-monitor"
[ -x "$cli" ] && [ -x "$gui" ] || { echo "FAIL: no bundle at $bundle (run make dist)"; exit 1; }

cd "$work"
export QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$work/data" PATH=/usr/bin:/bin:/usr/local/bin
unset PYTHONPATH PYTHONHOME DFU_MONITOR_DB VIRTUAL_ENV
db="$work/clinic.db"

step "dfu-monitor-cli --version"
if "$cli" --version; then :; else echo "WARN: no --version in this build"; fi

step "init, seed-demo --patients 20, summary, report"
"$cli" --db "$db" init
"$cli" --db "$db" seed-demo --patients 20
"$cli" --db "$db" summary --mrn D-00001 | head -5
"$cli" --db "$db" report --mrn D-00001 -o r.pdf
test -s r.pdf || { echo "FAIL: no report"; exit 1; }
if command -v pdffonts >/dev/null; then
  pdffonts r.pdf | grep -q "DejaVuSans .*TrueType.*yes" || { echo "FAIL: DejaVu not embedded"; exit 1; }
  echo "r.pdf embeds DejaVu Sans"
fi
"$cli" --db "$db" report --seen-since 2000-01-01 -o reports --jobs 2 | tail -1
[ "$(ls reports | wc -l)" -ge 10 ] || { echo "FAIL: too few reports from two processes"; exit 1; }
"$cli" --db "$db" check
"$cli" --db "$db" cohort | head -3
"$cli" --db "$db" export-fhir fhir.json
"$cli" --db "$db" backup backup.db
if "$cli" photo --help >/dev/null 2>&1; then
  step "photo card and photo measure (OpenCV; a HEIC photo through pi-heif)"
  "$cli" photo card --pdf card.pdf
  "$cli" photo card --png card.png --dpi 150
  "$cli" photo measure card.png --box 10,10,200,200 --json
  # An iPhone-like HEIC photo (pi-heif) of a 6.0 cm² wound beside the card: calibrated, then
  # outlined by GrabCut from a box, so the bundle's OpenCV measures what the tests' OpenCV does.
  "$cli" photo measure "$root/tests/data/photos/scene11_800x600.heic" --box 261,335,333,417 \
    --json >heic.json
  grep -q '"calibrated": true' heic.json || { echo "FAIL: the HEIC photo was not calibrated"; exit 1; }
  area="$(sed -n 's/.*"area_cm2": \([0-9.]*\).*/\1/p' heic.json)"
  awk -v a="$area" 'BEGIN { exit !(a >= 5.7 && a <= 6.3) }' \
    || { echo "FAIL: the HEIC wound measured ${area:-nothing} cm², not 6.0 ± 0.3"; exit 1; }
  echo "scene11_800x600.heic: calibrated, wound $area cm² (true area 6.0)"
else
  echo "WARN: no photo command in this build"
fi
if [ -d "$bundle/_internal/sqlcipher3" ]; then  # built with the crypto extra
  DFU_MONITOR_PASSPHRASE="smoke-test-passphrase" "$cli" --db encrypted.db init --encrypt
fi

step "the window paints (offscreen, demo clinic)"
mkdir -p "$XDG_DATA_HOME/dfu-monitor"
"$cli" --db "$XDG_DATA_HOME/dfu-monitor/demo.db" seed-demo --patients 20 >/dev/null
DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT=1 DFU_MONITOR_SMOKE_SCREENSHOT="$work/window.png" \
  DFU_MONITOR_SMOKE_TIMEOUT=120 timeout 180 "$gui" --demo
test -s "$work/window.png" || { echo "FAIL: no screenshot"; exit 1; }
if command -v xvfb-run >/dev/null; then  # a real X server: the bundled xcb libraries load
  step "the window paints on X11 (Xvfb, the xcb platform plugin)"
  env -u QT_QPA_PLATFORM DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT=1 DFU_MONITOR_SMOKE_TIMEOUT=120 \
    DFU_MONITOR_SMOKE_SCREENSHOT="$work/window-x11.png" \
    timeout 180 xvfb-run -a -s "-screen 0 1600x1000x24" "$gui" --demo
  test -s "$work/window-x11.png" || { echo "FAIL: no screenshot on X11"; exit 1; }
else
  echo "WARN: no xvfb-run: the xcb platform plugin was not tried"
fi
[ -z "${KEEP:-}" ] || echo "screenshot: $work/window.png"

step "size"
size_mb=$(( $(du -sk "$bundle" | cut -f1) / 1024 ))
echo "bundle: ${size_mb} MB (limit ${limit_mb} MB)"
du -sk "$bundle"/_internal/* | sort -n | tail -6 | awk '{printf "  %5d MB  %s\n", $1/1024, $2}'
if [ "$size_mb" -ge "$limit_mb" ]; then
  echo "OVER THE LIMIT: ${size_mb} MB >= ${limit_mb} MB"
  [ -n "${DFU_MONITOR_ALLOW_BIG_BUNDLE:-}" ] || exit 1
fi

step "done: the bundle works"
