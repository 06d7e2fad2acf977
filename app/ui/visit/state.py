"""What the nurse typed into the visit form, as plain Python values (no Qt).

`VisitFormState` is the form's state by stable keys: the visit's own fields, one entry per
ulcer section (each open ulcer by its site, and each new ulcer), and the patient-level groups
(labs, perfusion, treatment, adverse event). Drafts are written from it and restored into the
form from it, the form's "anything changed?" compares two of them, and saving asks it which
open ulcers were left unmeasured: none of them reaches into the dialog's widgets.

Draft keys (app.services.drafts keeps them as they are): "visit:vas", "ulcer:L-heel:length_cm",
"new:ulcer_site" (the first new ulcer; "new2:ulcer_site", "new3:…" for each further one),
"treatment:exosome_lot", "lab:crp_mg_l", "lab:crp_mg_l:unit", "ae:…",
"perfusion:…"; "ui:…" keys remember how the form looked and are not changes to the visit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

NEW_ULCER = "new"
UI_PREFIX = "ui:"
SIZE_FIELDS = ("length_cm", "width_cm", "traced_area_cm2")
_FURTHER_NEW_KEY = re.compile(r"^new(\d+):(.+)$")


def new_ulcer_key(number: int) -> str:
    """The draft key of the `number`-th new ulcer section (1: "new", 2: "new2", …)."""
    return NEW_ULCER if number == 1 else f"{NEW_ULCER}{number}"


@dataclass(frozen=True)
class UlcerEntry:
    """One ulcer section as typed: an open ulcer (by site) or a new ulcer (by its number
    among the new ones)."""

    site: str  # as recorded; for the new ulcer, as typed ("" until typed)
    is_new: bool = False
    is_open: bool = True  # an open ulcer of the patient the nurse is expected to measure
    values: Mapping[str, Any] = field(default_factory=dict)
    saved: bool = False  # the visit being edited assessed this ulcer
    new_number: int = 1  # a new ulcer's place among the new ones (1 for the first)
    blank: bool = False  # a new ulcer's section left as it opened: no change to the visit

    @property
    def key(self) -> str:
        return new_ulcer_key(self.new_number) if self.is_new else f"ulcer:{self.site}"

    def measured(self) -> bool:
        """A size, a traced area or "closed" was entered."""
        return any(str(self.values.get(f) or "").strip() for f in SIZE_FIELDS) \
            or bool(self.values.get("closed"))


@dataclass(frozen=True)
class VisitFormState:
    """The whole form as typed; frozen, so two snapshots can be compared."""

    patient_id: int
    visit_id: int | None = None
    base_version: int | None = None  # the saved visit's version when editing began
    visit: Mapping[str, Any] = field(default_factory=dict)
    ulcers: tuple[UlcerEntry, ...] = ()
    groups: Mapping[str, Any] = field(default_factory=dict)
    ui: Mapping[str, Any] = field(default_factory=dict)

    # -- drafts ----------------------------------------------------------------------------
    def fields(self) -> dict[str, Any]:
        """Every value by its draft key."""
        values = {f"visit:{name}": value for name, value in self.visit.items()}
        for entry in self.ulcers:
            values.update({f"{entry.key}:{name}": value for name, value in entry.values.items()})
        values.update(self.groups)
        values.update({f"{UI_PREFIX}{name}": value for name, value in self.ui.items()})
        return values

    def with_fields(self, values: Mapping[str, Any]) -> VisitFormState:
        """This state with the values of a draft put back; keys the form no longer has (an
        ulcer closed since the draft was kept) are left out; further new ulcers the draft
        kept ("new2:…") are added."""
        visit = {name: values.get(f"visit:{name}", value) for name, value in self.visit.items()}
        ulcers = tuple(
            UlcerEntry(entry.site, entry.is_new, entry.is_open,
                       {name: values.get(f"{entry.key}:{name}", value)
                        for name, value in entry.values.items()}, entry.saved,
                       entry.new_number)
            for entry in self.ulcers) + _further_new_ulcers(self.ulcers, values)
        groups = {key: values.get(key, value) for key, value in self.groups.items()}
        ui = {name: values.get(f"{UI_PREFIX}{name}", value) for name, value in self.ui.items()}
        return VisitFormState(self.patient_id, self.visit_id, self.base_version, visit, ulcers,
                              groups, ui)

    def differs_from(self, other: VisitFormState) -> bool:
        """Anything typed differs (how the form looks, and new ulcers' sections added but
        left blank, do not count)."""
        mine, theirs = self._typed_fields(), other._typed_fields()
        return any(mine.get(k) != theirs.get(k) for k in set(mine) | set(theirs))

    def _typed_fields(self) -> dict[str, Any]:
        blank = tuple(f"{entry.key}:" for entry in self.ulcers if entry.is_new and entry.blank)
        return {k: v for k, v in self.fields().items()
                if not k.startswith(UI_PREFIX) and not (blank and k.startswith(blank))}

    # -- checks before saving --------------------------------------------------------------
    def unmeasured_sites(self) -> list[str]:
        """The patient's open ulcers with nothing measured at this visit."""
        return [entry.site for entry in self.ulcers
                if not entry.is_new and entry.is_open and not entry.measured()]

    def ulcer(self, site: str) -> UlcerEntry | None:
        return next((e for e in self.ulcers if not e.is_new and e.site == site), None)


def _further_new_ulcers(ulcers: tuple[UlcerEntry, ...],
                        values: Mapping[str, Any]) -> tuple[UlcerEntry, ...]:
    """The new ulcers a draft kept beyond those of `ulcers`, in their order."""
    have = {entry.key for entry in ulcers}
    found: dict[int, dict[str, Any]] = {}
    for key, value in values.items():
        match = _FURTHER_NEW_KEY.match(key)
        if match and f"{NEW_ULCER}{match.group(1)}" not in have:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return tuple(UlcerEntry(str(found[n].get("ulcer_site") or ""), is_new=True, is_open=False,
                            values=found[n], new_number=n) for n in sorted(found))
