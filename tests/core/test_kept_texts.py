"""Texts kept for every process (interacta.core.cache `cached_texts` without Redis, the
`kept_texts` table, migration 0034): an event's VEVENT built by one worker is not built
again by another, nor after a restart, and a new version replaces the old row."""

from __future__ import annotations

import icalendar
import sqlalchemy as sa

from interacta.core import cache
from interacta.core.cache import cached_texts, clear_texts
from interacta.core.models import KeptText


def _rows(db) -> dict[str, str]:
    return dict(db.session.execute(sa.select(KeptText.key, KeptText.version)).all())


def test_another_process_builds_the_feed_from_the_kept_texts(client, db, make_event, statements):
    for n in range(3):
        make_event(title=f"Kept workshop {n}")
    first = client.get("/events/feed.ics")
    assert first.status_code == 200
    assert len(_rows(db)) == 3  # one row per event (in the feed's language)
    # A new worker, or this one restarted: nothing kept in the process.
    clear_texts()
    db.session.expire_all()
    statements.clear()
    again = client.get("/events/feed.ics?fresh=1")  # not from the page cache
    assert again.status_code == 200
    assert not [s for s in statements if "events.description" in s], "no event loaded whole"
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(again.data).walk("VEVENT")]
    assert sorted(summaries) == [f"Kept workshop {n}" for n in range(3)]


def test_a_changed_event_replaces_its_kept_text(client, db, make_event):
    event = make_event(title="Before the change")
    assert b"SUMMARY:Before the change" in client.get("/events/feed.ics").data
    (key, version), = _rows(db).items()  # fmt: skip
    event.title = "After the change"
    db.session.flush()
    clear_texts()
    body = client.get("/events/feed.ics?fresh=1").data
    assert b"SUMMARY:After the change" in body and b"Before the change" not in body
    rows = _rows(db)
    assert list(rows) == [key] and rows[key] != version  # replaced, not added beside
    # The new row is what another process reads.
    clear_texts()
    assert b"SUMMARY:After the change" in client.get("/events/feed.ics?fresh=2").data


def test_a_text_kept_under_an_older_version_is_built_again(app, db):
    with app.test_request_context("/"):
        assert cached_texts("sample", [(("a",), "v1", "one")], _build, in_table=True) == [
            b"built one"
        ]
        clear_texts()
        assert cached_texts("sample", [(("a",), "v2", "two")], _build, in_table=True) == [
            b"built two"
        ]
        clear_texts()
        assert cached_texts("sample", [(("a",), "v2", "other")], _build, in_table=True) == [
            b"built two"
        ]


def _build(items: list) -> list[bytes]:
    return [f"built {item}".encode() for item in items]


def test_texts_another_process_kept_meanwhile_are_not_built_again(app, db, monkeypatch):
    # Six texts, two at a time, from the first chunk: while this process builds its first
    # two, another keeps the four others; they are read, not built again.
    monkeypatch.setattr(cache, "TEXTS_AT_ONCE", 2)
    monkeypatch.setattr(cache.secrets, "randbelow", lambda n: 0)
    items = [((n,), "v1", n) for n in range(6)]
    asked = []

    def build(wanted: list) -> list[bytes]:
        asked.append(list(wanted))
        if len(asked) == 1:  # the other process, at the same time
            cache._keep_rows(
                {
                    f"sample:{cache._digest((n,))}": ("v1", f"other {n}".encode())
                    for n in range(2, 6)
                }
            )
        return [f"mine {n}".encode() for n in wanted]

    with app.test_request_context("/"):
        texts = cached_texts("sample", items, build, in_table=True)
    assert asked == [[0, 1]]
    assert texts == [b"mine 0", b"mine 1", b"other 2", b"other 3", b"other 4", b"other 5"]


def test_the_chunks_start_at_random_and_each_text_is_built_once(app, db, monkeypatch):
    monkeypatch.setattr(cache, "TEXTS_AT_ONCE", 2)
    monkeypatch.setattr(cache.secrets, "randbelow", lambda n: n - 1)  # the last chunk first
    asked = []

    def build(wanted: list) -> list[bytes]:
        asked.append(list(wanted))
        return [str(n).encode() for n in wanted]

    with app.test_request_context("/"):
        texts = cached_texts("sample", [((n,), "v1", n) for n in range(5)], build, in_table=True)
    assert texts == [b"0", b"1", b"2", b"3", b"4"]
    assert asked == [[4], [0, 1], [2, 3]]


def test_a_text_that_cannot_be_kept_is_still_served(app, db, monkeypatch, caplog):
    # Writing the rows fails (the database locked, say): logged, the texts still answered,
    # the request's own transaction still usable.
    class Refusing:
        @staticmethod
        def insert(_table):
            raise sa.exc.OperationalError("INSERT INTO kept_texts", {}, Exception("locked"))

    monkeypatch.setattr(cache, "sqlite", Refusing)
    monkeypatch.setattr(cache, "postgresql", Refusing)
    with app.test_request_context("/"):
        assert cached_texts("sample", [(("z",), "v1", "zed")], _build, in_table=True) == [
            b"built zed"
        ]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptText)) == 0
    assert "built texts not kept" in caplog.text


def test_only_the_calendar_views_keep_rows_not_a_mail_s_calendar_file(app, client, db, make_event):
    # A mail's file is built where the transaction writes after (the message marked sent):
    # on SQLite it could no longer write once another connection had written the rows.
    from interacta.events import ics

    event = make_event(title="Mailed seminar")
    with app.test_request_context("/"):
        assert b"SUMMARY:Mailed seminar" in ics.calendar_bytes([event])
    assert _rows(db) == {}
    clear_texts()
    assert b"SUMMARY:Mailed seminar" in client.get(f"/events/{event.slug}.ics").data
    assert len(_rows(db)) == 1


def test_a_member_s_own_feed_uses_and_keeps_the_same_rows(client, db, make_event, make_member):
    from interacta.events import registrations

    member = make_member()
    event = make_event(title="Registered seminar")
    registrations.register_member(event.id, member)
    token = registrations.calendar_token(member)
    db.session.flush()
    clear_texts()  # the confirmation mail's calendar file kept the text in this process
    assert b"SUMMARY:Registered seminar" in client.get(f"/events/my/{token}.ics").data
    assert len(_rows(db)) == 1  # the member's feed kept its text for every process
    clear_texts()
    # The public feed (another process) reads the same row: nothing built again.
    assert b"SUMMARY:Registered seminar" in client.get("/events/feed.ics").data
    assert len(_rows(db)) == 1
