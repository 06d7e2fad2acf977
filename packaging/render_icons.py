"""Render the application icon's PNG sizes from its SVG (a developer tool; the PNGs are committed).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py

Also writes `dfu-monitor.ico` (Windows, every size in one file) next to the spec when asked with
`--ico PATH`; macOS `.icns` is made on a Mac from the PNGs with `iconutil` (see README).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "app" / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def render(svg: Path, size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"not a valid SVG: {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")


def write_ico(out: Path) -> None:
    """A Windows .ico holding every PNG size (Pillow writes it)."""
    from PIL import Image

    images = [Image.open(ICONS / f"dfu-monitor-{size}.png") for size in SIZES]
    images[-1].save(out, format="ICO", sizes=[(s, s) for s in SIZES], append_images=images[:-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    args = parser.parse_args(argv)
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    svg = ICONS / "dfu-monitor.svg"
    for size in SIZES:
        render(svg, size, ICONS / f"dfu-monitor-{size}.png")
    if args.ico:
        write_ico(args.ico)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
