"""Read-only table models over the chart's frozen records: visits, treatments, adverse events.

One small generic model (`RecordTableModel`) over a list of rows and a list of columns; each
column says how to show and how to sort its value. The chart tabs put a QSortFilterProxyModel
in front for sorting.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Generic, Sequence, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from app.domain.analytes import ANALYTES
from app.domain.labels import OUTCOME_LABELS, SOURCE_LABELS, dose_quantity, site_label

if TYPE_CHECKING:  # annotations only: the records load with the chart (bench/README.md, 14)
    from app.domain.records import (
        AdverseEventRecord,
        PatientHistory,
        TreatmentRecord,
        VisitRecord,
    )

Row = TypeVar("Row")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("ChartTables", text)


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    display: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    align_right: bool = False
    tooltip: Callable[[Row], str | None] | None = None


class RecordTableModel(QAbstractTableModel, Generic[Row]):
    """Rows of frozen records shown through column definitions (read only)."""

    def __init__(self, columns: Sequence[Column], record_id: Callable[[Row], int] | None = None,
                 parent=None):
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list = []
        self._record_id = record_id

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_content(self, columns: Sequence[Column], rows: Sequence) -> None:
        """New columns and rows at once (a table whose columns depend on the patient)."""
        self.beginResetModel()
        self._columns, self._rows = list(columns), list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self._rows[row]

    def column_texts(self, column: int) -> list[str]:
        """What `column` displays, row by row (the model's order)."""
        display = self._columns[column].display
        return [display(row) for row in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return self._columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == SORT_ROLE:
            key = column.sort_key(row) if column.sort_key else column.display(row)
            return key
        if role == RECORD_ID_ROLE and self._record_id is not None:
            return self._record_id(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# -- formatting ---------------------------------------------------------------------------
def fmt(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """A number for display (rounding is for display only, docs/metrics.md); "—" when missing."""
    if value is None:
        return "—"
    return f"{value:.{decimals}f}" + ("%" if unit == "%" else f" {unit}" if unit else "")


def date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


def _ordinal(value: dt.date | None) -> int:
    return value.toordinal() if value else 0


def _number(value: float | None) -> float:
    return float("-inf") if value is None else float(value)


def _label(value: str | None, labels: dict[str, str]) -> str:
    """A stored value in the words of app.domain.labels (shared with the reports)."""
    return labels.get(value, value.replace("_", " ")) if value else ""


def yes(value: bool) -> str:
    return tr("yes") if value else ""


# -- visits -------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitRow:
    """A visit with what the Visits table shows beside it: each site's area, the doses."""

    visit: VisitRecord
    areas: dict[str, float | None]  # site → area in cm² (0 once closed); None: no size
    closed: frozenset[str]
    exosome: str  # "intralesional EXO-1234; perilesional EXO-1234"


def visit_rows(history: PatientHistory) -> tuple[list[str], list[VisitRow]]:
    """The ulcer sites (in the order they first appeared) and one row per visit, newest
    first; each site gets its own column, so each ulcer reads as a series down the table."""
    sites: list[str] = []
    areas: dict[int, dict[str, float | None]] = {}
    closed: dict[int, set[str]] = {}
    for episode in history.episodes:
        if episode.site not in sites:
            sites.append(episode.site)
        for a in episode.assessments:
            areas.setdefault(a.visit_id, {})[episode.site] = a.area_cm2
            if a.closed:
                closed.setdefault(a.visit_id, set()).add(episode.site)
    doses: dict[int, list[str]] = {}
    for t in history.exosome_doses:
        doses.setdefault(t.visit_id, []).append(
            " ".join(x for x in (t.exosome_route, t.exosome_lot) if x))
    return sites, [VisitRow(v, areas.get(v.id, {}), frozenset(closed.get(v.id, ())),
                            "; ".join(doses.get(v.id, [])))
                   for v in reversed(history.visits)]


def _lab_text(visit: VisitRecord, column: str) -> str:
    lab = visit.labs.get(column)
    if lab is None:
        return "—"
    analyte = ANALYTES[column]
    return f"{lab.value:.{analyte.decimals}f}" + (f" {lab.flag}" if lab.flag in ("H", "L")
                                                 else "")


def _area_column(site: str) -> Column[VisitRow]:
    def shown(r: VisitRow) -> str:
        if site in r.closed:
            return tr("closed")
        return fmt(r.areas[site], 2) if site in r.areas else ""

    return Column(tr("{0}\narea (cm²)").format(site), shown,
                  lambda r: _number(r.areas.get(site)) if site in r.areas else float("-inf"),
                  align_right=True, tooltip=lambda r: site_label(site))


def _who(visit: VisitRecord) -> str:
    clinician, signer = visit.clinician or "", visit.signed_by or ""
    if signer and signer != clinician:
        return tr("{0}, signed {1}").format(clinician, signer) if clinician else signer
    return clinician or signer


def exosome_column(sites: Sequence[str]) -> int:
    """The index of the "Exosome dose" column (the one that gives way to fit the width)."""
    return 3 + len(sites)


def visit_columns(sites: Sequence[str] = ()) -> list[Column[VisitRow]]:
    """Date, one area column per ulcer site, VAS, CRP, exosome doses, next visit, who."""
    return [
        Column(tr("Date"), lambda r: date_text(r.visit.visit_date),
               lambda r: _ordinal(r.visit.visit_date)),
        *(_area_column(site) for site in sites),
        Column(tr("VAS\n(0–10)"), lambda r: fmt(r.visit.vas), lambda r: _number(r.visit.vas),
               align_right=True),
        Column(tr("CRP\n(mg/L)"), lambda r: _lab_text(r.visit, "crp_mg_l"),
               lambda r: _number(r.visit.labs["crp_mg_l"].value
                                 if "crp_mg_l" in r.visit.labs else None), align_right=True),
        Column(tr("Exosome\ndose"), lambda r: r.exosome, tooltip=lambda r: r.exosome or None),
        Column(tr("Next\nvisit"), lambda r: date_text(r.visit.next_visit_date),
               lambda r: _ordinal(r.visit.next_visit_date)),
        Column(tr("Clinician"), lambda r: _who(r.visit),
               tooltip=lambda r: tr("Clinician: {0}; signed by: {1}").format(
                   r.visit.clinician or "—", r.visit.signed_by or "—")),
    ]


# -- treatments and adverse events --------------------------------------------------------
def dose_text(t: TreatmentRecord) -> str:
    if t.exosome_dose is None:
        return "—"
    return dose_quantity(t.exosome_dose, t.exosome_dose_unit)


def _standard_care(t: TreatmentRecord) -> str:
    parts = [tr("debridement") if t.debridement else "", t.dressing or "", t.offloading or "",
             t.antibiotics or ""]
    return ", ".join(p for p in parts if p)


TREATMENT_FLEXIBLE = 8  # "Standard care": the column that gives way to fit the width


def treatment_columns() -> list[Column[TreatmentRecord]]:
    """What traceability needs first (product, lot, dose, route), then the rest."""
    return [
        Column(tr("Date"), lambda t: date_text(t.on), lambda t: _ordinal(t.on)),
        Column(tr("Ulcer"), lambda t: t.site or "—",
               tooltip=lambda t: site_label(t.site) or None),
        Column(tr("Exosome product"), lambda t: t.exosome_product or "—",
               tooltip=lambda t: _label(t.exosome_source, SOURCE_LABELS) or None),
        Column(tr("Lot"), lambda t: t.exosome_lot or "—"),
        Column(tr("Dose"), dose_text, lambda t: _number(t.exosome_dose), align_right=True),
        Column(tr("Route"), lambda t: t.exosome_route or "—"),
        Column(tr("Volume (mL)"), lambda t: fmt(t.exosome_volume_ml, 1),
               lambda t: _number(t.exosome_volume_ml), align_right=True),
        Column(tr("MSC (10⁶ cells)"), lambda t: fmt(t.msc_cells_million, 0) if t.msc_cotherapy
               else "", lambda t: _number(t.msc_cells_million), align_right=True),
        Column(tr("Standard care"), _standard_care, tooltip=_standard_care),
        Column(tr("Source"), lambda t: _label(t.exosome_source, SOURCE_LABELS) or "—"),
    ]


def adverse_event_columns() -> list[Column[AdverseEventRecord]]:
    return [
        Column(tr("Onset"), lambda e: date_text(e.onset_date), lambda e: _ordinal(e.onset_date)),
        Column(tr("Adverse event"), lambda e: e.description),
        Column(tr("CTCAE"), lambda e: str(e.ctcae_grade), lambda e: e.ctcae_grade,
               align_right=True, tooltip=lambda e: tr("CTCAE v5 grade {0}").format(e.ctcae_grade)),
        Column(tr("Serious"), lambda e: yes(e.serious)),
        Column(tr("Relatedness"), lambda e: e.relatedness or "—"),
        Column(tr("Outcome"), lambda e: _label(e.outcome, OUTCOME_LABELS) or "—"),
        Column(tr("Resolved"), lambda e: date_text(e.resolved_on),
               lambda e: _ordinal(e.resolved_on)),
        Column(tr("Open"), lambda e: yes(e.is_open)),
    ]
