"""Bundled report fonts, per-run font fallback, and Arabic/Hebrew shaping for reportlab.

Names in any script must print (docs/reliability.md "Input"). reportlab draws one font per run, so
text is cut into runs, each in the first bundled font that has every glyph of the run. Arabic is
shaped with arabic-reshaper and reordered with python-bidi (the Unicode bidirectional algorithm,
UAX #9) before it is cut, since reportlab's own RTL path needs `rlbidi`, which is not on PyPI.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from app.resources import font_path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CJK = "DroidSansFallback"
EMOJI = "NotoEmoji"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf",
         CJK: "DroidSansFallback.ttf", EMOJI: "NotoEmoji-Regular.ttf"}

# Invisible joiners and variation selectors: no font draws them, and without a shaper they only
# leave boxes. Bidi controls are dropped once the bidi algorithm has used them.
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
              0x2066, 0x2067, 0x2068, 0x2069, 0xFE0E, 0xFE0F}


@dataclass(frozen=True)
class Run:
    font: str
    text: str


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, but with UTF-16 surrogate pairs for code points above U+FFFF.

    reportlab 4–5 writes them as five hex digits, so emoji read back as the wrong characters
    (PDF 1.7, 9.10.3: the destination string of a bfchar is UTF-16BE).
    """
    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
             "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
             "1 begincodespacerange", "<00> <%02X>" % (len(subset) - 1), "endcodespacerange",
             f"{len(subset)} beginbfchar"]
    lines += ["<%02X> <%s>" % (i, utf16(code)) for i, code in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end",
              "end"]
    return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def register_fonts() -> dict[str, frozenset[int]]:
    """Register the bundled fonts with reportlab once per process; returns each font's cmap."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfbase.ttfonts import TTFont

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # Charts start each drawing in Helvetica, which would sit unembedded in every PDF.
    from reportlab.graphics import shapes

    shapes.STATE_DEFAULTS["fontName"] = REGULAR
    # No validation of every chart shape's attributes (40,000 checked assignments a report);
    # the PDFs are byte-identical without it (bench/README.md, "PDF").
    from reportlab import rl_config

    rl_config.shapeChecking = 0
    coverage = {}
    for name, filename in FILES.items():
        path = font_path(filename)  # package data (app/resources/fonts); raises when missing
        font = TTFont(name, str(path), shapable=False)
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    # <b> inside a paragraph maps each family to its bold face; only DejaVu has one.
    for name in FILES:
        bold = BOLD if name in (REGULAR, BOLD) else name
        regular = REGULAR if name in (REGULAR, BOLD) else name
        addMapping(name, 0, 0, regular)
        addMapping(name, 1, 0, bold)
        addMapping(name, 0, 1, regular)
        addMapping(name, 1, 1, bold)
    return coverage


def _is_emoji(code: int) -> bool:
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def visual_order(text: str) -> str:
    """Shape Arabic and put right-to-left runs in display order; other text is unchanged."""
    if not _has_rtl(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def font_runs(text: str, *, base: str = REGULAR) -> list[Run]:
    """Cut text (already in visual order) into runs, each drawable by one bundled font.

    The chain is the base font, DejaVu Sans, the CJK font, then Noto Emoji; emoji prefer the
    emoji font so they all look alike. A character no font has stays in the base font.
    """
    if _plain_in(base).issuperset(map(ord, text)):  # the common case: one run, no search
        return [Run(base, text)] if text else []
    coverage = register_fonts()
    chain = [base] + [f for f in (REGULAR, CJK, EMOJI) if f != base]
    runs: list[Run] = []
    for ch in text:
        code = ord(ch)
        if code in _INVISIBLE:
            continue
        order = ([EMOJI] + chain) if _is_emoji(code) else chain
        font = next((f for f in order if code in coverage[f]), base)
        if runs and runs[-1].font == font:
            runs[-1] = Run(font, runs[-1].text + ch)
        else:
            runs.append(Run(font, ch))
    return runs


@functools.lru_cache(maxsize=8)
def _plain_in(base: str) -> frozenset[int]:
    """The characters `base` draws itself in font_runs: covered, visible, not an emoji."""
    return frozenset(code for code in register_fonts()[base]
                     if code not in _INVISIBLE and not _is_emoji(code))


def plain_in(text: str, base: str = REGULAR) -> bool:
    """`text` draws in `base` alone, as typed: no fallback run, nothing right to left, no
    control character (markup() would leave it as it is)."""
    if text.isascii():  # every bundled face has printable ASCII
        return text.isprintable()
    return _plain_unicode(text, base)


@functools.lru_cache(maxsize=4096)
def _plain_unicode(text: str, base: str) -> bool:
    return (_plain_in(base).issuperset(map(ord, text)) and not _has_rtl(text)
            and not any(unicodedata.category(ch)[0] == "C" for ch in text))


def markup(text: object, *, base: str = REGULAR) -> str:
    """Paragraph markup for untrusted text: escaped, shaped, and with fallback <font> tags."""
    runs = font_runs(visual_order(str(text)), base=base)
    return "".join(escape(r.text) if r.font == base
                   else f'<font name="{r.font}">{escape(r.text)}</font>' for r in runs)


def string_width(text: str, size: float, *, base: str = REGULAR) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(r.text, r.font, size)
               for r in font_runs(visual_order(text), base=base))


def draw_text(canvas, x: float, y: float, text: str, *, size: float, base: str = REGULAR,
              align: str = "left") -> float:
    """Draw one line on a reportlab canvas with per-run fallback; returns its width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = font_runs(visual_order(text), base=base)
    width = sum(stringWidth(r.text, r.font, size) for r in runs)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    for run in runs:
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, run.text)
        x += stringWidth(run.text, run.font, size)
    return width
