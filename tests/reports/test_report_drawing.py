"""How the report draws: plain-string table cells only where a Paragraph would look the same,
and charts drawn straight onto the canvas (bench/README.md, the PDF lesson)."""
from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.reports.charts import healing_chart, trend_chart
from app.reports.layout import MUTED, data_table, facts_table, make_styles
from tests.reports.support import flat, page_texts


def _cells(table) -> list[list[object]]:
    return table._cellvalues


def test_short_values_are_plain_strings_and_what_must_wrap_or_shape_stays_a_paragraph():
    styles = make_styles()
    long_event = "wound infection with cellulitis spreading up the leg " * 3
    table = data_table(("Date", "Event", "Note"), [
        ["2026-01-02", "fall", "≥ 50% – fine"],
        ["2026-01-03", long_event, "فاطمة"],
        ["2026-01-04", "two  spaces", "王芳"],
    ], styles, widths=[60, 120, 80])
    cells = _cells(table)
    assert cells[0] == ["Date", "Event", "Note"]  # headers that fit: bold strings
    assert cells[1] == ["2026-01-02", "fall", "≥ 50% – fine"]  # non-ASCII DejaVu has
    assert isinstance(cells[2][1], Paragraph)  # too long for its column: it wraps
    assert isinstance(cells[2][2], Paragraph)  # right to left: shaped and reordered
    assert isinstance(cells[3][1], Paragraph)  # a Paragraph collapses the double space
    assert isinstance(cells[3][2], Paragraph)  # CJK: the fallback font's run


def test_a_header_too_wide_for_its_column_still_wraps():
    table = data_table(("Tissue % granulation / epithelial",), [["1"]], make_styles(),
                       widths=[40])
    assert isinstance(_cells(table)[0][0], Paragraph)


def test_facts_table_greys_labels_and_missing_values_only():
    table = facts_table([("Name", "Ann Lee"), ("Sex", None)], make_styles(), width=400)
    assert _cells(table)[0] == ["Name", "Ann Lee", "Sex", "not recorded"]
    styles = table._cellStyles[0]
    assert styles[0].color == MUTED and styles[2].color == MUTED
    assert styles[3].color == MUTED  # "not recorded"
    assert styles[1].color != MUTED


def _pdf_text(flowable, width: float, height: float) -> str:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width + 20 * mm, height + 20 * mm))
    flowable.wrapOn(canvas, width, height)
    flowable.drawOn(canvas, 10 * mm, 10 * mm)
    canvas.showPage()
    canvas.save()
    return flat("\n".join(page_texts(out.getvalue())))


def test_the_healing_chart_draws_its_axes_legend_and_target_on_the_canvas():
    chart = healing_chart(days=[0, 14, 28, 42], areas=[4.0, 3.0, 1.5, 0.5],
                          pars=[0.0, 25.0, 62.5, 87.5], dose_days=[0, 14], width=400,
                          height=150)
    assert chart.wrap(500, 500) == (400, 150)
    text = _pdf_text(chart, 400, 150)
    for expected in ("area (cm²)", "PAR (%)", "target: PAR ≥ 50% at day 28",
                     "exosome dose", "50% at day 28", "days since baseline"):
        assert expected in text
    kinds = [op[0] for op in chart.ops]
    assert kinds.count("circle") == 4 + 1  # four areas and the legend's marker
    assert kinds.count("polyline") == 2  # the area and PAR curves


def test_a_trend_chart_with_one_point_draws_a_marker_and_no_line():
    chart = trend_chart(days=[3], values=[5.0], width=200, height=100, y_label="VAS",
                        x_label="days since first visit", title="Pain")
    kinds = [op[0] for op in chart.ops]
    assert kinds.count("circle") == 1 and "polyline" not in kinds
    assert "Pain" in _pdf_text(chart, 200, 100)
