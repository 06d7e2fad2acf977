"""Clinic settings: clinic name, address and logo, area method, reference ranges, paper, idle
lock, where the automatic backups go and how many are kept.

Every change is written through the ORM, so the audit trail records it (table `setting` or
`reference_range`, old and new value, who); only the admin role (or the trusted local user)
may change them. The window reads them again after each change (Changes.settings).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.analytes import ANALYTES, ReferenceRange, default_reference_ranges
from app.domain.records import ClinicSettings
from app.domain.wound import AreaMethod
from app.models import ReferenceRangeSetting, Setting
from app.models.vocab import PAPER_SIZES
from app.services.actor import Actor
from app.services.audit import act_as
from app.services.errors import UserError

DEFAULTS: dict[str, Any] = {
    "clinic_name": "DFU Monitor clinic",
    "clinic_logo_path": None,
    "area_method": AreaMethod.ELLIPSE.value,
    "paper_size": "A4",
    "idle_lock_minutes": 15,
    "follow_up_interval_days": 14,
    "clinic_address": "",
    "backup_folder": None,  # None: the "backups" folder beside the database
    "backups_to_keep": 14,
}
MAX_NAME = 120
MAX_ADDRESS = 400
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")


def load_settings(session: Session) -> ClinicSettings:
    # Plain rows, not ORM objects: every chart and report reads the settings.
    return clinic_settings(
        session.execute(select(Setting.key, Setting.value)).all(),
        session.execute(select(ReferenceRangeSetting.analyte, ReferenceRangeSetting.low,
                               ReferenceRangeSetting.high)).all())


def clinic_settings(settings: Iterable[tuple[str, str]],
                    reference_ranges: Iterable[tuple[str, float | None, float | None]]
                    ) -> ClinicSettings:
    """The ClinicSettings of rows of the setting table (key, JSON value) and of the
    reference_range table (analyte, low, high): the defaults where a row is missing."""
    values = dict(DEFAULTS)
    for key, value in settings:
        if key in values:
            values[key] = json.loads(value)
    ranges = default_reference_ranges()
    for analyte, low, high in reference_ranges:
        ranges[analyte] = ReferenceRange(low, high)
    return ClinicSettings(
        clinic_name=values["clinic_name"],
        clinic_logo_path=values["clinic_logo_path"],
        area_method=AreaMethod(values["area_method"]),
        paper_size=values["paper_size"],
        idle_lock_minutes=int(values["idle_lock_minutes"]),
        follow_up_interval_days=int(values["follow_up_interval_days"]),
        reference_ranges=ranges,
        clinic_address=values["clinic_address"] or "",
        backup_folder=values["backup_folder"],
        backups_to_keep=int(values["backups_to_keep"]),
    )


def update_setting(session: Session, key: str, value: Any, *, actor: Actor) -> None:
    """Change one clinic setting, after checking the value."""
    actor.require("settings")
    act_as(session, actor)
    if key not in DEFAULTS:
        raise UserError(f"unknown setting {key!r}")
    value = checked_value(key, value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value)))
    elif json.loads(row.value) != value:
        row.value = json.dumps(value)


def update_settings(session: Session, values: Mapping[str, Any], *, actor: Actor) -> list[str]:
    """Change several settings in one transaction (all or none); returns the keys changed."""
    actor.require("settings")
    current = load_settings(session)
    changed = [key for key, value in values.items()
               if checked_value(key, value) != _current_value(current, key)]
    for key in changed:
        update_setting(session, key, values[key], actor=actor)
    return changed


def _current_value(current: ClinicSettings, key: str) -> Any:
    value = getattr(current, key)
    return value.value if isinstance(value, AreaMethod) else value


def checked_value(key: str, value: Any) -> Any:
    """The value as stored, or UserError saying what is wrong with it."""
    if key not in DEFAULTS:
        raise UserError(f"unknown setting {key!r}")
    if key == "area_method":
        try:
            return AreaMethod(value).value
        except ValueError:
            raise UserError(f"unknown area method {value!r}") from None
    if key == "paper_size" and value not in PAPER_SIZES:
        raise UserError(f"paper size must be one of {', '.join(PAPER_SIZES)}")
    if key in ("idle_lock_minutes", "follow_up_interval_days", "backups_to_keep"):
        return _whole_number(key, value, 1, 365 if key == "backups_to_keep" else 240)
    if key == "clinic_name":
        return _text("the clinic name", value, MAX_NAME, required=True)
    if key == "clinic_address":
        return _text("the clinic address", value, MAX_ADDRESS, required=False)
    if key == "clinic_logo_path":
        return _logo_path(value)
    if key == "backup_folder":
        return _folder(value)
    return value


def _whole_number(key: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, float) and number != value or \
            not low <= number <= high:
        raise UserError(f"{key.replace('_', ' ')} must be a whole number between {low} and "
                        f"{high}")
    return number


def _text(what: str, value: Any, limit: int, *, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise UserError(f"{what} is required")
    if len(text) > limit:
        raise UserError(f"{what} may have at most {limit} characters")
    if any(ord(ch) < 32 and ch != "\n" for ch in text):
        raise UserError(f"{what} may not contain control characters")
    return text


def _logo_path(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    path = Path(str(value).strip()).expanduser()
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise UserError("the logo must be a PNG or JPEG image")
    # A logo that later moves is harmless (reports leave it out); the window checks it exists.
    return str(path)


def _folder(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    path = Path(str(value).strip()).expanduser()
    if not path.is_absolute():
        raise UserError("the backup folder must be a full path")
    if path.exists() and not path.is_dir():
        raise UserError(f"{path} is a file, not a folder")
    return str(path)


def set_reference_range(session: Session, analyte: str, low: float | None, high: float | None,
                        *, actor: Actor, unit: str | None = None) -> None:
    """The clinic's range of `analyte`, given in `unit` (canonical when None), stored in the
    canonical unit. Both ends None: back to the default range."""
    actor.require("settings")
    act_as(session, actor)
    if analyte not in ANALYTES:
        raise UserError(f"unknown analyte {analyte!r}")
    info = ANALYTES[analyte]
    try:
        low, high = (None if v is None else round(info.to_canonical(float(v), unit), 6)
                     for v in (low, high))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for value in (low, high):
        if value is not None and not info.hard_min <= value <= info.hard_max:
            raise UserError(f"{info.label}: a range end of {value:g} {info.unit} is outside "
                            f"{info.hard_min:g}–{info.hard_max:g} {info.unit}")
    if low is not None and high is not None and low > high:
        raise UserError("the low end of a range must not exceed the high end")
    row = session.get(ReferenceRangeSetting, analyte)
    if low is None and high is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(ReferenceRangeSetting(analyte=analyte, low=low, high=high))
    elif (row.low, row.high) != (low, high):
        row.low, row.high = low, high
