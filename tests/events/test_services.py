"""Rules of events, through the services (no HTTP)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import Topic
from interacta.events import services
from interacta.events.models import Event
from interacta.extensions import UTCDateTime

BRUSSELS = "Europe/Brussels"


def values(**overrides):
    start = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)
    data = {
        "title": "Negotiating humanitarian access",
        "summary": "A workshop",
        "description": "",
        "kind": "workshop",
        "starts_at": start,
        "ends_at": start + timedelta(hours=8),
        "timezone": BRUSSELS,
        "format": "in_person",
        "venue_name": "Egmont Palace",
        "venue_address": None,
        "online_url": None,
        "capacity": 20,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "audience": "all",
        "recording_url": None,
    }
    data.update(overrides)
    return data


# --- time zones and DST ------------------------------------------------------------------


def test_local_time_before_the_october_switch_is_summer_time_in_brussels():
    # 25 Oct 2026: clocks go back from 03:00 CEST to 02:00 CET.
    assert services.local_to_utc(datetime(2026, 10, 24, 10, 0), BRUSSELS) == datetime(
        2026, 10, 24, 8, 0, tzinfo=UTC
    )
    assert services.local_to_utc(datetime(2026, 10, 26, 10, 0), BRUSSELS) == datetime(
        2026, 10, 26, 9, 0, tzinfo=UTC
    )


def test_ambiguous_local_time_in_the_fold_takes_the_first_reading():
    # 02:30 happens twice on 25 Oct 2026; the first is still summer time (UTC+2).
    assert services.local_to_utc(datetime(2026, 10, 25, 2, 30), BRUSSELS) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_local_time_skipped_by_spring_forward_is_refused_with_a_message():
    with pytest.raises(services.NonexistentLocalTime, match="does not exist in Europe/Brussels"):
        services.local_to_utc(datetime(2026, 3, 29, 2, 30), BRUSSELS)


def test_day_of_the_switch_lasts_25_hours():
    start, end = services.local_day_bounds(date(2026, 10, 25), BRUSSELS)
    assert end - start == timedelta(hours=25)


def test_event_across_the_dst_switch_keeps_its_wall_clock_times(organizer):
    starts = services.local_to_utc(datetime(2026, 10, 24, 9, 0), BRUSSELS)
    ends = services.local_to_utc(datetime(2026, 10, 26, 17, 0), BRUSSELS)
    event = services.create_event(organizer, **values(starts_at=starts, ends_at=ends))
    assert services.utc_to_local_naive(event.starts_at, BRUSSELS) == datetime(2026, 10, 24, 9)
    assert services.utc_to_local_naive(event.ends_at, BRUSSELS) == datetime(2026, 10, 26, 17)
    # 56 wall-clock hours, but 57 real hours: the night of the switch has one more.
    assert event.ends_at - event.starts_at == timedelta(hours=57)


def test_agenda_is_grouped_per_local_day_across_the_switch(make_event):
    tz = BRUSSELS
    day1 = services.local_to_utc(datetime(2026, 10, 24, 9), tz)
    event = make_event(
        starts_at=day1,
        ends_at=services.local_to_utc(datetime(2026, 10, 25, 18), tz),
        sessions=[
            {
                "title": "Late talk",
                "starts_at": services.local_to_utc(datetime(2026, 10, 24, 23, 0), tz),
                "ends_at": services.local_to_utc(datetime(2026, 10, 24, 23, 45), tz),
            },
            {
                "title": "Morning after the switch",
                "starts_at": services.local_to_utc(datetime(2026, 10, 25, 9, 0), tz),
                "ends_at": services.local_to_utc(datetime(2026, 10, 25, 10, 0), tz),
            },
        ],
    )
    days = services.agenda_by_day(event)
    assert [d for d, _ in days] == [date(2026, 10, 24), date(2026, 10, 25)]
    assert [s.title for s in days[1][1]] == ["Morning after the switch"]


# --- access ------------------------------------------------------------------------------


def test_organizer_manages_only_own_events_and_admin_manages_all(make_member, make_event):
    mine, other = make_member(role="organizer"), make_member(role="organizer")
    admin, member = make_member(role="admin"), make_member()
    event = make_event(organizer=mine)
    assert services.can_manage(mine, event)
    assert not services.can_manage(other, event)
    assert services.can_manage(admin, event)
    assert not services.can_manage(member, event)
    assert not services.can_manage(member)


def test_member_cannot_create_an_event(make_member):
    with pytest.raises(services.NotAllowed):
        services.create_event(make_member(), **values())


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"ends_at": datetime(2030, 5, 6, 7, tzinfo=UTC)}, "ends_at", "end after it starts"),
        ({"venue_name": None}, "venue_name", "venue"),
        ({"format": "online"}, "online_url", "link"),
        ({"capacity": 0}, "capacity", "at least 1"),
        (
            {
                "registration_opens_at": datetime(2030, 5, 1, tzinfo=UTC),
                "registration_closes_at": datetime(2030, 4, 1, tzinfo=UTC),
            },
            "registration_closes_at",
            "close after it opens",
        ),
    ],
)
def test_invalid_event_values_get_a_message_on_the_field(overrides, field, message):
    errors = services.validate_event_values(values(**overrides))
    assert message in errors[field]


def test_agenda_session_outside_the_event_or_ending_before_it_starts_is_refused(organizer):
    event = services.create_event(organizer, **values())
    start = event.starts_at
    sessions = [
        services.SessionInput("Fine", start, start + timedelta(hours=1)),
        services.SessionInput("Backwards", start + timedelta(hours=2), start + timedelta(hours=1)),
        services.SessionInput("Too late", start + timedelta(hours=7), start + timedelta(hours=9)),
    ]
    with pytest.raises(services.InvalidAgenda) as exc:
        services.set_agenda(event, sessions)
    assert set(exc.value.errors) == {1, 2}
    assert "end after it starts" in exc.value.errors[1]
    assert "within the event" in exc.value.errors[2]
    assert event.sessions == []


# --- lifecycle ---------------------------------------------------------------------------


def test_new_event_is_a_draft_with_a_dated_unique_slug(organizer, db):
    first = services.create_event(organizer, **values())
    second = services.create_event(organizer, **values())
    assert first.status == "draft"
    assert first.slug == "negotiating-humanitarian-access-2030-05-06"
    assert second.slug == "negotiating-humanitarian-access-2030-05-06-2"


def test_publishing_a_change_raises_the_calendar_sequence(organizer):
    event = services.create_event(organizer, **values())
    services.update_event(event, title="Draft edits do not count")
    assert event.sequence == 0
    services.publish(event)
    changed = services.update_event(event, starts_at=event.starts_at + timedelta(hours=1))
    assert changed == ["starts_at"]
    assert event.sequence == 1
    assert services.update_event(event, title=event.title) == []
    assert event.sequence == 1


def test_cancelling_needs_a_message_and_marks_the_event(organizer):
    event = services.create_event(organizer, **values())
    services.publish(event)
    with pytest.raises(services.EventError, match="message"):
        services.cancel(event, "  ")
    services.cancel(event, "The venue flooded.")
    assert event.status == "cancelled"
    assert event.cancel_message == "The venue flooded."
    assert event.sequence == 1
    with pytest.raises(services.EventError):
        services.publish(event)


def test_duplicate_makes_a_draft_of_the_series_with_the_agenda_moved(organizer, db):
    topic = db.session.scalar(sa.select(Topic).limit(1))
    event = services.create_event(organizer, topics=[topic], **values())
    services.set_agenda(
        event,
        [services.SessionInput("Opening", event.starts_at, event.starts_at + timedelta(hours=1))],
    )
    services.publish(event)
    new_start = event.starts_at + timedelta(days=7)
    copy = services.duplicate(event, new_start, organizer)
    assert copy.status == "draft"
    assert copy.series_parent_id == event.id
    assert copy.ends_at - copy.starts_at == event.ends_at - event.starts_at
    assert [s.starts_at for s in copy.sessions] == [new_start]
    assert copy.topics == [topic]
    assert copy.slug != event.slug


# --- queries -----------------------------------------------------------------------------


def test_upcoming_lists_published_soonest_first_and_hides_drafts_and_past(make_event, db):
    now = datetime.now(UTC)
    later = make_event(title="Later", starts_at=now + timedelta(days=20))
    sooner = make_event(title="Sooner", starts_at=now + timedelta(days=2))
    make_event(title="Draft", status="draft", starts_at=now + timedelta(days=3))
    past = make_event(title="Past", starts_at=now - timedelta(days=3))
    query = services.upcoming_query().where(Event.id.in_([later.id, sooner.id, past.id]))
    found = list(db.session.scalars(query))
    assert [e.title for e in found] == ["Sooner", "Later"]


def test_past_lists_ended_events_latest_first_and_not_the_running_ones(make_event, db):
    # The past list also asks starts_at < now (an event ends after it starts), so the
    # database reads it backwards from now in date order: the same events as before.
    now = datetime(2030, 6, 1, 12, tzinfo=UTC)
    hour = timedelta(hours=1)
    make_event(title="Ended just now", starts_at=now - 2 * hour, ends_at=now)
    make_event(title="Ended at the same start", starts_at=now - 2 * hour, ends_at=now - hour)
    make_event(title="Long ago", starts_at=now - timedelta(days=400))
    make_event(title="Running", starts_at=now - hour, ends_at=now + hour)
    make_event(title="Starting now", starts_at=now, ends_at=now + hour)
    make_event(title="Draft", status="draft", starts_at=now - timedelta(days=3))
    query = services.past_query(now=now).where(Event.starts_at > now - timedelta(days=500))
    found = [e.title for e in db.session.scalars(query)]
    assert found == ["Ended just now", "Ended at the same start", "Long ago"]


def test_month_grid_counts_the_hidden_events_on_their_local_days(make_event):
    # Tokyo, 00:30 on 1 Nov local (15:30 UTC on 31 Oct); Brussels, 10:00 and 23:30 on 31 Oct;
    # a two-day event from 31 Oct in Brussels.
    tokyo = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
    make_event(timezone="Asia/Tokyo", starts_at=tokyo, ends_at=tokyo + timedelta(hours=1))
    morning = services.local_to_utc(datetime(2026, 10, 31, 10), BRUSSELS)
    late = services.local_to_utc(datetime(2026, 10, 31, 23, 30), BRUSSELS)
    first = make_event(starts_at=morning, ends_at=morning + timedelta(hours=1))
    make_event(starts_at=late, ends_at=late + timedelta(minutes=20))
    long = make_event(starts_at=morning, ends_at=morning + timedelta(days=1, hours=2))
    grid = services.month_grid(date(2026, 10, 1), per_day=1)
    assert [e.id for e in grid.by_day[date(2026, 10, 31)]] == [first.id]  # by start, then id
    assert grid.more[date(2026, 10, 31)] == 2
    assert [e.id for e in grid.by_day[date(2026, 11, 1)]] == [long.id]  # started before: first
    assert grid.more[date(2026, 11, 1)] == 1  # the Tokyo one
    assert date(2026, 11, 2) not in grid.more
    chosen = services.month_grid(date(2026, 10, 1), day=date(2026, 11, 1), per_day=1)
    assert [e.timezone for e in chosen.day_events] == ["Europe/Brussels", "Asia/Tokyo"]


def test_month_grid_puts_an_event_on_its_local_day(make_event):
    # 23:30 on 31 Oct in Brussels is 22:30 UTC: still 31 Oct.
    starts = services.local_to_utc(datetime(2026, 10, 31, 23, 30), BRUSSELS)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(minutes=20))
    # Tokyo is ahead: 00:30 on 1 Nov local is 15:30 UTC on 31 Oct.
    tokyo = make_event(
        timezone="Asia/Tokyo",
        starts_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC),
        ends_at=datetime(2026, 10, 31, 16, 30, tzinfo=UTC),
    )
    october = {
        day: [e.id for e in events]
        for day, events in services.month_grid(date(2026, 10, 1)).by_day.items()
    }
    assert event.id in october[date(2026, 10, 31)]
    assert tokyo.id not in october.get(date(2026, 10, 31), [])
    assert tokyo.id in october[date(2026, 11, 1)]  # the grid shows the first days of November


def test_month_grid_ends_an_event_at_local_midnight_on_its_last_day(make_event):
    # 22:00 on 31 Oct to midnight in Brussels: 31 Oct alone; a minute more and 1 Nov too.
    starts = services.local_to_utc(datetime(2026, 10, 31, 22), BRUSSELS)
    midnight = services.local_to_utc(datetime(2026, 11, 1), BRUSSELS)
    until = make_event(starts_at=starts, ends_at=midnight)
    past = make_event(starts_at=starts, ends_at=midnight + timedelta(microseconds=1))
    grid = services.month_grid(date(2026, 10, 1))
    assert [e.id for e in grid.by_day[date(2026, 10, 31)]] == [until.id, past.id]
    assert [e.id for e in grid.by_day[date(2026, 11, 1)]] == [past.id]


def test_month_grid_makes_datetimes_of_the_shown_events_times_alone(make_event, db, monkeypatch):
    """The grid places every event of the month from its times but shows a few per day:
    only the times of the events shown are made the column's datetimes, which was most of
    the grid's work at ten times the bench's data. The events shown and the stand-ins'
    times are those the column reads."""
    for i in range(12):
        start = datetime(2031, 2, 14, 8, tzinfo=UTC) + timedelta(minutes=10 * i)
        make_event(starts_at=start, ends_at=start + timedelta(hours=1))
    db.session.commit()
    db.session.expire_all()
    made = []
    real = UTCDateTime.process_result_value

    def counted(self, value, dialect):
        made.append(value)
        return real(self, value, dialect)

    monkeypatch.setattr(UTCDateTime, "process_result_value", counted)
    # The columns' result processors, made and kept before: made again, with the count.
    bind = db.session.get_bind()
    monkeypatch.setattr(bind.dialect, "_type_memos", type(bind.dialect._type_memos)())
    monkeypatch.setattr(bind.engine, "_compiled_cache", None)
    grid = services.month_grid(date(2031, 2, 1))
    shown = grid.by_day[date(2031, 2, 14)]
    assert len(shown) == services.CALENDAR_DAY_EVENTS and grid.more[date(2031, 2, 14)] == 8
    assert all(e.starts_at.tzinfo is UTC and e.updated_at.tzinfo is UTC for e in shown)
    assert [e.starts_at for e in shown] == sorted(e.starts_at for e in shown)
    if db.session.get_bind().dialect.name == "sqlite":
        # The start and updated_at of the four shown; every event's three times before.
        assert len(made) == 2 * len(shown)


def test_month_grid_is_kept_until_an_event_changes(client, db, make_event, sql_seen):
    """The calendar built again (another URL, another language) reads its month's days
    and counts back without reading every event of the month again; a new event, a
    changed one or a removed one is seen at once."""
    when = datetime(2031, 3, 10, 9, tzinfo=UTC)
    first = make_event(title="Kept first", starts_at=when, ends_at=when + timedelta(hours=2))
    reads = sql_seen(lambda s: "FROM events" in s and "ORDER BY events.starts_at" in s)

    def calendar(path: str) -> str:
        response = client.get(path)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Kept first" in calendar("/events/calendar?month=2031-03")
    assert len(reads) == 1
    assert "Kept first" in calendar("/events/calendar?month=2031-03&v=1")
    assert "Kept first" in calendar("/fr/events/calendar?month=2031-03")
    assert len(reads) == 1
    # A chosen day: a grid of its own.
    calendar("/events/calendar?day=2031-03-10")
    assert len(reads) == 2
    second = make_event(title="Kept second", starts_at=when, ends_at=when + timedelta(hours=1))
    page = calendar("/events/calendar?month=2031-03&v=2")
    assert "Kept first" in page and "Kept second" in page
    assert len(reads) == 3
    first.title = "Renamed first"
    db.session.commit()
    assert "Renamed first" in calendar("/events/calendar?month=2031-03&v=3")
    db.session.delete(second)
    db.session.commit()
    page = calendar("/events/calendar?month=2031-03&v=4")
    assert "Kept second" not in page and "Renamed first" in page
