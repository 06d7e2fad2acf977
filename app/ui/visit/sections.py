"""One assessment section of the visit form: an open ulcer of the patient, or a new ulcer.

Every open ulcer has its own section, shown together: a titled box named `ulcer_<site>` (the
site exactly as recorded; a new ulcer's box is `ulcer_<site>` once its site is typed,
`ulcer_new` until then) holding `lengthCm`, `widthCm`, `depthCm`, `closedCheck` and the tissue
and classification fields (docs/product.md, "Test surface"). A new ulcer's section has a
"Remove" button (`removeUlcerButton`): nothing of it is saved until the visit is."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.labels import site_label
from app.domain.limits import TEXT_LIMITS, TISSUE_FIELDS, validate_size
from app.domain.records import AssessmentRecord
from app.domain.wound import AreaMethod
from app.models.vocab import ETIOLOGIES, EXUDATE_AMOUNTS, MEASURING_METHODS, PERIWOUND_STATES
from app.ui.visit.context import UlcerChoice
from app.ui.visit.fields import (
    DATE_MAX_LENGTH,
    FieldSlot,
    choice_combo,
    connect_changed,
    format_number,
    hint_label,
    labelled,
    number_edit,
    set_widget_value,
    text_edit,
    tr,
    widget_value,
)
from app.ui.visit.reading import Reading, read_assessment
from app.ui.visit.state import UlcerEntry

# The finding field of app.services.visit_input -> the object name of its editor.
OBJECT_NAMES = {
    "ulcer_site": "newUlcerSite", "onset_date": "ulcerOnsetDate",
    "length_cm": "lengthCm", "width_cm": "widthCm", "depth_cm": "depthCm",
    "traced_area_cm2": "tracedAreaCm2", "method": "measuringMethod", "closed": "closedCheck",
    "granulation_pct": "granulationPct", "epithelial_pct": "epithelialPct",
    "slough_pct": "sloughPct", "necrotic_pct": "necroticPct", "exudate": "exudate",
    "periwound": "periwound", "infection_signs": "infectionSigns", "etiology": "etiology",
    "wagner_grade": "wagnerGrade", "ut_grade": "utGrade", "ut_stage": "utStage",
}
NUMBER_FIELDS = ("length_cm", "width_cm", "depth_cm", "traced_area_cm2", *TISSUE_FIELDS)
CLASSIFICATION_FIELDS = ("etiology", "wagner_grade", "ut_grade", "ut_stage")
FINDING_FIELDS = frozenset(OBJECT_NAMES) | {"area"}


def _vocab(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, tr(v.replace("_", " ").capitalize())) for v in values]


# Offered while typing a new site when the clinic has recorded none yet (the shorthand that
# app.domain.labels.site_label words as "right big toe, sole" in the reports).
COMMON_SITES = ("R-hallux-plantar", "L-hallux-plantar", "R-MTH1-plantar", "L-MTH1-plantar",
                "R-MTH5-plantar", "L-MTH5-plantar", "R-heel", "L-heel", "R-heel-posterior",
                "L-heel-posterior", "R-dorsum", "L-dorsum", "R-2nd-toe", "L-2nd-toe",
                "R-5th-toe-lateral", "L-5th-toe-lateral", "R-medial-malleolus",
                "L-medial-malleolus", "R-lateral-malleolus", "L-lateral-malleolus")


def site_words(text: str) -> str:
    """A typed site in plain words ("= right big toe, sole"); empty when the shorthand is not
    recognised (the site is then kept and printed as typed)."""
    words = site_label(text)
    return f"= {words}" if text.strip() and words != text.strip() else ""


class AssessmentSection(QGroupBox):
    """Size, tissue, exudate, infection and classification of one ulcer at this visit."""

    changed = Signal()
    remove_requested = Signal()  # a new ulcer's "Remove" button

    def __init__(self, choice: UlcerChoice | None, *, number: int, area_method: AreaMethod,
                 known_sites: tuple[str, ...] = (), default_method: str | None = None,
                 parent: QWidget | None = None, new_number: int = 1):
        super().__init__(parent)
        self.choice = choice
        self.number = number
        self.new_number = new_number  # its place among the new ulcers (UlcerEntry.key)
        self.setObjectName("ulcer_new" if choice is None else f"ulcer_{choice.site}")
        words = site_label(choice.site) if choice is not None else ""
        plain = words if choice is not None and words != choice.site.strip() else ""
        self.setTitle(f"{self.label} — {plain}" if plain else self.label)  # plain words too
        self.area_method = area_method
        self.slots: dict[str, FieldSlot] = {}
        self.initial_values: dict[str, Any] = {}  # set once built and pre-filled (below)
        self._build(known_sites)
        from app.ui.photos.visit_hook import add_photo_row

        self.photos = add_photo_row(self)  # "Add photo…": measure this ulcer on a photo
        self._prefill(default_method)
        if choice is not None and choice.current is not None:
            self.load(choice.current)
        for slot in self.slots.values():
            connect_changed(slot.editor, lambda s=slot: self._on_edit(s))
        self._update_area()
        self.initial_values = self.values()  # assessed once anything differs from these

    # -- identity -------------------------------------------------------------------------
    @property
    def is_new(self) -> bool:
        return self.choice is None

    @property
    def site(self) -> str:
        if self.choice is not None:
            return self.choice.site
        return self.slots["ulcer_site"].editor.text().strip()

    @property
    def label(self) -> str:
        if self.choice is None:
            return tr("New ulcer site") if self.new_number == 1 else tr(
                "New ulcer site {0}").format(self.new_number)
        return self.choice.episode.label

    def renumber(self, new_number: int) -> None:
        """A new ulcer's place after an earlier one was removed (its title and draft key)."""
        self.new_number = new_number
        self.setTitle(self.label)

    @property
    def is_open_ulcer(self) -> bool:
        """An open ulcer of the patient (not a new one, not one this visit already closed)."""
        return self.choice is not None and self.choice.is_open

    # -- building -------------------------------------------------------------------------
    def _slot(self, field: str, editor: QWidget, *, lines: int | None = None) -> FieldSlot:
        editor.setObjectName(OBJECT_NAMES[field])
        slot = FieldSlot(editor, field, lines=lines)
        self.slots[field] = slot
        return slot

    def _number_row(self, grid: QGridLayout, row: int,
                    fields: tuple[tuple[str, str], ...], last: Any) -> None:
        """One row of number fields, each hinting the ulcer's last recorded value."""
        for column, (field, caption) in enumerate(fields):
            previous = getattr(last, field) if last is not None else None
            placeholder = tr("last {0}").format(format_number(previous)) \
                if previous is not None else ""
            editor = number_edit("", placeholder=placeholder)
            grid.addWidget(labelled(self._slot(field, editor), caption), row, column)

    def _site_row(self, grid: QGridLayout, row: int, known_sites: tuple[str, ...]) -> None:
        """A new ulcer's site (offered from the clinic's sites, or common ones), its onset
        date, and the site in the plain words the reports will use."""
        site = text_edit("", max_length=TEXT_LIMITS["ulcer_site"],
                         placeholder=tr("e.g. R-hallux-plantar, L-heel, R-MTH1-plantar"))
        completer = QCompleter(list(known_sites or COMMON_SITES), site)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        site.setCompleter(completer)
        # Two lines: a site's messages name the stored site and what to do instead.
        grid.addWidget(labelled(self._slot("ulcer_site", site, lines=2), tr("Site")),
                       row, 0, 1, 2)
        onset = text_edit("", max_length=DATE_MAX_LENGTH, placeholder="YYYY-MM-DD")
        grid.addWidget(labelled(self._slot("onset_date", onset), tr("Onset date")), row, 2)
        self.site_words = hint_label()
        self.site_words.setObjectName("siteWords")
        site.textChanged.connect(self._on_site_typed)
        grid.addWidget(self.site_words, row, 3)

    def _on_site_typed(self, text: str) -> None:
        """The plain words of the typed site, and the box named after it (`ulcer_<site>`)."""
        self.site_words.setText(site_words(text))
        self.setObjectName(f"ulcer_{text.strip()}" if text.strip() else "ulcer_new")

    def _build(self, known_sites: tuple[str, ...]) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.summary = hint_label(self._summary_text())
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        self.remove_button = None
        if self.is_new:
            self.remove_button = QPushButton(tr("Remove"))
            self.remove_button.setObjectName("removeUlcerButton")
            self.remove_button.setAutoDefault(False)
            self.remove_button.setToolTip(tr("Remove this new ulcer from the visit (nothing "
                                             "of it is saved)"))
            self.remove_button.clicked.connect(self.remove_requested)
            top.addWidget(self.remove_button)
        layout.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        layout.addLayout(grid)
        row = 0
        if self.is_new:
            self._site_row(grid, row, known_sites)
            row += 1
        last = self.choice.last if self.choice is not None else None
        sizes = (("length_cm", tr("Length (cm)")), ("width_cm", tr("Width (cm)")),
                 ("depth_cm", tr("Depth (cm)")), ("traced_area_cm2", tr("Traced area (cm²)")))
        self._number_row(grid, row, sizes, last)
        row += 1
        method = choice_combo("", _vocab(MEASURING_METHODS))
        grid.addWidget(labelled(self._slot("method", method), tr("Measured by")), row, 0)
        closed = QCheckBox(tr("Closed (fully epithelialised)"))
        grid.addWidget(labelled(self._slot("closed", closed), " "), row, 1, 1, 2)
        self.area_label = hint_label()
        self.area_label.setObjectName("areaPreview")
        grid.addWidget(self.area_label, row, 3)
        row += 1
        tissue = (("granulation_pct", tr("Granulation %")), ("epithelial_pct", tr("Epithelial %")),
                  ("slough_pct", tr("Slough %")), ("necrotic_pct", tr("Necrotic/eschar %")))
        self._number_row(grid, row, tissue, last)
        row += 1
        exudate = choice_combo("", _vocab(EXUDATE_AMOUNTS))
        grid.addWidget(labelled(self._slot("exudate", exudate), tr("Exudate")), row, 0)
        periwound = choice_combo("", _vocab(PERIWOUND_STATES))
        grid.addWidget(labelled(self._slot("periwound", periwound), tr("Periwound")), row, 1)
        infection = QCheckBox(tr("Signs of infection"))
        grid.addWidget(labelled(self._slot("infection_signs", infection), " "), row, 2, 1, 2)
        row += 1
        etiology = choice_combo("", _vocab(ETIOLOGIES))
        grid.addWidget(labelled(self._slot("etiology", etiology), tr("Etiology")), row, 0)
        wagner = choice_combo("", [(g, str(g)) for g in range(6)])
        grid.addWidget(labelled(self._slot("wagner_grade", wagner), tr("Wagner grade")), row, 1)
        ut_grade = choice_combo("", [(g, str(g)) for g in range(4)])
        grid.addWidget(labelled(self._slot("ut_grade", ut_grade), tr("UT grade")), row, 2)
        ut_stage = choice_combo("", [(s, s) for s in "ABCD"])
        grid.addWidget(labelled(self._slot("ut_stage", ut_stage), tr("UT stage")), row, 3)
        for column in range(4):
            grid.setColumnStretch(column, 1)
        self.slots["length_cm"].editor.setToolTip(tr("Size of this ulcer (Alt+1)"))
        self.slots["granulation_pct"].editor.setToolTip(tr("Tissue of this ulcer (Alt+2)"))

    def _summary_text(self) -> str:
        if self.choice is None:
            return tr("A new ulcer, or the recurrence of a healed one at the same site.")
        episode, parts = self.choice.episode, []
        metrics = episode.metrics
        if metrics is not None:
            parts.append(tr("Baseline {0}: {1} cm²").format(
                metrics.baseline_date.isoformat(), format_number(metrics.baseline_area_cm2)))
        last = self.choice.last
        if last is not None:
            size = " × ".join(format_number(v) for v in (last.length_cm, last.width_cm,
                                                         last.depth_cm) if v is not None)
            area = format_number(last.area_cm2) if last.area_cm2 is not None else "—"
            parts.append(tr("last {0}: {1} cm, {2} cm²").format(last.on.isoformat(), size, area))
        if metrics is not None:
            parts.append(tr("PAR {0}%").format(f"{metrics.par_percent:.0f}"))
        return " · ".join(parts)

    def _prefill(self, default_method: str | None) -> None:
        set_widget_value(self.slots["method"].editor, default_method or "ruler")
        if self.choice is not None:
            episode = self.choice.episode
            for field in CLASSIFICATION_FIELDS:
                set_widget_value(self.slots[field].editor, getattr(episode, field))

    def load(self, record: AssessmentRecord) -> None:
        """Show a saved assessment (editing a visit)."""
        for field in NUMBER_FIELDS:
            set_widget_value(self.slots[field].editor, format_number(getattr(record, field)))
        for field in ("method", "exudate", "periwound", "infection_signs"):
            set_widget_value(self.slots[field].editor, getattr(record, field))
        set_widget_value(self.slots["closed"].editor, record.closed_marked)

    # -- state ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {field: widget_value(slot.editor) for field, slot in self.slots.items()}

    def apply_values(self, values: dict[str, Any]) -> None:
        for field, value in values.items():
            if field in self.slots:
                set_widget_value(self.slots[field].editor, value)

    def entry(self) -> UlcerEntry:
        """This section as typed (app.ui.visit.state)."""
        values = self.values()
        return UlcerEntry(self.site, self.is_new, self.is_open_ulcer, values,
                          saved=self.choice is not None and self.choice.current is not None,
                          new_number=self.new_number,
                          blank=self.is_new and values == self.initial_values)

    def opened_entry(self) -> UlcerEntry:
        """This section as it opened (before anything was typed into it)."""
        return UlcerEntry(self.site, self.is_new, self.is_open_ulcer, self.initial_values,
                          new_number=self.new_number)

    def slot_for(self, field: str) -> FieldSlot | None:
        if field == "area":
            return self.slots["length_cm"]
        if field == "ulcer_site" and not self.is_new:
            return self.slots["length_cm"]
        return self.slots.get(field)

    def tab_chain(self) -> list[QWidget]:
        chain: list[QWidget] = [slot.editor for slot in self.slots.values()]
        return chain + ([self.remove_button] if self.remove_button is not None else [])

    def first_editor(self) -> QWidget:
        return self.slots["ulcer_site" if self.is_new else "length_cm"].editor

    def measured(self) -> bool:
        """A size, a traced area or "closed" was entered for this ulcer at this visit."""
        return any(self.slots[f].editor.text().strip() for f in
                   ("length_cm", "width_cm", "traced_area_cm2")) \
            or self.slots["closed"].editor.isChecked()

    def _on_edit(self, slot: FieldSlot) -> None:
        slot.touched = True
        self._update_area()
        self.changed.emit()

    def _update_area(self) -> None:
        """The area as typed, only when the size is possible: a negative or out-of-range size
        shows its error on its field, never an impossible area."""
        reading = Reading()
        entered = read_assessment(self.entry(), reading)
        impossible = reading.problems or any(f.is_error for f in validate_size(
            length_cm=entered.length_cm, width_cm=entered.width_cm, depth_cm=entered.depth_cm,
            traced_area_cm2=entered.traced_area_cm2, closed_marked=entered.closed))
        area = None if impossible else entered.area(self.area_method)
        if area is None or area < 0:
            self.area_label.setText("")
            return
        self.area_label.setText(tr("Area {0} cm² ({1})").format(
            format_number(area), tr(self.area_method.value)))
