"""Cached pages (interacta.core.cache): served again without the work, never stale after
a change, never one viewer's page for another, and never a cookie or a CSRF token from
someone else."""

from __future__ import annotations

import re

import sqlalchemy as sa


def test_a_second_view_runs_only_the_fingerprint_query(client, make_event, statements):
    event = make_event(title="Protection of civilians in Sahel")
    first = client.get(f"/events/{event.slug}")
    statements.clear()
    second = client.get(f"/events/{event.slug}")
    assert second.status_code == 200
    assert second.data == first.data
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_an_edit_shows_at_once(client, db, make_event):
    event = make_event(title="Old title")
    assert b"Old title" in client.get(f"/events/{event.slug}").data
    assert b"Old title" in client.get("/events/").data
    event.title = "New title"
    db.session.flush()
    assert b"New title" in client.get(f"/events/{event.slug}").data
    assert b"New title" in client.get("/events/").data
    assert b"New title" in client.get("/events/feed.ics").data


def test_an_agenda_change_shows_on_the_event_page(client, db, make_event):
    from interacta.events.models import AgendaSession

    event = make_event()
    client.get(f"/events/{event.slug}")
    event.sessions.append(
        AgendaSession(
            title="Opening panel", starts_at=event.starts_at, ends_at=event.ends_at, room="A"
        )
    )
    db.session.flush()
    assert b"Opening panel" in client.get(f"/events/{event.slug}").data
    event.sessions[0].title = "Closing panel"
    db.session.flush()
    assert b"Closing panel" in client.get(f"/events/{event.slug}").data


def test_a_registration_updates_the_seats_left(client, db, make_event, make_registration):
    event = make_event(capacity=10)
    assert b"10, 10 left" in client.get(f"/events/{event.slug}").data
    registration = make_registration(event=event)
    assert b"10, 9 left" in client.get(f"/events/{event.slug}").data
    registration.status = "cancelled"
    registration.active_key = None
    db.session.flush()
    assert b"10, 10 left" in client.get(f"/events/{event.slug}").data


def test_author_and_topic_changes_show_on_publication_pages(client, db, make_publication):
    from interacta.core.models import Topic

    pub = make_publication(title="Civil-military coordination", authors=["Lena Novak"])
    assert b"Lena Novak" in client.get(f"/publications/{pub.slug}").data
    pub.authors[0].name = "Lena Horvat"
    db.session.flush()
    assert b"Lena Horvat" in client.get(f"/publications/{pub.slug}").data
    assert b"Lena Horvat" in client.get("/publications/").data

    topic = db.session.scalars(sa.select(Topic).order_by(Topic.position)).first()
    assert topic.name.encode() not in client.get(f"/publications/{pub.slug}").data
    pub.topics.append(topic)  # only the association table changes
    db.session.flush()
    assert topic.name.encode() in client.get(f"/publications/{pub.slug}").data


def test_a_deleted_record_disappears(client, db, make_publication):
    pub = make_publication(title="Soon gone")
    make_publication(title="Newer, stays")  # so max(id) and max(updated_at) stay put
    assert b"Soon gone" in client.get("/publications/feed.atom").data
    db.session.delete(pub)
    db.session.flush()
    assert b"Soon gone" not in client.get("/publications/feed.atom").data
    assert client.get(f"/publications/{pub.slug}").status_code == 404


def test_a_participant_page_is_never_served_to_another_member(
    app, make_member, make_event, make_registration, auth
):
    event = make_event(format="online", online_url="https://meet.example/secret-room")
    participant, other = make_member(), make_member()
    make_registration(event=event, member=participant)

    with app.test_client() as first:
        type(auth)(first).login_as(participant)
        assert b"secret-room" in first.get(f"/events/{event.slug}").data
    with app.test_client() as second:
        type(auth)(second).login_as(other)
        assert b"secret-room" not in second.get(f"/events/{event.slug}").data
    with app.test_client() as visitor:
        assert b"secret-room" not in visitor.get(f"/events/{event.slug}").data
    # One browser, one session (and CSRF token), two people one after the other.
    with app.test_client() as shared:
        type(auth)(shared).login_as(participant)
        assert b"secret-room" in shared.get(f"/events/{event.slug}").data
        type(auth)(shared).login_as(other)
        assert b"secret-room" not in shared.get(f"/events/{event.slug}").data


def _csrf_in(html: bytes) -> set[str]:
    return set(re.findall(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)) | set(
        re.findall(rb'name="csrf_token" value="([^"]+)"', html)
    )


def test_each_session_gets_its_own_csrf_token(app, monkeypatch, make_member, make_event, auth):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    event = make_event()
    tokens = []
    member = make_member()
    for _browser in range(2):  # the same member in two browsers: two sessions
        with app.test_client() as client:
            type(auth)(client).login_as(member)
            client.get("/")  # the session gets its token on the first page with a form
            first = client.get(f"/events/{event.slug}")
            again = client.get(f"/events/{event.slug}")
            assert first.data == again.data  # served from the cache for this session
            with client.session_transaction() as sess:
                raw = sess["csrf_token"]
            found = _csrf_in(first.data)
            assert found, "the page has a form with a CSRF token"
            tokens.append((raw, found))
    assert tokens[0][1].isdisjoint(tokens[1][1])
    # ... and the token on each page belongs to that session
    from itsdangerous import URLSafeTimedSerializer

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    for raw, found in tokens:
        assert {serializer.loads(t.decode()) for t in found} == {raw}


def test_a_response_setting_a_cookie_or_showing_a_flash_is_not_reused(client, make_event):
    from interacta.extensions import cache

    event = make_event()
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Saved.")]
    assert b"Saved." in client.get(f"/events/{event.slug}").data
    assert b"Saved." not in client.get(f"/events/{event.slug}").data
    # The calendar remembers the view in a cookie for a visitor who allowed it: never cached.
    client.post("/cookies/consent", data={"action": "accept_all"})
    cache.clear()
    response = client.get("/events/calendar")
    assert "ia_prefs=" in " ".join(response.headers.getlist("Set-Cookie"))
    for _ in range(2):  # also once the browser sends the cookie back
        again = client.get("/events/calendar")
        assert "ia_prefs=" in " ".join(again.headers.getlist("Set-Cookie"))


def test_a_feed_answers_304_to_a_known_etag(client, make_publication):
    make_publication()
    first = client.get("/publications/feed.atom")
    etag = first.headers["ETag"]
    again = client.get("/publications/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_a_bulk_delete_also_shows(client, db, make_publication):
    from interacta.publications.models import Publication, PublicationAuthor

    gone = make_publication(title="Bulk gone")  # older and lower id than the one kept:
    keep = make_publication(title="Stays")  # neither max(id) nor max(updated_at) moves
    assert b"Bulk gone" in client.get("/publications/").data
    db.session.execute(
        sa.delete(PublicationAuthor).where(PublicationAuthor.publication_id == gone.id)
    )
    db.session.execute(sa.delete(Publication).where(Publication.id == gone.id))
    db.session.expunge(gone)
    html = client.get("/publications/").data
    assert b"Bulk gone" not in html and keep.title.encode() in html


def test_the_fingerprint_does_not_count_rows(app, db, statements):
    from interacta.core.cache import fingerprint
    from interacta.events.models import Event, Registration

    statements.clear()
    fingerprint(Event, Registration)
    [sql] = [s for s in statements if "SELECT" in s.upper()]
    assert "count(" not in sql.lower()


def test_a_change_the_fingerprint_cannot_see_shows_within_the_page_lifetime(
    app, client, db, monkeypatch, make_publication
):
    # E.g. a transaction that commits after a later one already moved the newest
    # updated_at: simulated by a Core UPDATE that leaves updated_at alone.
    import time

    from interacta.publications.models import Publication

    monkeypatch.setitem(app.config, "CACHE_PAGE_SECONDS", 2)  # SimpleCache counts whole seconds
    pub = make_publication(title="Before")
    assert b"Before" in client.get(f"/publications/{pub.slug}").data
    table = Publication.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == pub.id)
        .values(title="After", updated_at=table.c.updated_at)  # (else onupdate moves it)
    )
    db.session.expire_all()
    assert b"Before" in client.get(f"/publications/{pub.slug}").data  # still the cached page
    time.sleep(2.1)
    assert b"After" in client.get(f"/publications/{pub.slug}").data


def test_unknown_query_parameters_are_never_cached(client, make_publication, statements):
    make_publication()
    client.get("/publications/?junk=1")
    statements.clear()
    client.get("/publications/?junk=1")
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) > 1
    client.get("/publications/?q=water")
    statements.clear()
    client.get("/publications/?q=water")
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_pages_are_built_when_the_cache_is_unreachable(make_app, caplog):
    app = make_app(CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    with caplog.at_level("WARNING", logger="interacta.core.cache"):
        response = app.test_client().get("/publications/")
    assert response.status_code == 200
    assert "the cache is unavailable" in caplog.text


def test_an_event_ics_is_served_from_the_page_cache_and_shows_an_edit(
    client, db, make_event, statements
):
    event = make_event(title="Cyber norms at sea")
    first = client.get(f"/events/{event.slug}.ics")
    statements.clear()
    second = client.get(f"/events/{event.slug}.ics")
    assert second.data == first.data and b"SUMMARY:Cyber norms at sea" in second.data
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    event.title = "Cyber norms on land"
    db.session.flush()
    assert b"SUMMARY:Cyber norms on land" in client.get(f"/events/{event.slug}.ics").data


def test_the_feed_reuses_each_event_text_and_rebuilds_only_a_changed_one(
    client, db, make_event, statements
):
    events = [make_event(title=f"Workshop {n}") for n in range(3)]
    client.get("/events/feed.ics")
    events[1].title = "Workshop renamed"
    db.session.flush()
    statements.clear()
    body = client.get("/events/feed.ics").data
    assert b"SUMMARY:Workshop renamed" in body and b"SUMMARY:Workshop 2" in body
    # Only the changed event was loaded whole to build its text again.
    loads = [s for s in statements if "events.description" in s]
    assert len(loads) == 1


def test_the_text_store_is_bounded_in_bytes_and_drops_the_least_recently_used():
    from interacta.core.cache import ByteBoundedLRU

    store = ByteBoundedLRU(max_bytes=10)
    store.set("a", b"1234")
    store.set("b", b"1234")
    assert store.get("a") == b"1234"  # now the most recently used
    store.set("c", b"1234")  # 12 bytes: "b" goes
    assert store.get("b") is None and store.get("a") == b"1234" and store.get("c") == b"1234"
    assert store.size == 8
    store.set("big", b"x" * 11)  # larger than the whole store: never kept
    assert store.get("big") is None and store.size == 8


def test_values_kept_each_are_built_together_only_when_missing(app):
    from interacta.core.cache import cached_each

    built = []

    def build(parts):
        built.append(sorted(parts))
        return {part: part.upper() for part in parts}

    with app.app_context():
        assert cached_each("test-each", ["a", "b"], "v1", build) == {"a": "A", "b": "B"}
        assert cached_each("test-each", ["b", "c"], "v1", build) == {"b": "B", "c": "C"}
        assert cached_each("test-each", ["a", "c"], "v1", build) == {"a": "A", "c": "C"}
        assert cached_each("test-each", ["a"], "v2", build) == {"a": "A"}  # a new version
    assert built == [["a", "b"], ["c"], ["a"]]


def test_recent_values_are_kept_apart_from_the_page_cache_and_bounded(app, monkeypatch):
    # A search's matches (`cached_recent`) never push built pages out of the page cache:
    # they are kept in a small store of their own, the least recently used going first.
    from interacta.core import cache

    monkeypatch.setitem(app.config, "CACHE_RECENT_BYTES", 100)
    built = []

    def build() -> bytes:
        built.append(1)
        return b"x" * 40

    with app.test_request_context("/"):
        assert cache.cached_recent("recent", ("a",), "v1", build) == b"x" * 40
        assert cache.cached_recent("recent", ("a",), "v1", build) == b"x" * 40
        assert len(built) == 1
        assert cache.kept("recent", ("a",), "v1") is None  # not in the page cache
        cache.cached_recent("recent", ("b",), "v1", build)
        cache.cached_recent("recent", ("c",), "v1", build)  # 120 bytes: "a" goes
        assert len(built) == 3
        cache.cached_recent("recent", ("c",), "v1", build)
        assert len(built) == 3
        cache.cached_recent("recent", ("a",), "v1", build)
        assert len(built) == 4
        cache.cached_recent("recent", ("a",), "v2", build)  # another version: built
        assert len(built) == 5
