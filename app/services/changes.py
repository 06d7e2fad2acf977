"""What another workstation (or another window) changed: the value the change feed delivers.

A `Changes` names the patients, visits and photos touched by one or more committed write
transactions, whether settings or users changed, or, when the source cannot say what changed
(SQLite's `PRAGMA data_version` only says "something"), `everything`. The UI reloads the views
the value touches; it never overwrites a form being edited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

_EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Changes:
    """Ids touched by committed transactions; `everything` when unknown (reload all)."""

    patients: frozenset[int] = field(default=_EMPTY)
    visits: frozenset[int] = field(default=_EMPTY)
    photos: frozenset[int] = field(default=_EMPTY)
    settings: bool = False
    users: bool = False
    everything: bool = False

    @classmethod
    def all(cls) -> Changes:
        """Something changed, nobody knows what: every view reloads."""
        return cls(everything=True)

    @classmethod
    def of(cls, *, patients: Iterable[int] = (), visits: Iterable[int] = (),
           photos: Iterable[int] = (), settings: bool = False, users: bool = False) -> Changes:
        return cls(frozenset(patients), frozenset(visits), frozenset(photos), settings, users)

    def is_empty(self) -> bool:
        return not (self.patients or self.visits or self.photos or self.settings or self.users
                    or self.everything)

    def merge(self, other: Changes) -> Changes:
        """Both sets of changes in one value (the UI coalesces a burst of notifications)."""
        return Changes(self.patients | other.patients, self.visits | other.visits,
                       self.photos | other.photos, self.settings or other.settings,
                       self.users or other.users, self.everything or other.everything)

    @staticmethod
    def merge_all(values: Iterable[Changes]) -> Changes:
        merged = Changes()
        for value in values:
            merged = merged.merge(value)
        return merged

    def touches_patient(self, patient_id: int) -> bool:
        """True when a view showing `patient_id` should reload."""
        return self.everything or patient_id in self.patients

    # -- the NOTIFY payload (compact JSON, well under PostgreSQL's 8000-byte limit) -----------
    def to_payload(self, *, limit: int = 7000, sender: str | None = None) -> str:
        """Compact JSON; a change too large to list becomes {"all": true}. `sender` names
        the window that wrote it (its own feed ignores it: it has announced it already)."""
        body: dict[str, Any] = {"by": sender} if sender else {}
        if self.everything:
            body["all"] = True
        for key, ids in (("p", self.patients), ("v", self.visits), ("ph", self.photos)):
            if ids:
                body[key] = sorted(ids)
        if self.settings:
            body["s"] = True
        if self.users:
            body["u"] = True
        text = json.dumps(body, separators=(",", ":"))
        if len(text) <= limit:
            return text
        return json.dumps({"by": sender, "all": True} if sender else {"all": True},
                          separators=(",", ":"))

    @staticmethod
    def sender_of(payload: str) -> str | None:
        """The `sender` a payload names, or None."""
        try:
            body = json.loads(payload)
        except ValueError:
            return None
        sender = body.get("by") if isinstance(body, dict) else None
        return sender if isinstance(sender, str) else None

    @classmethod
    def from_payload(cls, payload: str) -> Changes:
        """The value `to_payload` wrote; anything unreadable means "reload everything"."""
        try:
            body = json.loads(payload)
            if not isinstance(body, dict):
                return cls.all()
            return cls(frozenset(int(i) for i in body.get("p", ())),
                       frozenset(int(i) for i in body.get("v", ())),
                       frozenset(int(i) for i in body.get("ph", ())),
                       bool(body.get("s")), bool(body.get("u")), bool(body.get("all")))
        except (ValueError, TypeError):
            return cls.all()
