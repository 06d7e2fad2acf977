"""The patient list model and proxy on synthetic rows: filter, sort, update, model tester."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelRoleData, QModelRoleDataSpan, Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

from app.domain.limits import fold_for_search
from app.services.patient_list import PatientListRow
from app.ui.patients.table import (
    ALERT_COLOUR,
    PATIENT_ID_ROLE,
    PatientFilterProxy,
    PatientTableModel,
)

NAMES = ["Zoë Tanaka", "José García", "Søren Nielsen", "Ngozi Okafor", "Chloé Dubois",
         "Zoe Tannen", "Björn Øster"]


def row(n: int, name: str, *, overdue: bool = False, age: int | None = 60) -> PatientListRow:
    mrn = f"M-{n:03d}"
    return PatientListRow(
        id=n, mrn=mrn, name=name, search_text=f"{fold_for_search(mrn)}\n{fold_for_search(name)}",
        age=age, arm="exosome", open_ulcers=1, last_visit=dt.date(2026, 11, 1),
        next_visit_due=dt.date(2026, 11, 15), off_track_week4=False, overdue=overdue,
        adverse_event_open=False)


@pytest.fixture
def models(qtbot):
    model = PatientTableModel()
    proxy = PatientFilterProxy()
    proxy.setSourceModel(model)
    model.set_rows([row(n, name, overdue=n % 2 == 0, age=40 + n)
                    for n, name in enumerate(NAMES, start=1)])
    view = QTableView()
    view.setModel(proxy)
    qtbot.addWidget(view)
    return model, proxy, view


def names(proxy) -> list[str]:
    return [proxy.index(r, 1).data() for r in range(proxy.rowCount())]


def test_model_tester_with_and_without_a_filter(qtmodeltester, models):
    model, proxy, _ = models
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    proxy.set_search("zoe")
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    proxy.set_overdue_only(True)
    qtmodeltester.check(proxy)


def test_search_folds_accents_and_needs_every_word(models):
    model, proxy, _ = models
    proxy.set_search("ZOE")
    assert names(proxy) == ["Zoë Tanaka", "Zoe Tannen"]
    proxy.set_search("zoe tan")
    assert names(proxy) == ["Zoë Tanaka", "Zoe Tannen"]
    proxy.set_search("tannen zoe")
    assert names(proxy) == ["Zoe Tannen"]
    proxy.set_search("øster")
    assert names(proxy) == ["Björn Øster"]
    proxy.set_search(" m-004 ")
    assert names(proxy) == ["Ngozi Okafor"]
    proxy.set_search("nobody")
    assert names(proxy) == [] and model.total_count == 7
    proxy.set_search("")
    assert len(names(proxy)) == 7


def test_overdue_filter_combines_with_the_search(models):
    _, proxy, _ = models
    proxy.set_overdue_only(True)
    assert names(proxy) == ["José García", "Ngozi Okafor", "Zoe Tannen"]
    proxy.set_search("zoe")
    assert names(proxy) == ["Zoe Tannen"]
    proxy.set_overdue_only(False)
    assert names(proxy) == ["Zoë Tanaka", "Zoe Tannen"]


def test_sorting_keeps_the_filter_and_the_selection(models):
    model, proxy, view = models
    proxy.set_search("o")  # every name but one holds an o
    view.selectionModel().setCurrentIndex(
        proxy.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    selected = proxy.index(0, 0).data(PATIENT_ID_ROLE)
    view.sortByColumn(PatientTableModel.AGE, Qt.SortOrder.DescendingOrder)
    ages = [int(proxy.index(r, 2).data()) for r in range(proxy.rowCount())]
    assert ages == sorted(ages, reverse=True) and len(ages) == 6
    assert view.currentIndex().data(PATIENT_ID_ROLE) == selected
    view.sortByColumn(PatientTableModel.NAME, Qt.SortOrder.AscendingOrder)
    assert names(proxy) == sorted(names(proxy), key=fold_for_search)
    proxy.set_search("")
    assert names(proxy)[0] == "Björn Øster"  # the order stays when the filter changes


def test_upsert_updates_adds_and_hides_rows(models):
    model, proxy, _ = models
    proxy.set_overdue_only(True)
    shown = names(proxy)
    # A patient no longer overdue leaves the overdue list.
    jose = next(r for r in model.all_rows if r.name == "José García")
    assert model.upsert(dataclasses.replace(jose, overdue=False)) is None
    assert names(proxy) == [n for n in shown if n != "José García"]
    # A new overdue patient appears at the end; one not overdue stays hidden.
    assert model.upsert(row(20, "Amélie Rossi", overdue=True)) == 2
    assert model.upsert(row(21, "Émile Laurent", overdue=False)) is None
    assert names(proxy)[-1] == "Amélie Rossi" and model.total_count == 9
    # An update in place keeps its row.
    okafor = next(r for r in model.all_rows if r.name == "Ngozi Okafor")
    at = model.upsert(dataclasses.replace(okafor, open_ulcers=3))
    assert proxy.index(at, PatientTableModel.OPEN_ULCERS).data() == "3"


def test_flags_show_in_red_with_a_tooltip(models):
    model, _, _ = models
    model.set_rows([dataclasses.replace(row(1, "Zoë Tanaka", overdue=True),
                                        off_track_week4=True)])
    flags = model.index(0, PatientTableModel.FLAGS)
    assert flags.data() == "W4  overdue"
    assert "Sheehan 2003" in flags.data(Qt.ItemDataRole.ToolTipRole)
    assert flags.data(Qt.ItemDataRole.ForegroundRole) == QBrush(ALERT_COLOUR)  # solid, red
    assert model.index(0, PatientTableModel.MRN).data(Qt.ItemDataRole.ForegroundRole) is None


ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
         Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole,
         Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.BackgroundRole,
         Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole, PATIENT_ID_ROLE]


def test_multi_data_answers_every_role_as_data_does(models):
    """What a delegate paints comes from multiData (one call a cell): it must give data()'s
    answer for every role, and clear a role it does not serve (delegates reuse the span)."""
    model, proxy, _ = models
    model.set_rows([dataclasses.replace(row(1, "Zoë Tanaka", overdue=True),
                                        off_track_week4=True), row(2, "Ngozi Okafor")])
    for source in (model, proxy):
        for r in range(source.rowCount()):
            for c in range(source.columnCount()):
                index = source.index(r, c)
                for role in ROLES:
                    item = QModelRoleData(int(role))
                    item.setData("stale")
                    source.multiData(index, QModelRoleDataSpan(item))
                    assert item.data() == index.data(role), (r, c, role)


def test_the_delegate_paints_the_models_text_alignment_and_colour(models):
    model, proxy, view = models
    model.set_rows([row(1, "Zoë Tanaka", overdue=True), row(2, "Ngozi Okafor", age=None)])
    delegate = view.itemDelegate()
    seen = []
    for r in range(proxy.rowCount()):
        for c in range(proxy.columnCount()):
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, proxy.index(r, c))
            seen.append((option.text, bool(option.displayAlignment & Qt.AlignmentFlag.AlignRight),
                         option.palette.color(QPalette.ColorRole.Text) == ALERT_COLOUR))
    texts = [s[0] for s in seen]
    assert texts[:8] == ["M-001", "Zoë Tanaka", "60", "Exosome", "1", "2026-11-01",
                         "2026-11-15", "overdue"]
    assert texts[8:10] == ["M-002", "Ngozi Okafor"] and texts[10] == ""
    right = [c for c, s in enumerate(seen[:8]) if s[1]]
    assert right == [PatientTableModel.AGE, PatientTableModel.OPEN_ULCERS]
    red = [n for n, s in enumerate(seen) if s[2]]  # the next visit due and the flags, row 0
    assert red == [PatientTableModel.NEXT_DUE, PatientTableModel.FLAGS]
