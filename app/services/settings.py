"""Clinic settings: clinic name and logo, area method, reference ranges, paper, idle lock."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.analytes import ANALYTES, ReferenceRange, default_reference_ranges
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
}


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str
    clinic_logo_path: str | None
    area_method: AreaMethod
    paper_size: str
    idle_lock_minutes: int
    follow_up_interval_days: int
    reference_ranges: dict[str, ReferenceRange] = field(default_factory=dict)


def load_settings(session: Session) -> ClinicSettings:
    values = dict(DEFAULTS)
    # Plain rows, not ORM objects: every chart and report reads the settings.
    for key, value in session.execute(select(Setting.key, Setting.value)):
        if key in values:
            values[key] = json.loads(value)
    ranges = default_reference_ranges()
    for analyte, low, high in session.execute(select(ReferenceRangeSetting.analyte,
                                                     ReferenceRangeSetting.low,
                                                     ReferenceRangeSetting.high)):
        ranges[analyte] = ReferenceRange(low, high)
    return ClinicSettings(
        clinic_name=values["clinic_name"],
        clinic_logo_path=values["clinic_logo_path"],
        area_method=AreaMethod(values["area_method"]),
        paper_size=values["paper_size"],
        idle_lock_minutes=int(values["idle_lock_minutes"]),
        follow_up_interval_days=int(values["follow_up_interval_days"]),
        reference_ranges=ranges,
    )


def update_setting(session: Session, key: str, value: Any, *, actor: Actor) -> None:
    """Change one clinic setting, after checking the value."""
    actor.require("settings")
    act_as(session, actor)
    if key not in DEFAULTS:
        raise UserError(f"unknown setting {key!r}")
    if key == "area_method":
        value = AreaMethod(value).value
    elif key == "paper_size" and value not in PAPER_SIZES:
        raise UserError(f"paper size must be one of {', '.join(PAPER_SIZES)}")
    elif key in ("idle_lock_minutes", "follow_up_interval_days"):
        value = int(value)
        if not 1 <= value <= 240:
            raise UserError(f"{key.replace('_', ' ')} must be between 1 and 240")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def set_reference_range(session: Session, analyte: str, low: float | None, high: float | None,
                        *, actor: Actor) -> None:
    actor.require("settings")
    act_as(session, actor)
    if analyte not in ANALYTES:
        raise UserError(f"unknown analyte {analyte!r}")
    if low is not None and high is not None and low > high:
        raise UserError("the low end of a range must not exceed the high end")
    row = session.get(ReferenceRangeSetting, analyte)
    if row is None:
        session.add(ReferenceRangeSetting(analyte=analyte, low=low, high=high))
    else:
        row.low, row.high = low, high
