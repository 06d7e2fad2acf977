"""The chart's Overview: one card per ulcer episode, then the alerts with their rule and source."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea,
                               QVBoxLayout, QWidget)

from app.domain.alerts import Alert
from app.services.patient_chart import PatientChart
from app.services.records import EpisodeView
from app.ui.record_tables import date_text, fmt

CARD_STYLE = """
QFrame#episodeCard { background: #ffffff; border: 1px solid #c9d1d9; border-radius: 6px; }
QFrame#alertCard { background: #fff8f6; border: 1px solid #e6b8b0; border-left: 4px solid #b3261e;
                   border-radius: 4px; }
QLabel[role="title"] { font-weight: 600; font-size: 11pt; }
QLabel[role="badge"] { border-radius: 4px; padding: 1px 6px; color: white; font-weight: 600; }
"""
BADGE_COLOURS = {"on": "#1b7f3b", "off": "#b3261e", "open": "#8a6d00", "healed": "#1b7f3b",
                 "amputated": "#5c5c5c", "lost": "#5c5c5c", "unknown": "#5c5c5c"}


def badge(text: str, colour_key: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "badge")
    label.setStyleSheet(f"background: {BADGE_COLOURS[colour_key]};")
    return label


class EpisodeCard(QFrame):
    """The numbers a doctor checks first for one ulcer episode."""

    def __init__(self, episode: EpisodeView, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("episodeCard")
        self.episode = episode
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        title = QLabel(episode.label)
        title.setProperty("role", "title")
        grid.addWidget(title, 0, 0, 1, 3)
        m = episode.metrics
        status = m.status if m else (episode.clinician_status or "unknown")
        status_text = {"open": self.tr("open"), "healed": self.tr("healed"),
                       "amputated": self.tr("amputated"), "lost": self.tr("lost to follow-up"),
                       "unknown": self.tr("no metrics")}[status]
        self.values: dict[str, str] = {}
        grid.addWidget(badge(status_text, status), 0, 3, alignment=Qt.AlignmentFlag.AlignRight)
        for n, (key, label, value) in enumerate(self._rows(episode, today)):
            self.values[key] = value
            row, column = 1 + n // 2, 2 * (n % 2)
            name = QLabel(label)
            name.setStyleSheet("color: #555;")
            grid.addWidget(name, row, column, alignment=Qt.AlignmentFlag.AlignTop)
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key == "par_week4" and m is not None and m.week4_on_track is not None:
                box = QWidget()
                line = QHBoxLayout(box)
                line.setContentsMargins(0, 0, 0, 0)
                line.addWidget(shown)
                on_track = m.week4_on_track
                line.addWidget(badge(self.tr("on track") if on_track else self.tr("off track"),
                                     "on" if on_track else "off"))
                line.addStretch(1)
                self.values["week4_badge"] = "on track" if on_track else "off track"
                grid.addWidget(box, row, column + 1)
            else:
                grid.addWidget(shown, row, column + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

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

    def __init__(self, alert: Alert, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertCard")
        self.alert = alert
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        title = alert.rule.title
        about = "" if alert.subject.lower() in title.lower() else f"{alert.subject}: "
        when = (f" ({date_text(alert.on)})" if alert.on and date_text(alert.on) not in
                alert.detail else "")
        self.headline = QLabel(f"<b>{_escape(title)}</b> — {_escape(about)}"
                               f"{_escape(alert.detail)}{_escape(when)}")
        self.headline.setWordWrap(True)
        self.rule = QLabel(self.tr("Rule: {0}. Source: {1}.").format(alert.rule.rule,
                                                                     alert.rule.source))
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: #555; font-size: 8pt;")
        layout.addWidget(self.headline)
        layout.addWidget(self.rule)


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
        self.alert_cards: list[AlertCard] = []
        self.cards: list[EpisodeCard] = []

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
        self.summary.setText(f"<b>{_escape(p.name)}</b> · "
                             + " · ".join(_escape(f) for f in facts if f))
        for widget in [*self.cards, *self.alert_cards]:
            widget.setParent(None)
            widget.deleteLater()
        self.cards = [EpisodeCard(e, chart.today) for e in history.episodes]
        for card in self.cards:
            self._cards.addWidget(card)
        if not self.cards:
            empty = EmptyNote(self.tr("No ulcer assessed yet."))
            self.cards.append(empty)  # type: ignore[arg-type]
            self._cards.addWidget(empty)
        self.alerts_heading.setText(self.tr("Alerts ({0})").format(len(chart.alerts))
                                    if chart.alerts else self.tr("Alerts: none"))
        self.alert_cards = [AlertCard(a) for a in chart.alerts]
        for card in self.alert_cards:
            self._alerts.addWidget(card)


class EmptyNote(QLabel):
    def __init__(self, text: str):
        super().__init__(text)
        self.setStyleSheet("color: #666; padding: 12px;")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
