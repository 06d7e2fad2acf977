"""The floors the libraries set: what the same work costs with no application code at all.

- `fetch_patient_rows`: the rows one patient's chart, summary and report read, fetched with the
  sqlite3 driver and nothing else (no ORM objects, no metrics).
- `bare_report`: a reportlab document holding the same tables as the clinician report, filled
  from those raw rows with `str()`, in the same bundled TrueType font (embedding a Unicode
  font is a cost the library sets for any report that must print every script).
The pyqtgraph floor of the chart metric lives in probe_gui.py (it needs Qt).
"""
from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from app.resources import font_path

_LIVE_VISITS = "SELECT id FROM visit WHERE patient_id = ? AND deleted_at IS NULL"
PATIENT_QUERIES = {
    "patient": "SELECT * FROM patient WHERE id = ?",
    "visit": "SELECT * FROM visit WHERE patient_id = ? AND deleted_at IS NULL "
             "ORDER BY visit_date",
    "ulcer": "SELECT * FROM ulcer WHERE patient_id = ? ORDER BY id",
    "assessment": f"SELECT * FROM assessment WHERE visit_id IN ({_LIVE_VISITS})",
    "lab_result": f"SELECT * FROM lab_result WHERE visit_id IN ({_LIVE_VISITS})",
    "perfusion_imaging": f"SELECT * FROM perfusion_imaging WHERE visit_id IN ({_LIVE_VISITS})",
    "treatment": f"SELECT * FROM treatment WHERE visit_id IN ({_LIVE_VISITS}) ORDER BY id",
    "adverse_event": "SELECT * FROM adverse_event WHERE patient_id = ? AND deleted_at IS NULL "
                     "ORDER BY onset_date, id",
}
SETTINGS_QUERIES = {"setting": "SELECT * FROM setting",
                    "reference_range": "SELECT * FROM reference_range"}


def connect(path: Path) -> sqlite3.Connection:
    """A plain driver connection, opened once and reused (as the application's pool does)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def fetch_patient_rows(connection: sqlite3.Connection, patient_id: int
                       ) -> dict[str, list[tuple]]:
    """Every row of one patient that load_history reads, plus the clinic settings."""
    rows = {name: connection.execute(sql, (patient_id,)).fetchall()
            for name, sql in PATIENT_QUERIES.items()}
    for name, sql in SETTINGS_QUERIES.items():
        rows[name] = connection.execute(sql).fetchall()
    return rows


def column_names(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


_registered = False


def _register_font() -> str:
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("BenchFloorSans", str(font_path("DejaVuSans.ttf"))))
        _registered = True
    return "BenchFloorSans"


def _table(header: list[str], body: list[list[str]], font: str):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table([header] + body, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 7),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    return table


def _facts(pairs: list[tuple[str, object]], font: str):
    """Label–value pairs two to a row, as the report's fact tables are."""
    flat = [cell for pair in pairs for cell in (pair[0], str(pair[1]))]
    body = [flat[i:i + 4] + [""] * (4 - len(flat[i:i + 4])) for i in range(0, len(flat), 4)]
    return _table(body[0], body[1:], font)


def bare_report(rows: dict[str, list[tuple]], names: dict[str, list[str]]) -> bytes:
    """A bare platypus document with the clinician report's tables: patient facts; for each
    episode its facts, metrics and assessment table; pain facts; lab and perfusion table;
    exosome doses and standard care; adverse events."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    font = _register_font()
    story = []
    patient = dict(zip(names["patient"], rows["patient"][0]))
    story.append(_facts([(k, patient[k]) for k in list(patient)[:10]], font))
    visit_date = {v[0]: v[2] for v in rows["visit"]}
    a_names = names["assessment"]
    for ulcer in rows["ulcer"]:
        u = dict(zip(names["ulcer"], ulcer))
        story.append(_facts([(k, u[k]) for k in list(u)[:6]], font))
        story.append(_facts([(k, u[k]) for k in list(u)[:9]], font))
        story.append(_facts([(k, u[k]) for k in list(u)[:2]], font))
        assessed = sorted((dict(zip(a_names, a)) for a in rows["assessment"]
                           if a[a_names.index("ulcer_id")] == u["id"]),
                          key=lambda a: visit_date[a["visit_id"]])
        body = [[str(visit_date[a["visit_id"]]), str(a["id"]), str(a["length_cm"]),
                 str(a["width_cm"]), str(a["depth_cm"]), str(a["traced_area_cm2"]),
                 str(a["granulation_pct"]), f"{a['granulation_pct']}/{a['epithelial_pct']}/"
                 f"{a['slough_pct']}/{a['necrotic_pct']}", str(a["exudate"]), str(a["closed"])]
                for a in assessed]
        story.append(_table(["Date", "Day", "L", "W", "D", "Area", "PAR", "Tissue", "Exudate",
                             "Closed"], body, font))
    story.append(_facts([("VAS", v[4]) for v in rows["visit"][:4]], font))
    l_names = names["lab_result"]
    by_analyte: dict[str, list[dict]] = {}
    for lab in rows["lab_result"]:
        record = dict(zip(l_names, lab))
        by_analyte.setdefault(record["analyte"], []).append(record)
    body = [[analyte, labs[0]["unit"], f"{labs[0]['value']} ({labs[0]['collected_on']})",
             f"{labs[-1]['value']} ({labs[-1]['collected_on']})",
             str(labs[-1]["value"] - labs[0]["value"]),
             f"{labs[0]['ref_low']}-{labs[0]['ref_high']}", str(labs[-1]["flag"])]
            for analyte, labs in by_analyte.items()]
    story.append(_table(["Measure", "Unit", "Baseline", "Latest", "Change", "Range", "Flag"],
                        body, font))
    treatments = [[str(x) for x in t[:9]] for t in rows["treatment"]]
    story.append(_table(["Date", "Site", "Product", "Source", "Lot", "Dose", "Volume", "Route",
                         "MSC"], treatments, font))
    story.append(_table(["Date", "Site", "Debridement", "Dressing", "Offloading",
                         "Antibiotics"], [t[:6] for t in treatments], font))
    events = [[str(x) for x in e[:7]] for e in rows["adverse_event"]]
    story.append(_table(["Onset", "Event", "Grade", "Serious", "Relatedness", "Outcome",
                         "Resolved"], events, font))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()
