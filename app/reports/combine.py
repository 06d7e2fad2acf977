"""Many reports as one PDF to print in one go (the batch, issue 11 "Printing"), with a
bookmark per report. pypdf copies the pages as they are: fonts, charts and text stay vector."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence


def combine_pdfs(parts: Sequence[tuple[str, Path]]) -> tuple[bytes, int]:
    """The PDFs `parts` ((bookmark title, file) in order) as one document: its bytes and its
    number of pages (b"" and 0 for an empty list)."""
    from pypdf import PdfReader, PdfWriter

    if not parts:
        return b"", 0
    writer = PdfWriter()
    for title, path in parts:
        first = len(writer.pages)
        for page in PdfReader(str(path)).pages:
            writer.add_page(page)
        writer.add_outline_item(title=title, page_number=first)
    writer.add_metadata({"/Title": f"{len(parts)} reports", "/Creator": "DFU Monitor"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), len(writer.pages)
