"""Package data: the report fonts and their licences, the application icon, the desktop entry.

Everything is read through `importlib.resources`, so the same code finds the files in a
checkout, in an installed wheel and in a PyInstaller bundle. No Qt here: the report code and
the About text use these helpers too. Where a library needs a real file name (reportlab
registers fonts by path), a resource that is not already a file on disk (a zip import) is
extracted once with `as_file` and kept until the process exits.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

APP_ID = "dfu-monitor"
ICON_SIZES = (16, 32, 48, 64, 128, 256)

# Licence files shipped beside the fonts: the font, what it covers, its licence (fonts/README.md).
FONT_LICENCES = {
    "LICENSE-DejaVu.txt": "DejaVu Sans (report text and headings): Bitstream Vera licence, "
                          "DejaVu changes in the public domain",
    "LICENSE-DroidSansFallback.txt": "Droid Sans Fallback (Chinese, Japanese, Korean): "
                                     "Apache-2.0",
    "LICENSE-NotoEmoji-OFL.txt": "Noto Emoji (emoji): SIL Open Font License 1.1",
}


def resource(*parts: str) -> Traversable:
    """A file or folder of the package data, e.g. resource("fonts", "DejaVuSans.ttf").
    Beside this module when it is there (a checkout, a wheel, a bundle's data: what `files`
    answers then, without its ~1 ms of loader look-ups at start-up); else importlib's."""
    beside = Path(__file__).parent.joinpath(*parts)
    if beside.exists():
        return beside
    node = files(__name__)
    for part in parts:
        node = node.joinpath(part)
    return node


@functools.cache
def _extraction_stack() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    return stack


def real_path(node: Traversable) -> Path:
    """A file-system path for `node`; extracted to a temporary file only when it is not one."""
    if not node.is_file():
        raise FileNotFoundError(f"DFU Monitor resource missing: {node}")
    if isinstance(node, Path):
        return node
    return _extraction_stack().enter_context(as_file(node))


def font_path(name: str) -> Path:
    """The path of a bundled font file, e.g. font_path("DejaVuSans.ttf")."""
    return real_path(resource("fonts", name))


def icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG (size None) or the square PNG of one of ICON_SIZES."""
    if size is None:
        return real_path(resource("icons", f"{APP_ID}.svg"))
    if size not in ICON_SIZES:
        raise ValueError(f"no {size}px icon; sizes: {', '.join(map(str, ICON_SIZES))}")
    return real_path(resource("icons", f"{APP_ID}-{size}.png"))


def icon_paths() -> list[Path]:
    """Every PNG size of the icon, smallest first (for a window icon with all its sizes).
    The folder is looked up once (each `resource()` asks importlib again: ~0.2 ms)."""
    folder = resource("icons")
    return [real_path(folder.joinpath(f"{APP_ID}-{size}.png")) for size in ICON_SIZES]


def licence_texts() -> dict[str, str]:
    """The bundled fonts' licences, read from the files shipped with them: {what: text}."""
    folder = resource("fonts")
    texts = {}
    for filename, covers in FONT_LICENCES.items():
        texts[covers] = folder.joinpath(filename).read_text(encoding="utf-8")
    return texts
