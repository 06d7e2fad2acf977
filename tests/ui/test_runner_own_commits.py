"""The window's runner commits inside its change feed's own_commit: a save is announced once
(by the runner), not a second time by the feed ~0.5 s later (a second full reload)."""
from __future__ import annotations

from app.services.changes import Changes
from app.ui.dbops import DatabaseRunner


def test_a_write_is_announced_once_and_a_commit_elsewhere_still_arrives(qtbot, db, actor):
    from app.db import Database
    from app.services.patients import PatientInput, create_patient

    runner = DatabaseRunner(db)
    announced: list[Changes] = []
    runner.changed.connect(announced.append)
    runner.follow_other_workstations()
    feed = runner._feed
    qtbot.waitUntil(feed.ready.is_set, timeout=10_000)
    done: list[int] = []
    runner.write(lambda s: create_patient(s, PatientInput(mrn="R-1", name="Runner Save"),
                                          actor=actor).id,
                 changes=lambda pid: Changes.of(patients=[pid]), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    looked = feed.looks
    qtbot.waitUntil(lambda: feed.looks >= looked + 2, timeout=10_000)
    assert announced == [Changes.of(patients=done)]  # the runner's own, and nothing more
    other = Database.open(db.url)  # another window's connection
    try:
        with other.write() as session:
            create_patient(session, PatientInput(mrn="R-2", name="Elsewhere"), actor=actor)
        qtbot.waitUntil(lambda: any(c.everything for c in announced), timeout=10_000)
    finally:
        other.dispose()
        runner.stop_following()
        runner.wait()
