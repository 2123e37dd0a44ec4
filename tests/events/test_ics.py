"""Calendar files: RFC 5545, read back with icalendar and with vobject (an independent parser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import vobject

from interacta.events import services

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_event_ics_has_uid_dtstamp_sequence_vtimezone_and_url(client, make_event):
    # 26 Oct 2030 10:00 in Brussels is summer time; the switch is the next night.
    starts = datetime(2030, 10, 26, 8, 0, tzinfo=UTC)
    event = make_event(title="DST seminar", starts_at=starts, ends_at=starts + timedelta(days=1))
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"

    cal = icalendar.Calendar.from_ical(response.data)
    [vevent] = cal.walk("VEVENT")
    [vtz] = cal.walk("VTIMEZONE")
    assert str(vtz["TZID"]) == "Europe/Brussels"
    assert str(vevent["UID"]).startswith(f"event-{event.id}@")
    assert "DTSTAMP" in vevent
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["URL"]).endswith(f"/events/{event.slug}")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert vevent.decoded("DTSTART") == starts
    assert vevent.decoded("DTSTART").astimezone(BRUSSELS).hour == 10
    # The end, after the switch: 09:00 local is now UTC+1.
    assert vevent.decoded("DTEND").astimezone(BRUSSELS).hour == 9
    assert str(vevent["STATUS"]) == "CONFIRMED"

    # An independent parser reads the same file the same way.
    parsed = vobject.readOne(response.data.decode())
    assert parsed.vevent.uid.value == str(vevent["UID"])
    assert parsed.vevent.dtstart.value.astimezone(UTC) == starts
    assert parsed.vevent.dtend.value.astimezone(UTC) == starts + timedelta(days=1)
    assert parsed.vevent.summary.value == "DST seminar"
    assert parsed.vevent.sequence.value == "0"


def test_uid_is_stable_and_sequence_rises_with_each_published_change(client, organizer, db):
    start = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)
    event = services.create_event(
        organizer, title="Series", summary="s", description="", kind="seminar",
        starts_at=start, ends_at=start + timedelta(hours=2), timezone="Europe/Brussels",
        format="in_person", venue_name="Hall", venue_address=None, online_url=None,
        capacity=None, registration_opens_at=None, registration_closes_at=None,
        audience="all", recording_url=None,
    )  # fmt: skip
    services.publish(event)
    db.session.commit()

    def read():
        [item] = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").data).walk(
            "VEVENT"
        )
        return str(item["UID"]), int(item["SEQUENCE"]), str(item["STATUS"])

    uid, seq, _ = read()
    services.update_event(event, starts_at=start + timedelta(hours=1), title="Series, moved")
    db.session.commit()
    uid2, seq2, _ = read()
    services.cancel(event, "Sorry.")
    db.session.commit()
    uid3, seq3, status = read()
    assert uid == uid2 == uid3
    assert seq < seq2 < seq3
    assert status == "CANCELLED"


def test_feed_has_published_upcoming_and_recent_events_only(client, make_event):
    now = datetime.now(UTC)
    upcoming = make_event(title="Upcoming", starts_at=now + timedelta(days=5))
    recent = make_event(title="Recent", starts_at=now - timedelta(days=30))
    make_event(title="Ancient", starts_at=now - timedelta(days=200))
    make_event(title="Draft", status="draft", starts_at=now + timedelta(days=5))
    tokyo = make_event(title="Tokyo", timezone="Asia/Tokyo", starts_at=now + timedelta(days=9))
    data = client.get("/events/feed.ics").data
    cal = icalendar.Calendar.from_ical(data)
    titles = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert titles >= {"Upcoming", "Recent", "Tokyo"}
    assert not titles & {"Ancient", "Draft"}
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} >= {"Europe/Brussels", "Asia/Tokyo"}
    parsed = vobject.readOne(data.decode())
    uids = {v.uid.value for v in parsed.vevent_list}
    assert {f"event-{e.id}@127.0.0.1" for e in (upcoming, recent, tokyo)} <= uids


def test_event_ics_with_its_text_known_reads_only_the_event(
    client, make_event, organizer, count_queries, db
):
    # Once the VEVENT text is kept, the .ics needs the event row alone (to know it is
    # public and unchanged): not its agenda, topics or organizer, which the text already holds.
    import sqlalchemy as sa

    from interacta.events.models import Topic

    topic = db.session.scalar(sa.select(Topic).limit(1))
    starts = datetime(2031, 5, 1, 8, tzinfo=UTC)
    event = make_event(
        organizer=organizer, starts_at=starts, topics=[topic],
        sessions=[{"title": "S", "starts_at": starts, "ends_at": starts + timedelta(hours=1)}],
    )  # fmt: skip
    url = f"/events/{event.slug}.ics"
    first = client.get(url)
    assert first.status_code == 200
    db.session.expire_all()
    with count_queries() as counted:
        again = client.get(url + "?v=2")  # not from the page cache
    assert again.status_code == 200
    assert again.data.split(b"DTSTAMP")[0] == first.data.split(b"DTSTAMP")[0]
    assert counted.count == 1, [s[:80] for s in counted.statements]
    assert "FROM events" in counted.statements[0]


def test_a_feed_build_lets_go_of_the_events_it_loaded(
    client, make_event, organizer, db, monkeypatch
):
    # A first build of a large feed holds CHUNK events at a time, not all of them until
    # the request ends; every event is still in the feed.
    from interacta.events import ics
    from interacta.events.models import Event

    monkeypatch.setattr(ics, "CHUNK", 2, raising=False)
    starts = datetime(2031, 6, 1, 8, tzinfo=UTC)
    ids = [
        make_event(organizer=organizer, starts_at=starts + timedelta(days=i)).id for i in range(5)
    ]
    db.session.expunge_all()
    seen = []
    real = ics.vevent

    def counting(event, **kwargs):
        seen.append(sum(isinstance(o, Event) for o in db.session.identity_map.values()))
        return real(event, **kwargs)

    monkeypatch.setattr(ics, "vevent", counting)
    response = client.get("/events/feed.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.data)
    assert sorted(int(str(v["UID"]).split("-")[1].split("@")[0]) for v in cal.walk("VEVENT")) == ids
    assert len(seen) == 5 and max(seen) <= 2
