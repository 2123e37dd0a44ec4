"""Posted fields a form does not declare (role, is_admin, capacity, counts, ...) are ignored."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.events.models import Event, Registration
from interacta.members.models import Member
from tests.fixtures.events import event_form_data
from tests.fixtures.members import GOOD_PASSWORD

EXTRA = {
    "role": "admin",
    "is_admin": "y",
    "is_active": "y",
    "is_organizer": "y",
    "email_verified_at": "2020-01-01",
    "capacity": "100000",
    "confirmed_count": "0",
    "organizer_id": "1",
    "member_id": "1",
    "status": "confirmed",
    "attended_at": "2020-01-01",
    "id": "1",
}


def _prefixed(prefix: str) -> dict[str, str]:
    return {f"{prefix}-{k}": v for k, v in EXTRA.items()} | EXTRA


def test_joining_with_a_role_field_makes_an_ordinary_unverified_member(client, db):
    form = {
        "name": "Sam Sneaky",
        "email": "sneaky@example.org",
        "password": GOOD_PASSWORD,
        "accept_privacy": "y",
    }
    response = client.post("/members/join", data=EXTRA | form)
    assert response.status_code == 302
    member = db.session.scalar(sa.select(Member).where(Member.email == "sneaky@example.org"))
    assert member is not None
    assert member.role == "member" and not member.is_admin and not member.is_organizer
    assert member.email_verified_at is None


def test_profile_edit_ignores_role_and_admin_fields(client, auth, db, make_member):
    member = make_member(email="ana@example.org", name="Ana", password=GOOD_PASSWORD)
    auth.login_as(member)
    data = {
        "profile-name": "Ana Updated",
        "profile-timezone": "Europe/Vienna",
        **_prefixed("profile"),
    }
    response = client.post("/members/me", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.name == "Ana Updated"
    assert member.role == "member" and not member.is_admin
    assert member.email == "ana@example.org"


def test_guest_registration_ignores_status_member_and_capacity(client, db, make_event, make_member):
    someone = make_member()
    event = make_event(capacity=1, audience="all")
    data = {
        "name": "Gina Guest",
        "email": "gina@example.org",
        "affiliation": "NGO",
        **EXTRA,
        "member_id": str(someone.id),
        "event_id": str(event.id + 1000),
    }
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code in (200, 302)
    db.session.expire_all()
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.email == "gina@example.org")
    )
    assert registration is not None
    assert registration.event_id == event.id
    assert registration.member_id is None
    assert registration.status == "pending"  # waits for the guest's confirmation link
    assert registration.attended_at is None
    assert db.session.get(Event, event.id).capacity == 1


def test_member_registration_ignores_posted_status_and_capacity(
    client, auth, db, make_event, make_member
):
    member = make_member()
    event = make_event(capacity=5, audience="all")
    auth.login_as(member)
    client.post(f"/events/{event.slug}/register", data=EXTRA)
    db.session.expire_all()
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.member_id == member.id)
    )
    assert registration is not None and registration.event_id == event.id
    assert registration.attended_at is None
    assert db.session.get(Event, event.id).capacity == 5
    assert db.session.get(Member, member.id).role == "member"


def test_event_create_ignores_posted_organizer_status_and_counts(client, auth, db, make_member):
    organizer = make_member(role="organizer")
    other = make_member(role="organizer")
    auth.login_as(organizer)
    data = {
        **event_form_data(title="Mass assignment check", summary="Nothing extra sticks"),
        **EXTRA,
        "capacity": "30",
        "organizer_id": str(other.id),
        "status": "published",
        "sequence": "99",
        "published_at": "2020-01-01T00:00",
        "slug": "hijacked-slug",
    }
    response = client.post("/events/manage/new", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.scalar(sa.select(Event).where(Event.title == "Mass assignment check"))
    assert event is not None
    assert event.organizer_id == organizer.id
    assert event.status == "draft" and event.published_at is None
    assert event.sequence == 0
    assert event.capacity == 30
