"""Sessions added without a time (accepted contributions): "time to be announced" on the
event page until the organizer schedules them in the event's form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from interacta.events import services
from interacta.events.models import Event
from interacta.extensions import db as _db
from tests.fixtures.events import event_form_data


def test_added_session_sits_at_the_start_as_time_to_be_announced(client, db, make_event):
    event = make_event()
    sequence = event.sequence
    session = services.add_session(event, "Liaison officers", "A. Author, B. Author")
    db.session.commit()
    assert session.to_schedule and session.starts_at == event.starts_at
    assert session.ends_at == event.starts_at + timedelta(minutes=30)
    assert event.sequence == sequence + 1
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Liaison officers" in html and "Time to be announced" in html


def test_organizer_schedules_it_in_the_event_form(client, db, auth, organizer, make_event):
    # The form's event: Brussels, 24 October 2030, 09:00-17:00 (07:00 UTC).
    event = make_event(
        organizer=organizer, status="draft", starts_at=datetime(2030, 10, 24, 7, 0, tzinfo=UTC)
    )
    services.add_session(event, "Accepted talk", "A. Author")
    db.session.commit()
    auth.login_as(organizer)
    page = client.get(f"/events/manage/{event.id}/edit")
    form = page.get_data(as_text=True)
    assert page.status_code == 200, form[-3000:]
    (box,) = re.findall(r'<input[^>]*id="sessions-0-to_schedule"[^>]*>', form)
    assert "checked" in box
    # Saving the form with the box ticked keeps the mark; unticking it schedules the session.
    data = event_form_data(
        **{
            "sessions-0-title": "Accepted talk",
            "sessions-0-starts_at": "2030-10-24T09:00",
            "sessions-0-ends_at": "2030-10-24T09:30",
            "sessions-0-speakers": "A. Author",
            "sessions-0-room": "",
            "sessions-0-to_schedule": "y",
        }
    )
    assert client.post(f"/events/manage/{event.id}/edit", data=data).status_code == 302
    assert _talk(event.id).to_schedule
    data.pop("sessions-0-to_schedule")
    data["sessions-0-starts_at"], data["sessions-0-ends_at"] = (
        "2030-10-24T14:00",
        "2030-10-24T14:30",
    )
    assert client.post(f"/events/manage/{event.id}/edit", data=data).status_code == 302
    assert not _talk(event.id).to_schedule
    html = client.get(f"/events/manage/{event.id}/preview").get_data(as_text=True)
    assert "Accepted talk" in html and "Time to be announced" not in html


def _talk(event_id):
    _db.session.expire_all()
    return next(s for s in _db.session.get(Event, event_id).sessions if s.title == "Accepted talk")
