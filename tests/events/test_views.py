"""Event pages and organizer tools over HTTP."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from interacta.core.models import Topic
from interacta.events import services
from interacta.events.models import Event
from tests.fixtures.events import event_form_data as form_data

# --- permissions -------------------------------------------------------------------------


def test_member_cannot_reach_the_manage_pages(client, auth, make_member, make_event):
    auth.login_as(make_member())
    event = make_event()
    for url in ("/events/manage/", "/events/manage/new", f"/events/manage/{event.id}/edit"):
        assert client.get(url).status_code == 403
    assert client.post(f"/events/manage/{event.id}/publish").status_code == 403


def test_anonymous_visitor_cannot_reach_the_manage_pages(client):
    response = client.get("/events/manage/new")
    assert response.status_code in (302, 403)
    assert b"<form" not in response.data


def test_organizer_cannot_edit_another_organizers_event(client, auth, organizer, make_event):
    event = make_event(title="Someone else's")
    auth.login_as(organizer)
    assert client.get(f"/events/manage/{event.id}/edit").status_code == 403
    response = client.post(f"/events/manage/{event.id}/edit", data=form_data(title="Hijacked"))
    assert response.status_code == 403
    assert (
        client.post(f"/events/manage/{event.id}/cancel", data={"message": "x"}).status_code == 403
    )
    assert db_title(event) == "Someone else's"


def db_title(event):
    from interacta.extensions import db

    db.session.expire(event)
    return event.title


def test_admin_edits_any_event(client, auth, admin, make_event, db):
    event = make_event()
    auth.login_as(admin)
    response = client.post(f"/events/manage/{event.id}/edit", data=form_data(title="Renamed"))
    assert response.status_code == 302
    assert db_title(event) == "Renamed"


def test_draft_is_invisible_to_the_public(client, make_event):
    event = make_event(status="draft")
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert client.get(f"/events/{event.slug}.ics").status_code == 404
    assert event.title.encode() not in client.get("/events/").data


def test_organizer_previews_own_draft(client, auth, organizer, make_event):
    event = make_event(status="draft", organizer=organizer)
    auth.login_as(organizer)
    response = client.get(f"/events/manage/{event.id}/preview")
    assert response.status_code == 200
    assert b"not visible to the public" in response.data


# --- organizer flow ----------------------------------------------------------------------


def test_organizer_creates_publishes_and_the_public_sees_the_event(
    client, switch_user, organizer, db
):
    switch_user(organizer)
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "rule-of-law"))
    response = client.post("/events/manage/new", data=form_data(topics=[str(topic.id)]))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event).where(Event.title.like("Table-top%")))
    assert event.status == "draft"
    assert event.organizer_id == organizer.id
    # 09:00 in Brussels on 24 Oct 2030 is still summer time: 07:00 UTC.
    assert event.starts_at == datetime(2030, 10, 24, 7, 0, tzinfo=UTC)
    assert [s.title for s in event.sessions] == ["Briefing"]
    assert [t.slug for t in event.topics] == ["rule-of-law"]
    assert client.post(f"/events/manage/{event.id}/publish").status_code == 302
    switch_user(None)
    page = client.get(f"/events/{event.slug}")
    assert page.status_code == 200
    assert b"Table-top exercise" in page.data
    assert b"<strong>boots</strong>" in page.data


def test_invalid_event_form_shows_messages_next_to_the_fields(client, auth, organizer, db):
    auth.login_as(organizer)
    response = client.post(
        "/events/manage/new",
        data=form_data(
            title="",
            ends_at="2030-10-24T08:00",
            format="online",
            **{"sessions-0-ends_at": "2030-10-25T10:00"},
        ),
    )
    assert response.status_code == 400
    html = response.data.decode()
    assert 'id="title-error"' in html and "Give the event a title." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_agenda_outside_the_event_is_refused_and_nothing_saved(client, auth, organizer, db):
    auth.login_as(organizer)
    response = client.post(
        "/events/manage/new", data=form_data(**{"sessions-0-ends_at": "2030-10-25T10:00"})
    )
    assert response.status_code == 400
    assert "must lie within the event" in response.data.decode()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_time_skipped_by_the_clock_change_gets_a_clear_message(client, auth, organizer):
    auth.login_as(organizer)
    response = client.post(
        "/events/manage/new",
        data=form_data(starts_at="2030-03-31T02:30", ends_at="2030-03-31T10:00"),
    )
    assert response.status_code == 400
    assert "does not exist in Europe/Brussels" in response.data.decode()


def test_edit_form_shows_times_in_the_events_zone(client, auth, organizer, make_event):
    starts = datetime(2030, 7, 1, 7, 0, tzinfo=UTC)
    event = make_event(organizer=organizer, starts_at=starts, ends_at=starts + timedelta(hours=2))
    auth.login_as(organizer)
    html = client.get(f"/events/manage/{event.id}/edit").data.decode()
    assert 'value="2030-07-01T09:00"' in html


def test_cancel_asks_for_a_message_then_marks_the_event_cancelled(
    client, auth, organizer, make_event
):
    event = make_event(organizer=organizer)
    auth.login_as(organizer)
    response = client.post(f"/events/manage/{event.id}/cancel", data={"message": ""})
    assert response.status_code == 400
    assert "Explain why" in response.data.decode()
    response = client.post(f"/events/manage/{event.id}/cancel", data={"message": "Storm."})
    assert response.status_code == 302
    page = client.get(f"/events/{event.slug}").data.decode()
    assert "This event is cancelled" in page and "Storm." in page
    assert "EventCancelled" in page


def test_duplicate_makes_a_draft_copy_a_week_later(client, auth, organizer, make_event, db):
    event = make_event(organizer=organizer)
    auth.login_as(organizer)
    form = client.get(f"/events/manage/{event.id}/duplicate").data.decode()
    start = re.search(r'name="starts_at"[^>]*value="([^"]+)"', form).group(1)
    response = client.post(f"/events/manage/{event.id}/duplicate", data={"starts_at": start})
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Event).where(Event.series_parent_id == event.id))
    assert copy.status == "draft"
    assert copy.starts_at - event.starts_at == timedelta(days=7)


def test_manage_list_shows_only_own_events_to_an_organizer(client, auth, organizer, make_event):
    make_event(organizer=organizer, title="Mine")
    make_event(title="Theirs")
    auth.login_as(organizer)
    html = client.get("/events/manage/").data.decode()
    assert "Mine" in html and "Theirs" not in html


# --- public pages ------------------------------------------------------------------------


def test_markdown_description_is_sanitised(client, make_event):
    event = make_event(
        description=(
            "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) "
            '<img src=x onerror="alert(1)"> <a href="#" onclick="alert(1)">y</a>'
        )
    )
    html = client.get(f"/events/{event.slug}").data.decode()
    about = html[html.index('id="about-title"') :].split("</section>")[0]
    assert "<strong>Bold</strong>" in about
    tags = Tags()
    tags.feed(about)
    assert not {"script", "img"} & {tag for tag, _ in tags.found}
    attributes = {name for _, attrs in tags.found for name, _ in attrs}
    assert not any(name.startswith("on") for name in attributes)
    assert not any(v and v.startswith("javascript:") for _, a in tags.found for _, v in a)
    assert "&lt;script&gt;" in about  # shown as text, never run


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def test_event_page_shows_local_time_with_zone_and_time_element(client, make_event):
    # After the October switch: 10:00 in Brussels is CET (UTC+1).
    starts = datetime(2030, 10, 28, 9, 0, tzinfo=UTC)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=2))
    html = client.get(f"/events/{event.slug}").data.decode()
    assert "Monday, 28 October 2030, 10:00 CET" in html
    assert (
        '<time datetime="2030-10-28T09:00:00+00:00" data-local data-zone="Europe/Brussels">' in html
    )
    summer = make_event(
        starts_at=starts - timedelta(days=7), ends_at=starts - timedelta(days=7, hours=-1)
    )
    html = client.get(f"/events/{summer.slug}").data.decode()
    assert "Monday, 21 October 2030, 11:00 CEST" in html


def test_online_link_is_shown_only_to_organizers(
    client, switch_user, organizer, make_event, make_member
):
    event = make_event(
        organizer=organizer, format="online", online_url="https://meet.example/secret-room"
    )
    assert b"secret-room" not in client.get(f"/events/{event.slug}").data
    switch_user(make_member())
    assert b"secret-room" not in client.get(f"/events/{event.slug}").data
    switch_user(organizer)
    assert b"secret-room" in client.get(f"/events/{event.slug}").data


def test_event_page_has_schema_org_event_json_ld(client, make_event):
    starts = datetime(2030, 6, 3, 7, 0, tzinfo=UTC)
    event = make_event(
        starts_at=starts, ends_at=starts + timedelta(hours=3), format="hybrid",
        online_url="https://meet.example/private", capacity=10,
    )  # fmt: skip
    html = client.get(f"/events/{event.slug}").data.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Event"
    for key in ("name", "startDate", "endDate", "eventAttendanceMode", "eventStatus",
                "location", "organizer", "offers"):  # fmt: skip
        assert key in data, key
    assert data["startDate"] == "2030-06-03T09:00:00+02:00"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert "private" not in block  # the online link stays private


def test_event_page_has_open_graph_tags(client, make_event):
    event = make_event(title="Open graph test")
    html = client.get(f"/events/{event.slug}").data.decode()
    assert '<meta property="og:title" content="Open graph test">' in html
    assert f'/events/{event.slug}"' in re.search(r'property="og:url" content="[^"]+"', html).group(
        0
    )


def test_list_filters_by_kind_format_topic_month_and_text(client, make_event, db):
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "religion"))
    base = datetime(2031, 3, 10, 9, tzinfo=UTC)
    make_event(title="Alpha seminar", kind="seminar", starts_at=base, topics=[topic])
    make_event(title="Beta course online", kind="course", format="online",
               online_url="https://x.example", starts_at=base + timedelta(days=40))  # fmt: skip
    make_event(title="Gamma workshop flood", starts_at=base + timedelta(days=1))

    def titles(query):
        html = client.get("/events/" + query).data.decode()
        return sorted(t for t in ("Alpha", "Beta", "Gamma") if f">{t} " in html)

    assert titles("?kind=seminar") == ["Alpha"]
    assert titles("?format=online") == ["Beta"]
    assert titles("?topic=religion") == ["Alpha"]
    assert titles("?topic=no-such-topic") == []
    assert titles("?topic=religion&kind=course") == []
    assert titles("?month=2031-04") == ["Beta"]
    assert titles("?q=flood") == ["Gamma"]
    assert titles("?month=garbage") == ["Alpha", "Beta", "Gamma"]


def test_list_shows_seats_left_when_limited_and_paginates(client, make_event):
    base = datetime.now(UTC) + timedelta(days=3)
    for i in range(12):
        make_event(title=f"Paged {i:02d}", starts_at=base + timedelta(hours=i), capacity=15)
    first = client.get("/events/").data.decode()
    assert "15 seats left" in first
    assert "Paged 00" in first and "Paged 11" not in first
    second = client.get("/events/?page=2").data.decode()
    assert "Paged 11" in second


def test_past_events_are_listed_newest_first(client, make_event):
    now = datetime.now(UTC)
    make_event(title="Old one", starts_at=now - timedelta(days=30))
    make_event(title="Recent one", starts_at=now - timedelta(days=2))
    html = client.get("/events/past").data.decode()
    assert html.index("Recent one") < html.index("Old one")
    assert "Recent one" not in client.get("/events/").data.decode()


def test_calendar_shows_events_on_their_days_with_month_navigation(client, make_event):
    make_event(title="Calendar entry", starts_at=datetime(2031, 2, 14, 9, tzinfo=UTC))
    html = client.get("/events/calendar?month=2031-02").data.decode()
    assert "Events in February 2031" in html
    assert "Calendar entry" in html
    assert 'href="/events/calendar?month=2031-01"' in html
    assert 'href="/events/calendar?month=2031-03"' in html
    assert "Calendar entry" not in client.get("/events/calendar?month=2031-03").data.decode()


def _busy_day(make_event, n, organizer, title="Busy"):
    """`n` events on 14 February 2031 (Brussels), an hour apart from 08:00 UTC."""
    for i in range(n):
        start = datetime(2031, 2, 14, 8, tzinfo=UTC) + timedelta(minutes=10 * i)
        make_event(title=f"{title} {i}", organizer=organizer, starts_at=start,
                   ends_at=start + timedelta(hours=1))  # fmt: skip


def _cell(html: str, day: str) -> str:
    """The calendar cell of `day` (its long date, as the grid writes it)."""
    start = html.index(f'<span class="day-name">{day}</span>')
    return html[start : html.index("</td>", start)]


def test_a_busy_calendar_day_shows_four_events_and_links_to_the_others(
    client, make_event, organizer
):
    _busy_day(make_event, 6, organizer)
    make_event(title="Quiet", organizer=organizer, starts_at=datetime(2031, 2, 10, 9, tzinfo=UTC))
    html = client.get("/events/calendar?month=2031-02").data.decode()
    busy = _cell(html, "Friday, 14 February 2031")
    assert [f"Busy {i}" in busy for i in range(6)] == [True] * 4 + [False] * 2
    link = '<a href="/events/calendar?day=2031-02-14#day-events">+2 more'
    assert link in busy
    assert '<span class="visually-hidden"> on Friday, 14 February 2031</span>' in busy
    quiet = _cell(html, "Monday, 10 February 2031")
    assert "Quiet" in quiet and "more" not in quiet
    assert 'id="day-events"' not in html

    day = client.get("/events/calendar?day=2031-02-14").data.decode()
    assert "Events in February 2031" in day  # the day's month, its grid as above
    assert link in _cell(day, "Friday, 14 February 2031")
    listed = day[day.index('id="day-events"') :]
    assert "Events on Friday, 14 February 2031" in listed
    assert all(f"Busy {i}" in listed for i in range(6)) and "Quiet" not in listed
    assert listed.index("Busy 0") < listed.index("Busy 5")
    empty = client.get("/events/calendar?day=2031-02-11").data.decode()
    assert "No events on this day." in empty
    # Malformed days are ignored: this month's calendar.
    assert client.get("/events/calendar?day=2031-02-30").status_code == 200


def test_the_more_link_is_translated(client, make_event, organizer):
    _busy_day(make_event, 5, organizer)
    html = client.get("/fr/events/calendar?month=2031-02").data.decode()
    assert '<a href="/fr/events/calendar?day=2031-02-14#day-events">+1 autre<' in html
    html = client.get("/sl/events/calendar?month=2031-02").data.decode()
    assert "+1 dogodek več" in html


@pytest.mark.parametrize(
    "url", ["/events/calendar?month=2031-02", "/events/calendar?day=2031-02-14"]
)
def test_a_busy_calendar_day_costs_the_same_queries_and_entries_as_a_quiet_one(
    client, make_event, organizer, count_queries, db, url
):
    _busy_day(make_event, 5, organizer, title="First")
    db.session.expire_all()
    with count_queries() as few:
        html = client.get(url).data.decode()
    _busy_day(make_event, 40, organizer, title="More")
    db.session.expire_all()
    with count_queries() as many:
        busier = client.get(url).data.decode()
    assert many.count == few.count, many.statements
    cell = _cell(busier, "Friday, 14 February 2031")
    assert cell.count("<li") == 5 and "+41 more" in cell
    if "day=" in url:
        start = busier.index('id="day-events"')
        listed = busier[start : busier.index("</section>", start)]
        assert listed.count("<li") == 45 and "First 4" in html


def test_home_page_shows_the_next_events(client, make_event):
    make_event(title="Coming up soon", starts_at=datetime.now(UTC) + timedelta(days=1))
    html = client.get("/").data.decode()
    assert "Next events" in html and "Coming up soon" in html


# --- fixed number of queries -------------------------------------------------------------


def _many(make_event, n, organizer, topic):
    base = datetime(2031, 5, 1, 8, tzinfo=UTC)
    for i in range(n):
        make_event(
            organizer=organizer, starts_at=base + timedelta(days=i % 28, hours=i % 5),
            capacity=20, topics=[topic],
            sessions=[{"title": "S", "starts_at": base + timedelta(days=i % 28, hours=i % 5),
                       "ends_at": base + timedelta(days=i % 28, hours=1 + i % 5)}],
        )  # fmt: skip


@pytest.mark.parametrize(
    "url", ["/events/?month=2031-05", "/events/calendar?month=2031-05", "/events/feed.ics", "/"]
)
def test_pages_load_in_a_fixed_number_of_queries(
    client, make_event, organizer, count_queries, db, url
):
    topic = db.session.scalar(sa.select(Topic).limit(1))
    # Counts kept under a fingerprint (members per sector on the home page) are read once
    # after their data changes: both counts are taken with the members' ones known.
    assert client.get(url).status_code == 200
    _many(make_event, 2, organizer, topic)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _many(make_event, 25, organizer, topic)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements


def test_event_page_loads_in_a_fixed_number_of_queries(
    client, make_event, organizer, count_queries, db
):
    topics = list(db.session.scalars(sa.select(Topic)))
    start = datetime(2031, 5, 1, 8, tzinfo=UTC)

    def sessions(n):
        return [{"title": f"S{i}", "starts_at": start + timedelta(minutes=10 * i),
                 "ends_at": start + timedelta(minutes=10 * i + 5)} for i in range(n)]  # fmt: skip

    small = make_event(organizer=organizer, starts_at=start, ends_at=start + timedelta(days=2),
                       topics=topics[:1], sessions=sessions(1))  # fmt: skip
    big = make_event(organizer=organizer, starts_at=start, ends_at=start + timedelta(days=2),
                     topics=topics, sessions=sessions(30))  # fmt: skip
    db.session.expire_all()
    with count_queries() as few:
        client.get(f"/events/{small.slug}")
    with count_queries() as many:
        client.get(f"/events/{big.slug}")
    assert many.count == few.count


def test_event_page_counts_its_seats_in_the_events_statement(
    client, make_event, make_registration, count_queries, db
):
    event = make_event(title="Seats seminar", capacity=5)
    for _n in range(2):
        make_registration(event=event)
    make_registration(event=event, status="waiting")
    db.session.commit()
    url = f"/events/{event.slug}"
    db.session.expire_all()
    with count_queries() as counter:
        html = client.get(url).get_data(as_text=True)
    assert "5, 3 left" in html
    # The confirmed count is a column of the event's own statement, not a statement after it.
    assert not any("GROUP BY registrations.event_id" in s for s in counter.statements)
    # Without a call, the accepted contributions are not asked for.
    assert not any("submissions.abstract" in s for s in counter.statements)
    # Without translations, their statement is not run (whether there are some is a column).
    assert not any(s.lstrip().startswith("SELECT event_translations.") for s in counter.statements)
    # Nor, without seats reserved per sector, the sector groups' (the event has a capacity).
    assert not any(s.lstrip().startswith("SELECT event_sector_groups.") for s in counter.statements)


def test_event_page_asks_for_no_section_the_event_has_nothing_for(
    client, make_event, make_call, make_publication, count_queries, db
):
    """Whether the event has co-organisers, a call (and so accepted contributions) and
    records presented there is read in the event's own statement: the sections it has
    nothing for are shown empty without a statement each; those it has are loaded."""
    bare = make_event(title="Bare seminar")
    full = make_event(title="Full seminar")
    make_call(event=full)
    presented = make_publication(title="Presented paper")
    presented.presented_at_event_id = full.id
    db.session.commit()
    bare_url, full_url = f"/events/{bare.slug}", f"/events/{full.slug}"
    db.session.expire_all()
    with count_queries() as counter:
        html = client.get(bare_url).get_data(as_text=True)
    asked = [" ".join(s.split()) for s in counter.statements]
    assert "Bare seminar" in html
    for table in ("event_organisations", "calls", "publications"):
        assert not [s for s in asked if s.startswith(f"SELECT {table}.")], (table, asked)
    # The page's key, the event (with its counts and what it has), its topics and agenda.
    assert len(asked) == 4, "\n".join(s[:150] for s in asked)
    html = client.get(full_url).get_data(as_text=True)
    assert "Presented paper" in html and "Read the call" in html


def test_a_members_confirmation_is_not_asked_for_a_page_without_an_online_link(
    client, auth, make_event, make_member, count_queries, db
):
    event = make_event(format="in_person", online_url=None)
    auth.login_as(make_member())
    db.session.commit()
    url = f"/events/{event.slug}"
    db.session.expire_all()
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    asked = [" ".join(s.split()) for s in counter.statements]
    assert not any(s.startswith("SELECT registrations.id FROM registrations") for s in asked)


# --- demo --------------------------------------------------------------------------------


def test_demo_seeder_creates_a_year_of_varied_events_once(app, db):
    from interacta.events import demo
    from interacta.members.models import Member

    demo.seed()
    demo.seed()
    events = list(db.session.scalars(sa.select(Event)))
    organizer = db.session.scalar(sa.select(Member).where(Member.email == demo.ORGANIZER_EMAIL))
    assert organizer.is_organizer
    assert len(events) == 30
    assert {e.kind for e in events} == {"seminar", "workshop", "symposium", "conference", "course"}
    assert {e.format for e in events} == {"in_person", "online", "hybrid"}
    now = datetime.now(UTC)
    assert any(e.starts_at < now for e in events) and any(e.starts_at > now for e in events)
    assert all(e.sessions for e in events)
    from interacta.events.models import Registration

    found = set(db.session.scalars(sa.select(Registration.status)))
    assert {"confirmed", "waiting"} <= found
    for e in events:
        services.set_agenda(e, [services.SessionInput(s.title, s.starts_at, s.ends_at)
                                for s in e.sessions])  # fmt: skip


def test_manage_events_menu_item_only_for_organizers(client, switch_user, organizer, make_member):
    switch_user(make_member())
    assert "Manage events" not in client.get("/events/").data.decode()
    switch_user(organizer)
    assert '<a href="/events/manage/">Manage events</a>' in client.get("/about").data.decode()


def test_an_event_longer_than_sixty_days_is_refused_beside_its_end(client, auth, organizer, db):
    auth.login_as(organizer)
    response = client.post(
        "/events/manage/new",
        data=form_data(starts_at="2030-10-24T09:00", ends_at="2030-12-24T09:00",
                       **{"sessions-0-title": ""}),
    )  # fmt: skip
    assert response.status_code == 400
    html = response.data.decode()
    assert 'id="ends_at-error"' in html and "at most 60 days" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


# --- upcoming lists read from "now less the longest event" on ---------------------------


def test_a_running_event_longer_than_the_limit_is_still_listed_as_upcoming(client, make_event, db):
    """Lists read events from an index from "now less the longest event" on; an event
    longer than EVENT_MAX_DAYS (an old row, another tool) moves that bound with it."""
    now = datetime.now(UTC)
    event = make_event(title="Year-long residency")
    short = make_event(title="Next week's seminar", starts_at=now + timedelta(days=7))
    db.session.commit()
    # Inserted directly: saving through the app refuses an event this long.
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event.id)
        .values(starts_at=now - timedelta(days=300), ends_at=now + timedelta(days=65))
    )
    db.session.execute(  # and a change the cache fingerprint sees
        sa.update(Event).where(Event.id == short.id).values(updated_at=now)
    )
    db.session.commit()
    page = client.get("/events/").get_data(as_text=True)
    assert "Year-long residency" in page
    assert "Next week" in page
    assert services.longest_event() > timedelta(days=365)


# --- list pieces kept as HTML until their event changes (core.cache.cached_fragment) -----


def _listed(client, n):
    # `v` is no parameter the list declares: the page cache leaves such a page alone, so
    # each request builds the page, from the pieces kept so far.
    return client.get(f"/events/?v={n}").get_data(as_text=True)


def test_a_listed_event_shows_its_change_at_once(client, make_event, db):
    event = make_event(title="Civil protection drill", capacity=10)
    db.session.commit()
    assert "Civil protection drill" in _listed(client, 1)
    event.title = "Civil protection exercise"
    db.session.commit()  # moves updated_at (core.cache.touch_changed)
    page = _listed(client, 2)
    assert "Civil protection exercise" in page and "Civil protection drill" not in page


def test_a_listed_events_seat_count_follows_registrations(
    client, make_event, make_registration, db
):
    event = make_event(title="Seats workshop", capacity=3)
    db.session.commit()
    assert "3 seats left" in _listed(client, 1)
    make_registration(event=event)  # a registration does not change the event itself
    db.session.commit()
    page = _listed(client, 2)
    assert "2 seats left" in page and "3 seats left" not in page


def test_a_listed_event_is_kept_per_language(client, make_event, db):
    make_event(title="Briefing", kind="seminar")
    db.session.commit()
    assert "Seminar" in _listed(client, 1)
    french = client.get("/fr/events/?v=2").get_data(as_text=True)
    assert "Séminaire" in french and 'href="/fr/events/' in french
