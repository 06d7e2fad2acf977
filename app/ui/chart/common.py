"""What the pyqtgraph charts share: colours, axis labels, dates on the x axis, text symbols.

Imported only when the first chart is shown (it imports pyqtgraph;
docs/house_style.md "start-up is sacred").
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen, QTransform

EPISODE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                   "#e377c2", "#17becf")
HIGH_COLOUR = "#b3261e"
LOW_COLOUR = "#1f5fbf"
BAND_BRUSH = (46, 160, 67, 40)
DOSE_COLOUR = "#7b3fa0"
_configured = False


def configure() -> None:
    """White charts with black text and antialiasing (once, when the first chart is made)."""
    global _configured
    if not _configured:
        # Curves ask for antialiasing themselves; axes, grids and bands are straight lines
        # that draw several times faster without it.
        pg.setConfigOptions(antialias=False, background="w", foreground="k")
        _configured = True


def episode_colour(n: int) -> str:
    return EPISODE_COLOURS[n % len(EPISODE_COLOURS)]


def label_axis(plot: pg.PlotItem, side: str, text: str) -> None:
    """An axis label with its unit written in the text; no automatic SI prefixes."""
    axis = plot.getAxis(side)
    axis.enableAutoSIPrefix(False)
    axis.setLabel(text)


def fixed_units(plot: pg.PlotItem) -> None:
    """No automatic SI prefix on any axis of `plot`, hidden ones included: with it, each
    range change re-renders the axis label's HTML (a hidden axis too), several per chart."""
    for side in ("left", "bottom", "right", "top"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def date_seconds(day: dt.date) -> float:
    """A calendar date as the seconds pg.DateAxisItem expects (UTC midnight)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()


def set_date_axis(plot: pg.PlotItem, label: str) -> None:
    """Dates on the bottom axis (pg.DateAxisItem; docs/house_style.md "charts")."""
    axis = pg.DateAxisItem(orientation="bottom", utcOffset=0)
    plot.setAxisItems({"bottom": axis})
    label_axis(plot, "bottom", label)


@lru_cache(maxsize=None)
def text_symbol(text: str, rise: float = 0.0) -> QPainterPath:
    """A scatter symbol drawn as a letter ("H", "L"), scaled to the unit box and centred
    `rise` boxes above its point (so it labels a marker without covering it)."""
    path = QPainterPath()
    font = QFont()
    font.setBold(True)
    path.addText(0, 0, font, text)
    box = path.boundingRect()
    scale = 1.0 / max(box.width(), box.height())
    transform = QTransform().scale(scale, scale).translate(
        -box.x() - box.width() / 2, -box.y() - box.height() / 2 - rise / scale)
    return transform.map(path)


@lru_cache(maxsize=None)
def symbol_pen(name: str, width: float = 1.0) -> QPen:
    """One pen per colour and width for scatter symbols: pyqtgraph's symbol atlas keys its
    cache on the pen object, so a new pen at each setData draws the symbol again and grows
    the atlas with every chart shown. Shared: never change it."""
    return pg.mkPen(name, width=width)


@lru_cache(maxsize=None)
def symbol_brush(name: str, alpha: int = 255) -> QBrush:
    """One brush per colour for scatter symbols (as symbol_pen)."""
    return pg.mkBrush(colour(name, alpha))


def colour(name: str, alpha: int = 255) -> QColor:
    c = QColor(name)
    c.setAlpha(alpha)
    return c
