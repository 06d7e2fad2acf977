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


def test_on_a_server_a_write_and_an_import_are_not_echoed_by_the_feed(qtbot, pg_url, actor):
    from app.db import Database
    from app.services.patients import PatientInput, create_patient

    db = Database.open(pg_url)
    other = Database.open(pg_url)  # another workstation: its own engine, unsigned NOTIFYs
    runner = DatabaseRunner(db)
    announced: list[Changes] = []
    runner.changed.connect(announced.append)
    runner.follow_other_workstations()
    qtbot.waitUntil(runner._feed.ready.is_set, timeout=10_000)

    def add(database, mrn: str) -> int:
        with database.write() as session:
            return create_patient(session, PatientInput(mrn=mrn, name="Signed"),
                                  actor=actor).id

    done: list[int] = []
    runner.write(lambda s: create_patient(s, PatientInput(mrn="W-1", name="Write"),
                                          actor=actor).id,
                 changes=lambda pid: Changes.of(patients=[pid]), on_done=done.append)
    runner.call("import", lambda: add(db, "C-1"), done.append,
                changes=lambda pid: Changes.of(patients=[pid]))  # manages its own transaction
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10_000)
    elsewhere = add(other, "ELSEWHERE")
    try:
        qtbot.waitUntil(lambda: any(elsewhere in c.patients for c in announced),
                        timeout=10_000)
        # NOTIFYs arrive in commit order: an echo of either would have come before
        assert [c for c in announced if elsewhere not in c.patients] == [
            Changes.of(patients=[done[0]]), Changes.of(patients=[done[1]])]
    finally:
        runner.stop_following()
        runner.wait()
        other.dispose()
        db.dispose()
