"""Rules of the room: per event, per session overriding it; badges, calendar, mail, lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from interacta.events import registrations, room, services
from tests.fixtures.events import event_form_data as form_data


def values(**overrides):
    start = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)
    data = {
        "title": "Protection of civilians",
        "summary": "A closed workshop",
        "description": "",
        "kind": "workshop",
        "starts_at": start,
        "ends_at": start + timedelta(hours=8),
        "timezone": "Europe/Brussels",
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


# --- services ----------------------------------------------------------------------------


def test_a_new_event_is_on_the_record_by_default(organizer):
    event = services.create_event(organizer, **values())
    assert event.room_rule == room.ON_RECORD
    assert room.effective(event).label == "On the record"


@pytest.mark.parametrize("rule", [room.CHATHAM_HOUSE, room.OFF_RECORD])
def test_an_event_under_a_closed_rule_cannot_have_a_recording(organizer, rule):
    with pytest.raises(services.InvalidEvent) as caught:
        services.create_event(
            organizer, **values(room_rule=rule, recording_url="https://media.example.org/a.mp4")
        )
    assert "cannot have a recording" in caught.value.errors["recording_url"]


def test_switching_a_recorded_event_to_chatham_house_is_refused_and_nothing_changes(
    organizer, make_event
):
    event = make_event(organizer=organizer, recording_url="https://media.example.org/a.mp4")
    with pytest.raises(services.InvalidEvent) as caught:
        services.update_event(event, room_rule=room.CHATHAM_HOUSE)
    assert "Chatham House Rule" in caught.value.errors["recording_url"]
    assert event.room_rule == room.ON_RECORD
    # Without the recording the change is accepted.
    services.update_event(event, room_rule=room.CHATHAM_HOUSE, recording_url=None)
    assert event.room_rule == room.CHATHAM_HOUSE


def test_an_unknown_rule_is_refused(organizer):
    with pytest.raises(services.InvalidEvent) as caught:
        services.create_event(organizer, **values(room_rule="whispered"))
    assert caught.value.errors == {"room_rule": "Choose a rule of the room."}


def test_a_session_overrides_the_rule_of_its_event_and_duplicates_keep_it(organizer, db):
    event = services.create_event(organizer, **values(room_rule=room.CHATHAM_HOUSE))
    start = event.starts_at
    services.set_agenda(
        event,
        [
            services.SessionInput(
                "Opening", start, start + timedelta(hours=1), room_rule="on_record"
            ),
            services.SessionInput(
                "Round table", start + timedelta(hours=1), start + timedelta(hours=3)
            ),
        ],
    )
    opening, table = event.sessions
    assert room.effective(event, opening).value == room.ON_RECORD
    assert room.effective(event, table).value == room.CHATHAM_HOUSE
    copy = services.duplicate(event, start + timedelta(days=7), organizer)
    assert copy.room_rule == room.CHATHAM_HOUSE
    assert [s.room_rule for s in copy.sessions] == ["on_record", None]


def test_a_session_with_an_unknown_rule_is_refused(organizer):
    event = services.create_event(organizer, **values())
    start = event.starts_at
    with pytest.raises(services.InvalidAgenda) as caught:
        services.set_agenda(
            event,
            [services.SessionInput("Panel", start, start + timedelta(hours=1), room_rule="x")],
        )
    assert "rule of the room" in caught.value.errors[0]


# --- pages, calendar, mail ---------------------------------------------------------------


def test_event_page_shows_the_rule_as_a_badge_on_the_event_and_each_session(client, make_event):
    event = make_event(room_rule=room.CHATHAM_HOUSE)
    start = event.starts_at
    event.sessions.append(
        services.AgendaSession(
            title="Keynote",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            room_rule="on_record",
        )
    )
    event.sessions.append(
        services.AgendaSession(
            title="Debate", starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2)
        )
    )
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert html.count('href="/about#rules-of-the-room"') == 3
    assert html.count(">Chatham House Rule</a>") == 2  # the event and the debate
    assert html.count(">On the record</a>") == 1  # the keynote
    assert "neither the identity nor the affiliation of the speaker(s)" in html


def test_about_page_explains_the_three_rules_in_french(client):
    html = client.get("/fr/about").get_data(as_text=True)
    assert 'id="rules-of-the-room"' in html
    assert "Règle de Chatham House" in html
    assert "Officieux" in html or "officieux" in html


def test_ics_description_carries_the_rule_of_the_room(client, make_event):
    event = make_event(room_rule=room.OFF_RECORD)
    cal = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").data)
    [vevent] = cal.walk("VEVENT")
    description = str(vevent["DESCRIPTION"])
    assert "Rule of the room: Off the record." in description
    assert "Nothing said may be reported" in description


def test_every_mail_about_the_event_carries_the_rule_of_the_room(
    db, make_event, make_member, outbox
):
    from interacta.core.mail import render_committed

    event = make_event(room_rule=room.CHATHAM_HOUSE, capacity=1)
    first, second = make_member(), make_member()
    registrations.register_member(event.id, first)
    registrations.register_member(event.id, second)  # waiting
    services.notify_registrants(event, "changed", changes=["venue_name"])
    db.session.commit()
    render_committed()  # as the request does when it ends
    mails = outbox()
    assert len(mails) >= 4
    for mail in mails:
        assert "Rule of the room: Chatham House Rule." in mail.text_body, mail.template
    # The line sits on its own, between the place and the link to the event page.
    assert "\nRule of the room: Chatham House Rule. Participants" in mails[0].text_body


def test_the_german_calendar_file_carries_the_rule_in_german(client, make_event):
    event = make_event(room_rule=room.OFF_RECORD)
    cal = icalendar.Calendar.from_ical(client.get(f"/de/events/{event.slug}.ics").data)
    [vevent] = cal.walk("VEVENT")
    assert "Vertraulichkeitsregel: Vertraulich." in str(vevent["DESCRIPTION"])


def test_printed_participant_list_names_the_rule(client, auth, organizer, make_event):
    event = make_event(organizer=organizer, room_rule=room.CHATHAM_HOUSE)
    auth.login_as(organizer)
    html = client.get(f"/events/manage/{event.id}/participants").get_data(as_text=True)
    assert "Rule of the room:</strong> Chatham House Rule." in html


def test_organizer_is_told_beside_the_recording_field_why_it_is_refused(
    client, auth, organizer, db
):
    auth.login_as(organizer)
    response = client.post(
        "/events/manage/new",
        data=form_data(room_rule="off_record", recording_url="https://media.example.org/a.mp4"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="recording_url-error"' in html
    assert "An event off the record cannot have a recording" in html


def test_organizer_sets_the_rule_of_the_event_and_a_session_from_the_form(
    client, auth, organizer, db
):
    auth.login_as(organizer)
    data = form_data(room_rule="chatham_house")
    data["sessions-0-room_rule"] = "on_record"
    response = client.post("/events/manage/new", data=data)
    assert response.status_code == 302
    import sqlalchemy as sa

    from interacta.events.models import Event

    event = db.session.scalar(sa.select(Event).order_by(Event.id.desc()))
    assert event.room_rule == "chatham_house"
    assert [s.room_rule for s in event.sessions] == ["on_record"]
    edit = client.get(f"/events/manage/{event.id}/edit").get_data(as_text=True)
    assert '<option selected value="chatham_house">' in edit
