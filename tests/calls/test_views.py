"""The call's public page and the organizer's form."""

from __future__ import annotations

from datetime import timedelta

from interacta.calls.models import Call
from interacta.core.models import utcnow
from interacta.events.services import utc_to_local_naive


def test_public_call_shows_scope_types_deadline_and_countdown(client, db, make_call):
    call = make_call()
    html = client.get(f"/events/{call.event.slug}/call").get_data(as_text=True)
    assert "<strong>civil-military</strong>" in html
    assert "Paper, Poster" in html
    assert "data-local" in html and "Europe/Brussels" in html
    assert "Closes in 6 days." in html or "Closes in 7 days." in html
    assert "Submissions are open." in html


def test_public_call_after_the_deadline_says_closed(client, db, make_call):
    call = make_call()
    call.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(f"/events/{call.event.slug}/call").get_data(as_text=True)
    assert "The call is closed" in html
    assert "Closes in" not in html


def test_event_without_a_call_has_no_call_page(client, db, make_event):
    event = make_event()
    assert client.get(f"/events/{event.slug}/call").status_code == 404
    assert "Call for papers" not in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_event_page_links_to_its_call(client, db, make_call):
    call = make_call()
    html = client.get(f"/events/{call.event.slug}").get_data(as_text=True)
    assert f"/events/{call.event.slug}/call" in html


def test_call_of_a_draft_event_is_hidden_from_the_public(client, db, make_event, make_call):
    call = make_call(event=make_event(status="draft"))
    assert client.get(f"/events/{call.event.slug}/call").status_code == 404


def test_organizer_opens_a_call_with_the_deadline_in_the_events_zone(client, db, auth, make_event):
    event = make_event(timezone="Asia/Tokyo")
    auth.login_as(event.organizer)
    deadline = utc_to_local_naive(utcnow() + timedelta(days=3), "Asia/Tokyo").replace(
        second=0, microsecond=0
    )
    response = client.post(
        f"/events/manage/{event.id}/call",
        data={
            "scope": "Our scope",
            "types": ["paper", "panel"],
            "tracks": "One\nTwo",
            "abstract_word_limit": "200",
            "pdf_required": "y",
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "blind_mode": "double",
            "criteria": "Relevance | 2\nClarity | 1",
            "reviews_per_submission": "3",
        },
    )
    assert response.status_code == 302
    call = db.session.query(Call).filter_by(event_id=event.id).one()
    assert utc_to_local_naive(call.deadline_at, "Asia/Tokyo") == deadline
    assert call.pdf_required and call.reviews_per_submission == 3
    assert call.track_list == ["One", "Two"]
    page = client.get(f"/events/manage/{event.id}/call").get_data(as_text=True)
    assert deadline.strftime("%Y-%m-%dT%H:%M") in page


def test_bad_criteria_are_shown_beside_the_field(client, db, auth, make_event):
    event = make_event()
    auth.login_as(event.organizer)
    response = client.post(
        f"/events/manage/{event.id}/call",
        data={
            "scope": "Our scope",
            "types": ["paper"],
            "abstract_word_limit": "200",
            "deadline": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "blind_mode": "double",
            "criteria": "Relevance | 99",
            "reviews_per_submission": "2",
        },
    )
    assert response.status_code == 400
    assert "Each weight must be between 1 and 10." in response.get_data(as_text=True)
    assert db.session.query(Call).count() == 0


def test_call_page_is_translated(client, db, make_call):
    call = make_call()
    html = client.get(f"/fr/events/{call.event.slug}/call").get_data(as_text=True)
    assert "Appel à contributions" in html
