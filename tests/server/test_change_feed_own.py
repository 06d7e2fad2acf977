"""A window's own commits are not reported back by its change feed (it announced them
already: a second reload of the list and chart followed every save); commits of another
connection or process still are, on both backends."""
from __future__ import annotations

from contextlib import ExitStack

from app.services.change_feed import ChangeFeed
from app.services.changes import Changes
from tests.pg_cluster import wait_until
from tests.server import workers
from tests.server.test_change_feed import Inbox


def _own_patient(db, feed: ChangeFeed, mrn: str) -> int:
    """Create a patient as the window's runner commits: inside the feed's own_commit."""
    from app.services.patients import PatientInput, create_patient

    with ExitStack() as after_commit:
        with db.write() as session:
            pid = create_patient(session, PatientInput(mrn=mrn, name="Own Save"),
                                 actor=workers._actor("nurse.own"), today=workers.TODAY).id
            after_commit.enter_context(feed.own_commit(session))
    return pid


def test_own_commits_are_not_reported_on_sqlite_but_another_connection_is(db):
    from app.db import Database

    inbox = Inbox()
    feed = ChangeFeed.for_database(db, poll_seconds=0.02).start(inbox)
    other = Database.open(db.url)  # a second window or the command line: its own connection
    try:
        assert feed.ready.wait(30)
        for turn in range(3):
            _own_patient(db, feed, f"OWN-{turn}")
        looked = feed.looks
        assert wait_until(lambda: feed.looks >= looked + 3, timeout=20)
        assert inbox.received == []  # three saves, no echo
        workers.add_patient(other.url, "ELSEWHERE")
        assert wait_until(lambda: inbox.merged().everything, timeout=20)
    finally:
        feed.stop()
        other.dispose()


def test_a_commit_elsewhere_just_before_an_own_commit_is_still_reported(db):
    """The feed has not looked yet when the window saves: the other commit is not taken
    for the window's own."""
    inbox = Inbox()
    feed = ChangeFeed.for_database(db, poll_seconds=3600).start(inbox)  # never looks itself
    try:
        assert feed.ready.wait(30)
        workers.add_patient(db.url, "FIRST-ELSEWHERE")
        assert inbox.received == []
        _own_patient(db, feed, "OWN-AFTER")
        assert inbox.merged().everything
        inbox.received.clear()
        _own_patient(db, feed, "OWN-AGAIN")
        assert inbox.received == []
    finally:
        feed.stop()


def test_a_server_does_not_echo_the_windows_own_notify(pg_url, pool):
    from app.db import Database

    db = Database.open(pg_url)
    inbox = Inbox()
    feed = ChangeFeed.for_database(db).start(inbox)
    try:
        assert feed.ready.wait(30)
        own = _own_patient(db, feed, "OWN-PG")
        elsewhere = pool.apply(workers.add_patient, (pg_url, "ELSEWHERE-PG"))
        assert wait_until(lambda: elsewhere in inbox.merged().patients, timeout=20)
        # notifications arrive in commit order: the own one would have come first
        assert own not in inbox.merged().patients
        assert not inbox.merged().everything
    finally:
        feed.stop()
        db.dispose()


class _Note:
    def __init__(self, payload: str):
        self.payload = payload


class _FakeListener:
    """Stands in for psycopg's connection: records when the feed waits and delivers."""

    def __init__(self, events: list[str], queue: list[list[_Note]], feed: ChangeFeed):
        self.events, self.queue, self.feed = events, queue, feed

    def notifies(self, *, timeout: float, stop_after: int | None = None):
        self.events.append(f"wait {timeout:g}" + (" for one" if stop_after else ""))
        if not self.queue:
            self.feed._stop.set()
            return iter(())
        return iter(self.queue.pop(0))

    def execute(self, _sql: str) -> None:
        self.events.append("ping")


def test_a_lone_notification_is_delivered_before_any_coalescing_wait():
    events: list[str] = []
    feed = ChangeFeed("postgresql+psycopg://nobody@/none", poll_seconds=0.5)
    feed._callback = lambda changes: events.append(f"deliver {sorted(changes.patients)}")
    own = Changes.of(patients=[9]).to_payload(sender=feed.sender)
    queue = [[_Note(Changes.of(patients=[1]).to_payload())],  # the first of a burst
             [_Note(Changes.of(patients=[2]).to_payload())],  # already there with it
             [_Note(Changes.of(patients=[3]).to_payload()), _Note(own)],  # the burst's rest
             [_Note(own)], []]  # the window's own: skipped, no coalescing wait after it
    feed._receive(_FakeListener(events, queue, feed))
    assert events == ["wait 0.5 for one", "wait 0", "deliver [1, 2]", "wait 0.1",
                      "deliver [3]", "wait 0.5 for one", "wait 0", "wait 0.5 for one",
                      "ping"]
