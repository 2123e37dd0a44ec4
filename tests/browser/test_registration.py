"""A guest registers, confirms from the mail, cancels; the first waiting person is promoted."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage, utcnow
from interacta.events import registrations
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_guest_registers_confirms_cancels_and_the_waiting_member_is_promoted(
    live_app, live_server, page
):
    tag = uuid.uuid4().hex[:6]
    guest_email = f"guest-{tag}@example.org"
    with live_app.app_context():
        start = utcnow() + timedelta(days=20)
        event = Event(slug=f"browser-workshop-{tag}", title="Browser workshop", kind="workshop",
                      starts_at=start, ends_at=start + timedelta(hours=3),
                      timezone="Europe/Brussels", venue_name="Hall", capacity=1,
                      status="published", published_at=utcnow())  # fmt: skip
        waiter = Member(email=f"waiter-{tag}@example.org", name="Wanda Waiter",
                        email_verified_at=utcnow())  # fmt: skip
        db.session.add_all([event, waiter])
        db.session.commit()
        slug, event_id, waiter_id = event.slug, event.id, waiter.id
        db.session.remove()

    page.goto(f"{live_server}/events/{slug}")
    page.get_by_role("link", name="Register").click()
    page.fill("#name", "Gina Guest")
    page.fill("#email", guest_email)
    page.fill("#affiliation", "Red Cross")
    page.get_by_role("button", name="Register").click()
    assert page.inner_text("h1") == "Check your mail"

    with live_app.app_context():
        mail = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.to_addr == guest_email)
        )
        link = re.search(r"(http://\S+/events/registration/\S+)", mail.text_body).group(1)
        db.session.remove()
    page.goto(link)
    assert "Not confirmed yet" in page.inner_text(".registration-status")
    page.get_by_role("button", name="Confirm my registration").click()
    assert "Confirmed" in page.inner_text(".registration-status")
    assert axe_violations(page) == []

    # The event is now full: a member joins the waiting list.
    with live_app.app_context():
        waiting, _ = registrations.register_member(event_id, db.session.get(Member, waiter_id))
        db.session.commit()
        assert waiting.status == "waiting"
        db.session.remove()

    page.get_by_role("button", name="Cancel my registration").click()
    assert "Cancelled" in page.inner_text(".registration-status")

    with live_app.app_context():
        promoted = db.session.scalar(
            sa.select(Registration).where(Registration.member_id == waiter_id)
        )
        assert promoted.status == "confirmed"
        subjects = list(
            db.session.scalars(
                sa.select(OutboxMessage.subject).where(OutboxMessage.to_addr == waiter.email)
            )
        )
        assert any("A seat is free for you" in s for s in subjects)
        db.session.remove()


def test_registration_and_organizer_pages_have_no_serious_accessibility_violations(
    live_app, live_server, browser
):
    from tests.browser.test_events import make_organizer, signed_in_context

    organizer_id = make_organizer(live_app)
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        start = utcnow() + timedelta(days=30)
        event = Event(slug=f"axe-{tag}", title="Axe check", kind="course", starts_at=start,
                      ends_at=start + timedelta(hours=3), venue_name="Hall", capacity=2,
                      status="published", organizer_id=organizer_id)  # fmt: skip
        db.session.add(event)
        db.session.flush()
        for i, status in enumerate(["confirmed", "confirmed", "waiting"]):
            db.session.add(
                Registration(event_id=event.id, email=f"p{i}-{tag}@example.org",
                             active_key=f"p{i}-{tag}@example.org", name=f"Person {i}",
                             token=registrations.new_token(), status=status,
                             waiting_since=utcnow() if status == "waiting" else None)
            )  # fmt: skip
        db.session.commit()
        event_id, slug = event.id, event.slug
        db.session.remove()
    context = signed_in_context(browser, live_app, live_server, organizer_id)
    page = context.new_page()
    for path in (
        f"/events/{slug}/register",
        "/events/manage/",
        "/events/manage/new",
        f"/events/manage/{event_id}/participants",
        f"/events/manage/{event_id}/checkin",
        f"/events/manage/{event_id}/message",
        "/events/my",
    ):
        page.goto(live_server + path)
        violations = axe_violations(page)
        assert violations == [], (path, [(v["id"], v["help"]) for v in violations])
    # The check-in page fits a phone.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/events/manage/{event_id}/checkin")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
    guest = browser.new_context()
    page = guest.new_page()
    page.goto(f"{live_server}/events/{slug}/register")
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    guest.close()
