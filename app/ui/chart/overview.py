"""The chart's Overview: one card per ulcer episode, then the alerts with their rule and source."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.labels import site_label
from app.services.patient_chart import PatientChart
from app.ui.chart.tables import date_text, fmt

if TYPE_CHECKING:  # annotations only: they load with the chart (bench/README.md, 14)
    from app.domain.alerts import Alert
    from app.domain.records import EpisodeView

CARD_STYLE = """
QFrame#episodeCard { background: #ffffff; border: 1px solid #c9d1d9; border-radius: 6px; }
QFrame#alertCard { background: #fff8f6; border: 1px solid #e6b8b0; border-left: 4px solid #b3261e;
                   border-radius: 4px; }
QLabel[role="title"] { font-weight: 600; font-size: 11pt; }
QLabel[role="name"] { color: #555; }
QLabel[role="badge"] { border-radius: 4px; padding: 1px 6px; color: white; font-weight: 600; }
QLabel[tone="on"], QLabel[tone="healed"] { background: #1b7f3b; }
QLabel[tone="off"] { background: #b3261e; }
QLabel[tone="open"] { background: #8a6d00; }
QLabel[tone="amputated"], QLabel[tone="lost"], QLabel[tone="unknown"] { background: #5c5c5c; }
"""
VALUE_ROWS = 8  # label/value pairs of a card, two to a line


def badge() -> QLabel:
    label = QLabel()
    label.setProperty("role", "badge")
    return label


def set_badge(label: QLabel, text: str, tone: str) -> None:
    """A coloured badge; the colour comes from the style sheet by its `tone` property."""
    label.setText(text)
    if label.property("tone") != tone:
        label.setProperty("tone", tone)
        label.style().unpolish(label)
        label.style().polish(label)


class EpisodeCard(QFrame):
    """The numbers a doctor checks first for one ulcer episode. Cards are made once and
    refilled for each patient (building widgets costs more than setting their text)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("episodeCard")
        self.episode: EpisodeView | None = None
        self.values: dict[str, str] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        grid.addWidget(self.title, 0, 0, 1, 3)
        self.status = badge()
        grid.addWidget(self.status, 0, 3, alignment=Qt.AlignmentFlag.AlignRight)
        self.names: list[QLabel] = []
        self.shown: list[QLabel] = []
        self.week4 = badge()
        for n in range(VALUE_ROWS):
            row, column = 1 + n // 2, 2 * (n % 2)
            name = QLabel()
            name.setProperty("role", "name")
            grid.addWidget(name, row, column, alignment=Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # on its name's line, also when the value beside it wraps to two lines
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            if n == 4:  # PAR at week 4 (short), with its on-track badge
                box = QWidget()
                line = QHBoxLayout(box)
                line.setContentsMargins(0, 0, 0, 0)
                line.addWidget(value)
                line.addWidget(self.week4)
                line.addStretch(1)
                grid.addWidget(box, row, column + 1, alignment=Qt.AlignmentFlag.AlignTop)
            else:
                value.setWordWrap(True)
                grid.addWidget(value, row, column + 1)
            self.names.append(name)
            self.shown.append(value)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def show_episode(self, episode: EpisodeView, today: dt.date) -> None:
        self.episode = episode
        words = site_label(episode.site)
        plain = words if words != episode.site else ""
        # the site in plain words on the card itself, not only in a tooltip
        self.title.setText(f"{episode.label} · {plain}" if plain else episode.label)
        self.title.setToolTip(plain)
        m = episode.metrics
        status = m.status if m else (episode.clinician_status or "unknown")
        set_badge(self.status, {"open": self.tr("open"), "healed": self.tr("healed"),
                                "amputated": self.tr("amputated"),
                                "lost": self.tr("lost to follow-up"),
                                "unknown": self.tr("no metrics")}[status], status)
        rows = self._rows(episode, today)
        self.values = {key: value for key, _, value in rows}
        for n in range(VALUE_ROWS):
            used = n < len(rows)
            self.names[n].setText(rows[n][1] if used else "")
            self.shown[n].setText(rows[n][2] if used else "")
        on_track = m.week4_on_track if m is not None else None
        self.week4.setVisible(on_track is not None)
        if on_track is not None:
            set_badge(self.week4, self.tr("on track") if on_track else self.tr("off track"),
                      "on" if on_track else "off")
            self.values["week4_badge"] = "on track" if on_track else "off track"

    def _rows(self, episode: EpisodeView, today: dt.date) -> list[tuple[str, str, str]]:
        m = episode.metrics
        if m is None:
            return [("problem", self.tr("Metrics"),
                     self.tr("cannot be computed: {0}").format(episode.problem or "—"))]
        rows = [
            ("baseline", self.tr("Baseline"),
             f"{date_text(m.baseline_date)} · {fmt(m.baseline_area_cm2, 2, 'cm²')}"),
            ("latest", self.tr("Latest"),
             f"{date_text(m.latest_date)} · {fmt(m.latest_area_cm2, 2, 'cm²')}"),
            ("par", self.tr("Area reduction (PAR)"), fmt(m.par_percent, 1, "%")),
            ("days", self.tr("Days since baseline"), str((today - m.baseline_date).days)),
            ("par_week4", self.tr("PAR at week 4"),
             self.tr("not measured (no visit on days 21–35)") if m.par_week4_percent is None
             else self.tr("{0}, day {1}").format(fmt(m.par_week4_percent, 1, "%"),
                                                 m.par_week4_day)),
            ("par_week8", self.tr("PAR at week 8"),
             self.tr("not measured (no visit on days 49–63)") if m.par_week8_percent is None
             else self.tr("{0}, day {1}, {2}").format(
                 fmt(m.par_week8_percent, 1, "%"), m.par_week8_day,
                 self.tr("≥ 90%") if m.week8_on_track else self.tr("below 90%"))),
        ]
        if m.first_closure_date is not None:
            closure = self.tr("{0}, after {1} days").format(date_text(m.first_closure_date),
                                                            m.days_to_closure)
            closure += " · " + (self.tr("confirmed") if m.closure_confirmed
                                else self.tr("not yet confirmed"))
            rows.append(("closure", self.tr("Closed"), closure))
        else:
            projected = (date_text(m.projected_closure_date) if m.projected_closure_date
                         else self.tr("none (area not falling)") if m.status == "open"
                         else "—")
            rows.append(("projected", self.tr("Projected closure"), projected))
        recurrence = []
        if episode.recurrence_of_episode is not None:
            recurrence.append(self.tr("recurrence of episode {0}").format(
                episode.recurrence_of_episode))
        if episode.recurred_on is not None:
            recurrence.append(self.tr("recurred on {0}").format(date_text(episode.recurred_on)))
        rows.append(("recurrence", self.tr("Recurrence"),
                     "; ".join(recurrence) if recurrence else self.tr("none")))
        return rows


class AlertCard(QFrame):
    """One alert: what fired and about what, then the rule and its source in small print."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertCard")
        self.alert: Alert | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: #555; font-size: 8pt;")
        layout.addWidget(self.headline)
        layout.addWidget(self.rule)

    def show_alert(self, alert: Alert) -> None:
        self.alert = alert
        title = alert.rule.title
        about = "" if alert.subject.lower() in title.lower() else f"{alert.subject}: "
        when = (f" ({date_text(alert.on)})" if alert.on and date_text(alert.on) not in
                alert.detail else "")
        import html  # with the first alert, not before the first paint (~2 ms of entities)

        self.headline.setText(f"<b>{html.escape(title)}</b> — {html.escape(about)}"
                              f"{html.escape(alert.detail)}{html.escape(when)}")
        self.rule.setText(self.tr("Rule: {0}. Source: {1}.").format(alert.rule.rule,
                                                                    alert.rule.source))


class OverviewTab(QScrollArea):
    """Episode cards, then the alerts, for one patient."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("overviewTab")
        self.setWidgetResizable(True)
        body = QWidget()
        body.setStyleSheet(CARD_STYLE)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self.summary = QLabel()
        self.summary.setObjectName("patientSummary")
        self.summary.setWordWrap(True)
        self._layout.addWidget(self.summary)
        self._cards_box = QWidget()
        self._cards = QVBoxLayout(self._cards_box)
        self._cards.setContentsMargins(0, 0, 0, 0)
        self.empty = EmptyNote(self.tr("No ulcer assessed yet."))
        self.empty.hide()
        self._cards.addWidget(self.empty)
        self._layout.addWidget(self._cards_box)
        self.alerts_heading = QLabel()
        self.alerts_heading.setProperty("role", "title")
        self._layout.addWidget(self.alerts_heading)
        self._alerts_box = QWidget()
        self._alerts = QVBoxLayout(self._alerts_box)
        self._alerts.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._alerts_box)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.alert_cards: list[AlertCard] = []  # those shown, from the pools below
        self.cards: list[EpisodeCard] = []
        self._card_pool: list[EpisodeCard] = []
        self._alert_pool: list[AlertCard] = []

    def show_chart(self, chart: PatientChart) -> None:
        history = chart.history
        p = history.patient
        facts = [p.mrn, self.tr("{0} years").format(p.age_on(chart.today))
                 if p.birth_date else None,
                 {"F": self.tr("female"), "M": self.tr("male"), "X": self.tr("other")}.get(p.sex),
                 self.tr("diabetes type {0}").format(p.diabetes_type) if p.diabetes_type
                 else None, ", ".join(p.comorbidities) or None,
                 self.tr("next visit due {0}").format(date_text(chart.next_visit_due))
                 if chart.next_visit_due else None]
        import html  # with the first chart, not before the first paint

        self.summary.setText(f"<b>{html.escape(p.name)}</b> · "
                             + " · ".join(html.escape(f) for f in facts if f))
        self.cards = self._fill(self._card_pool, self._cards, EpisodeCard, history.episodes,
                                lambda card, e: card.show_episode(e, chart.today))
        self.empty.setVisible(not history.episodes)
        self.alerts_heading.setText(self.tr("Alerts ({0})").format(len(chart.alerts))
                                    if chart.alerts else self.tr("Alerts: none"))
        self.alert_cards = self._fill(self._alert_pool, self._alerts, AlertCard, chart.alerts,
                                      lambda card, a: card.show_alert(a))

    @staticmethod
    def _fill(pool: list, layout: QVBoxLayout, make, items, show) -> list:
        """Show one pooled card per item (making more when needed); hide the rest."""
        while len(pool) < len(items):
            card = make()
            pool.append(card)
            layout.addWidget(card)
        for card, item in zip(pool, items):
            show(card, item)
            card.setVisible(True)
        for card in pool[len(items):]:
            card.setVisible(False)
        return pool[:len(items)]


class EmptyNote(QLabel):
    def __init__(self, text: str):
        super().__init__(text)
        self.setStyleSheet("color: #666; padding: 12px;")


