"""Clinic ▸ Users… (admin only): the accounts, and adding one, resetting a password, changing a
role, switching an account off or on again.

Every change is a write on the window's runner (argon2 hashing runs on the database worker),
audited by app.services.users (the flush listener writes who changed which account), and
announced as Changes(users=True).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.actor import ROLES, Actor
from app.services.changes import Changes
from app.services.users import (
    MIN_PASSWORD_LENGTH,
    UserRecord,
    add_user,
    list_users,
    set_active,
    set_password,
    set_role,
)
from app.ui.dbops import DatabaseRunner, user_message
from app.ui.security.fields import error_label, password_field

ROLE_LABELS = {"nurse": "Nurse", "doctor": "Doctor", "staff": "Staff (front desk)",
               "admin": "Administrator"}
COLUMNS = ("User name", "Role", "State", "Last log-in")


def _local(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def role_combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for role in ROLES:
        combo.addItem(ROLE_LABELS[role], role)
    return combo


class UsersDialog(QDialog):
    """The accounts of the clinic and what an administrator does with them."""

    def __init__(self, *, runner: DatabaseRunner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.users: list[UserRecord] = []
        self.setObjectName("usersDialog")
        self.setWindowTitle(self.tr("Users"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.status = error_label("usersStatus")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self._selected_group(), 1)
        row.addWidget(self._add_group(), 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(860, 560)
        self._selection_changed()
        self.reload()

    # -- layout ----------------------------------------------------------------------------
    def _selected_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected user"))
        self.selected_label = QLabel(self.tr("Select a user in the list."))
        self.selected_label.setObjectName("selectedUser")
        self.selected_label.setWordWrap(True)
        self.role_select = role_combo("selectedRole")
        self.change_role_button = QPushButton(self.tr("Change role"))
        self.change_role_button.setObjectName("changeRoleButton")
        self.change_role_button.clicked.connect(self.change_role)
        self.reset_password = password_field("resetPassword")
        self.reset_repeat = password_field("resetRepeat")
        self.reset_button = QPushButton(self.tr("Reset password"))
        self.reset_button.setObjectName("resetPasswordButton")
        self.reset_button.clicked.connect(self.reset)
        self.reset_repeat.returnPressed.connect(self.reset)
        self.active_button = QPushButton(self.tr("Disable account"))
        self.active_button.setObjectName("toggleActiveButton")
        self.active_button.clicked.connect(self.toggle_active)
        form = QFormLayout(box)
        form.addRow(self.selected_label)
        role_row = QHBoxLayout()
        role_row.addWidget(self.role_select, 1)
        role_row.addWidget(self.change_role_button)
        form.addRow(self.tr("Role"), role_row)
        form.addRow(self.tr("New password"), self.reset_password)
        form.addRow(self.tr("Password again"), self.reset_repeat)
        form.addRow("", self.reset_button)
        form.addRow("", self.active_button)
        return box

    def _add_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Add a user"))
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newUsername")
        self.new_name.setMaxLength(64)
        self.new_role = role_combo("newRole")
        self.new_password = password_field("newPassword")
        self.new_repeat = password_field("newPasswordRepeat")
        self.add_button = QPushButton(self.tr("Add user"))
        self.add_button.setObjectName("addUserButton")
        self.add_button.clicked.connect(self.add)
        self.new_repeat.returnPressed.connect(self.add)  # Enter in the last field adds
        for button in (self.add_button, self.reset_button, self.change_role_button,
                       self.active_button):
            button.setAutoDefault(False)  # Enter acts through its field, once, not twice
        hint = QLabel(self.tr("Passwords need at least {0} characters.").format(
            MIN_PASSWORD_LENGTH))
        hint.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(self.tr("User name"), self.new_name)
        form.addRow(self.tr("Role"), self.new_role)
        form.addRow(self.tr("Password"), self.new_password)
        form.addRow(self.tr("Password again"), self.new_repeat)
        form.addRow(hint)
        form.addRow("", self.add_button)
        return box

    # -- list ------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self.runner.read("users", list_users, lambda rows: self._loaded(rows, select),
                         on_error=self._failed, parent=self)

    def _loaded(self, rows: list[UserRecord], select: str | None) -> None:
        selected = select or self.selected_name()
        self.users = list(rows)
        self.table.setRowCount(len(rows))
        for r, user in enumerate(rows):
            state = self.tr("active") if user.active else self.tr("disabled")
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            if user.active and user.locked_until and user.locked_until > now:
                state = self.tr("locked until {0}").format(_local(user.locked_until))
            for c, text in enumerate((user.username, ROLE_LABELS.get(user.role, user.role),
                                      state, _local(user.last_login_at))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.username)
                self.table.setItem(r, c, item)
            if user.username == selected:
                self.table.selectRow(r)
        self._selection_changed()

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def select(self, username: str) -> None:
        for r, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(r)

    def _selected_record(self) -> UserRecord | None:
        name = self.selected_name()
        return next((u for u in self.users if u.username == name), None)

    def _selection_changed(self) -> None:
        user = self._selected_record()
        for widget in (self.role_select, self.change_role_button, self.reset_password,
                       self.reset_repeat, self.reset_button, self.active_button):
            widget.setEnabled(user is not None)
        if user is None:
            self.selected_label.setText(self.tr("Select a user in the list."))
            return
        self.selected_label.setText(self.tr("{0} — {1}").format(
            user.username, ROLE_LABELS.get(user.role, user.role)))
        self.role_select.setCurrentIndex(max(0, self.role_select.findData(user.role)))
        self.active_button.setText(self.tr("Disable account") if user.active
                                   else self.tr("Enable account"))
        self.active_button.setEnabled(user.username != self.actor.username or not user.active)
        if user.username == self.actor.username:
            self.active_button.setToolTip(self.tr("You cannot disable your own account"))

    # -- changes ---------------------------------------------------------------------------
    def _write(self, op: Callable, done_text: str, select: str | None = None) -> None:
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Saving…"))
        self.runner.write(op, changes=Changes.of(users=True),
                          on_done=lambda _result: self._written(done_text, select),
                          on_error=self._failed, parent=self)

    def _written(self, text: str, select: str | None) -> None:
        if select and select == self.new_name.text().strip():
            self.new_name.clear()  # added: the form is ready for the next one
            self.new_name.setFocus()
        self.status.setStyleSheet("color: #1b5e20;")
        self.status.setText(text)
        self.reload(select)

    def _failed(self, error: Exception) -> None:
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(user_message(error))

    def _passwords(self, first: QLineEdit, second: QLineEdit) -> str | None:
        password = first.text()
        if password != second.text():
            self._failed_text(self.tr("The two passwords differ."))
            first.clear()
            second.clear()
            first.setFocus()
            return None
        first.clear()
        second.clear()
        return password

    def _failed_text(self, text: str) -> None:
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(text)

    def add(self) -> None:
        name, role, actor = self.new_name.text().strip(), self.new_role.currentData(), self.actor
        password = self._passwords(self.new_password, self.new_repeat)
        if password is None:
            return
        self._write(lambda s: add_user(s, name, password, role, actor=actor),
                    self.tr("{0} was added as {1}.").format(name, ROLE_LABELS[role]), name)

    def reset(self) -> None:
        name, actor = self.selected_name(), self.actor
        password = self._passwords(self.reset_password, self.reset_repeat)
        if name is None or password is None:
            return
        self._write(lambda s: set_password(s, name, password, actor=actor),
                    self.tr("The password of {0} was reset.").format(name), name)

    def change_role(self) -> None:
        name, role, actor = self.selected_name(), self.role_select.currentData(), self.actor
        if name is None:
            return
        self._write(lambda s: set_role(s, name, role, actor=actor),
                    self.tr("{0} is now {1}.").format(name, ROLE_LABELS[role]), name)

    def toggle_active(self) -> None:
        user, actor = self._selected_record(), self.actor
        if user is None:
            return
        active = not user.active
        text = (self.tr("{0} can sign in again.") if active
                else self.tr("{0} can no longer sign in; their records stay.")).format(
            user.username)
        self._write(lambda s: set_active(s, user.username, active, actor=actor), text,
                    user.username)
