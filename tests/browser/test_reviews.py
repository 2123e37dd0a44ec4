"""Reviewing in a real browser: the organizer adds a reviewer and assigns; the reviewer
finds the submission in their queue and reviews it with the keyboard-friendly form; the
organizer sees the score. The pages have no serious accessibility violations."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from interacta.calls import services as call_services
from interacta.core.models import utcnow
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member
from tests.browser.conftest import axe_violations
from tests.browser.test_events import signed_in_context

pytestmark = pytest.mark.browser


def _world(live_app) -> dict:
    """An organizer's symposium with an open call, one submission, and a would-be reviewer."""
    tag = uuid.uuid4().hex[:8]
    with live_app.app_context():

        def member(name, **values):
            person = Member(
                email=f"{name.split()[0].lower()}-{tag}@example.org",
                name=name,
                email_verified_at=utcnow(),
                **values,
            )
            db.session.add(person)
            db.session.flush()
            return person

        organizer = member("Olga Organizer", role="organizer")
        author = member("Petra Penname", affiliation="Penname Institute")
        reviewer = member("Rita Reviewer")
        starts = (utcnow() + timedelta(days=40)).replace(minute=0, second=0, microsecond=0)
        event = Event(
            slug=f"symposium-{tag}",
            title=f"Symposium {tag}",
            summary="A symposium",
            description="",
            kind="symposium",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            timezone="Europe/Brussels",
            format="in_person",
            venue_name="Egmont Palace",
            venue_address="Brussels",
            audience="all",
            status="published",
            published_at=utcnow(),
            organizer_id=organizer.id,
        )
        db.session.add(event)
        db.session.flush()
        deadline = call_services.event_services.utc_to_local_naive(
            (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0), event.timezone
        )
        call = call_services.save_call(
            event,
            call_services.CallValues(
                deadline=deadline,
                scope="Papers.",
                tracks=["Disaster response"],
                criteria=[("Relevance", 2), ("Clarity", 1)],
                reviews_per_submission=1,
            ),
        )
        call_services.submit(
            call,
            author,
            call_services.SubmissionValues(
                title="Shared situational awareness in flood response",
                contribution_type="paper",
                track="Disaster response",
                abstract="What liaison officers do.",
            ),
        )
        db.session.commit()
        ids = {
            "organizer": organizer.id,
            "reviewer": reviewer.id,
            "reviewer_email": reviewer.email,
            "event": event.id,
        }
        db.session.remove()
    return ids


def _check_axe(page):
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


def test_organizer_assigns_and_the_reviewer_reviews(live_app, live_server, browser):
    w = _world(live_app)
    organizer = signed_in_context(browser, live_app, live_server, w["organizer"])
    page = organizer.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/events/manage/{w['event']}/submissions")
    page.get_by_label("Email address of a member").fill(w["reviewer_email"])
    page.get_by_role("button", name="Add the reviewer").click()
    assert "Rita Reviewer reviews for this call." in page.inner_text(".flashes")
    page.get_by_role("button", name="Assign reviewers").click()
    assert "1 assignment made" in page.inner_text(".flashes")
    _check_axe(page)

    reviewer = signed_in_context(browser, live_app, live_server, w["reviewer"])
    mine = reviewer.new_page()
    mine.set_default_timeout(10_000)
    mine.goto(f"{live_server}/reviews/")
    _check_axe(mine)
    mine.get_by_role(
        "link", name="Shared situational awareness in flood response", exact=True
    ).click()
    assert "Petra Penname" not in mine.content()  # double-blind by default
    _check_axe(mine)
    relevance = mine.get_by_role("group", name="Relevance")
    relevance.get_by_label("4").check()
    mine.get_by_role("group", name="Clarity").get_by_label("2").check()
    mine.get_by_label("Comment for the authors").fill("Convincing cases.")
    mine.get_by_role("group", name="Recommendation").get_by_label(
        "Accept with minor changes"
    ).check()
    mine.get_by_role("button", name="Save my review").click()
    assert "Your review is saved." in mine.inner_text(".flashes")
    assert "Done" in mine.inner_text("table")

    page.goto(f"{live_server}/events/manage/{w['event']}/submissions?sort=mean&dir=desc")
    row = page.get_by_role("row", name="Shared situational awareness in flood response")
    assert "1 / 1" in row.inner_text() and "3.33" in row.inner_text()
    organizer.close()
    reviewer.close()
