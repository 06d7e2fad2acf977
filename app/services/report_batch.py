"""One batch of reports as the window runs it (Qt-free): what was asked, how far it got, the
layout of one report into its file and the one combined PDF, done on the runner's background
thread (app.ui.printing.batch)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from app.services.report_jobs import BatchResult, SeenPatient


@dataclass
class BatchRun:
    """One run of the dialog: what it asked for and how far it got."""

    since: dt.date
    until: dt.date
    folder: Path
    audience: str
    combine: bool
    patients: list[SeenPatient] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    settings: object = None
    result: BatchResult = field(default_factory=BatchResult)
    written_ids: list[tuple[int, str, Path]] = field(default_factory=list)  # id, MRN, file
    combined: Path | None = None
    combined_pages: int = 0

    @property
    def done(self) -> int:
        return len(self.result.written) + len(self.result.failed)


def combined_name(since: dt.date, until: dt.date, audience: str) -> str:
    suffix = "" if audience == "clinician" else f"-{audience}"
    return f"all-reports-{since.isoformat()}-to-{until.isoformat()}{suffix}.pdf"


def write_one(history, settings, audience: str, printed_by: str, path: Path,
              photos=()) -> Path:
    """Lay out and write one report (Qt-free, on the runner's background thread);
    `photos` from app.services.report_photos.load_report_photos."""
    from app.reports import render_pdf
    from app.services.files import write_bytes_atomically

    write_bytes_atomically(path, render_pdf(history, settings, audience=audience,
                                            printed_by=printed_by, photos=photos))
    return path


def write_combined(parts: list[tuple[str, Path]], target: Path) -> int:
    """The reports `parts` ((bookmark, file) in order) as one PDF at `target`, written
    atomically; returns its pages (0, and nothing written, when there are none)."""
    from app.reports.combine import combine_pdfs
    from app.services.files import write_bytes_atomically

    data, pages = combine_pdfs(parts)
    if pages:
        write_bytes_atomically(Path(target), data)
    return pages
