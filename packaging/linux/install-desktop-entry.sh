#!/usr/bin/env bash
# Put DFU Monitor in the desktop menu of the current user (Linux, freedesktop.org):
# the .desktop file and the icon sizes into ~/.local/share. The entry runs `dfu-monitor`, so
# the program must be on the PATH.
#   packaging/linux/install-desktop-entry.sh PYTHON       the wheel's interpreter (its package)
#   packaging/linux/install-desktop-entry.sh BUNDLE_DIR   a bundle folder (dist/dfu-monitor)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
from="${1:-python3}"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
if [ -d "$from/_internal/app/resources/icons" ]; then
  icons="$from/_internal/app/resources/icons"
else
  icons="$("$from" -c 'from app.resources import icon_path; print(icon_path(16).parent)')"
fi
for size in 16 32 48 64 128 256; do
  install -Dm644 "$icons/dfu-monitor-$size.png" "$data/icons/hicolor/${size}x${size}/apps/dfu-monitor.png"
done
install -Dm644 "$icons/dfu-monitor.svg" "$data/icons/hicolor/scalable/apps/dfu-monitor.svg"
install -Dm644 "$here/dfu-monitor.desktop" "$data/applications/dfu-monitor.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "DFU Monitor added to the menu ($data/applications/dfu-monitor.desktop)"
