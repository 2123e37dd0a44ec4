"""A military member registers for a balanced event with a public participant list and
does not appear on it; a civilian who chose to appear does."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from interacta.core.models import utcnow
from interacta.events import balance, registrations
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members import services
from interacta.members.models import Member
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_a_military_member_registers_and_is_not_on_the_public_list(live_app, live_server, page):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        start = utcnow() + timedelta(days=20)
        event = Event(slug=f"balanced-symposium-{tag}", title="Balanced symposium",
                      kind="symposium", starts_at=start, ends_at=start + timedelta(hours=8),
                      timezone="Europe/Brussels", venue_name="Hall", capacity=30,
                      status="published", published_at=utcnow(), room_rule="chatham_house",
                      participant_list="public")  # fmt: skip
        civilian = Member(email=f"civ-{tag}@example.org", name="Clara Civilian",
                          affiliation="Red Cross", sector="civil_society",
                          email_verified_at=utcnow())  # fmt: skip
        officer = Member(email=f"officer-{tag}@example.org", name="Olaf Officer",
                         affiliation="Army", sector="military",
                         email_verified_at=utcnow())  # fmt: skip
        services.set_password(officer, PASSWORD)
        db.session.add_all([event, civilian, officer])
        db.session.commit()
        registrations.set_reservations(
            event.id,
            [
                balance.GroupInput("civilian", ["civil_society", "government"], 12),
                balance.GroupInput("military", ["military"], 12),
            ],
            None,
        )
        registrations.register_member(event.id, civilian, listed=True)
        slug, officer_email = event.slug, officer.email
        db.session.remove()

    page.goto(live_server + "/members/login")
    page.get_by_label("Email address").fill(officer_email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():  # signed in before the next page is asked for
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/events/{slug}")
    assert "Chatham House Rule" in page.inner_text(".room-rule-fact")
    box = page.get_by_label("Show my name, organisation and sector on the participant list")
    assert not box.is_checked()
    assert "Serving personnel are often not allowed" in page.inner_text("#listed-help")
    assert "military: 12 seats left" in page.inner_text(".sector-seats")
    page.get_by_role("button", name="Register").click()
    assert "You are registered" in page.inner_text(".register-box")
    assert "military: 11 seats left" in page.inner_text(".sector-seats")

    page.get_by_role("link", name="Who takes part").click()
    listing = page.inner_text("main")
    assert "Clara Civilian" in listing and "Red Cross" in listing
    assert "Olaf Officer" not in listing
    assert "@" not in listing
    assert axe_violations(page) == []
