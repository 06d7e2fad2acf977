"""Many reports as one PDF to print in one go (the batch, issue 11 "Printing"), with a
bookmark per report. pypdf copies the pages as they are: fonts, charts and text stay vector."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence


def combine_pdfs(parts: Sequence[tuple[str, Path]], out: Path) -> int:
    """Write the PDFs `parts` ((bookmark title, file) in order) into `out` as one document,
    atomically; returns the number of pages. An empty list writes nothing and returns 0."""
    from pypdf import PdfReader, PdfWriter

    from app.services.files import write_bytes_atomically

    if not parts:
        return 0
    writer = PdfWriter()
    for title, path in parts:
        first = len(writer.pages)
        for page in PdfReader(str(path)).pages:
            writer.add_page(page)
        writer.add_outline_item(title=title, page_number=first)
    writer.add_metadata({"/Title": f"{len(parts)} reports", "/Creator": "DFU Monitor"})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_bytes_atomically(Path(out), buffer.getvalue())
    return len(writer.pages)
