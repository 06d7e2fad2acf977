"""One combined PDF of many reports: every page in order, a bookmark per report."""
from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.pdfgen import canvas

from app.reports.combine import combine_pdfs


def _pdf(path, pages: int, text: str):
    drawing = canvas.Canvas(str(path))
    for n in range(pages):
        drawing.drawString(72, 720, f"{text} page {n + 1}")
        drawing.showPage()
    drawing.save()
    return path


def test_pages_in_order_with_a_bookmark_per_report(tmp_path):
    parts = [("H-01000", _pdf(tmp_path / "a.pdf", 2, "alpha")),
             ("H-01001", _pdf(tmp_path / "b.pdf", 1, "beta"))]
    data, pages = combine_pdfs(parts)
    assert pages == 3
    reader = PdfReader(io.BytesIO(data))
    texts = [page.extract_text() for page in reader.pages]
    assert ["alpha page 1" in texts[0], "alpha page 2" in texts[1], "beta page 1" in texts[2]] \
        == [True, True, True]
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] \
        == [("H-01000", 0), ("H-01001", 2)]


def test_nothing_to_combine_writes_nothing(tmp_path):
    from app.services.report_batch import write_combined

    assert combine_pdfs([]) == (b"", 0)
    assert write_combined([], tmp_path / "all.pdf") == 0
    assert not (tmp_path / "all.pdf").exists()
