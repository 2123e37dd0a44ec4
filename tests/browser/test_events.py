"""Events in a real browser: an organizer publishes, a visitor finds it in the calendar."""

from __future__ import annotations

import uuid

import pytest
from flask_login.utils import _create_identifier

from interacta.core.models import utcnow
from interacta.extensions import db
from interacta.members.models import Member
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

USER_AGENT = "interacta-browser-test"


def signed_in_context(browser, live_app, live_server, member_id: int):
    """A browser context whose session cookie signs `member_id` in (no login page needed)."""
    with live_app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        identifier = _create_identifier()
    serializer = live_app.session_interface.get_signing_serializer(live_app)
    cookie = serializer.dumps({"_user_id": str(member_id), "_fresh": True, "_id": identifier})
    context = browser.new_context(user_agent=USER_AGENT)
    context.add_cookies([{"name": "session", "value": cookie, "url": live_server}])
    return context


def make_organizer(live_app) -> int:
    with live_app.app_context():
        member = Member(
            email=f"org-{uuid.uuid4().hex[:8]}@example.org",
            name="Browser Organizer",
            role="organizer",
            email_verified_at=utcnow(),
        )
        db.session.add(member)
        db.session.commit()
        member_id = member.id
        db.session.remove()
    return member_id


def test_organizer_publishes_an_event_and_a_visitor_finds_it_in_the_calendar(
    live_app, live_server, browser
):
    context = signed_in_context(browser, live_app, live_server, make_organizer(live_app))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/events/manage/new")
    page.fill("#title", "Browser-made symposium")
    page.fill("#summary", "Made in a real browser")
    page.select_option("#kind", "symposium")
    page.select_option("#timezone", "Europe/Brussels")
    page.fill("#starts_at", "2031-03-12T10:00")
    page.fill("#ends_at", "2031-03-12T16:00")
    page.select_option("#format", "in_person")
    page.fill("#venue_name", "Egmont Palace")
    page.fill("#capacity", "40")
    page.fill("#sessions-0-title", "Opening")
    page.fill("#sessions-0-starts_at", "2031-03-12T10:00")
    page.fill("#sessions-0-ends_at", "2031-03-12T11:00")
    page.click("form.event-form button[type=submit]")
    page.wait_for_url("**/events/manage/*/edit")
    assert "Draft saved" in page.inner_text(".flashes")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url("**/events/browser-made-symposium-2031-03-12")
    assert page.inner_text("h1") == "Browser-made symposium"
    context.close()

    visitor = browser.new_context()
    page = visitor.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/events/calendar?month=2031-02")
    page.click("a[rel=next]")
    page.wait_for_url("**/events/calendar?month=2031-03")
    link = page.get_by_role("link", name="10:00 Browser-made symposium")
    # Reach the event by keyboard: focus the link and follow it with Enter.
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "Browser-made symposium"
    assert "Opening" in page.inner_text("table.agenda")
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    visitor.close()


@pytest.mark.parametrize("path", ["/events/", "/events/calendar", "/events/past"])
def test_event_pages_have_no_serious_accessibility_violations(live_server, page, path):
    page.goto(live_server + path)
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


def test_calendar_works_at_320px_wide(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server + "/events/calendar")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_a_busy_day_shows_four_events_and_its_more_link_leads_to_all_of_them(
    live_app, live_server, browser
):
    from datetime import UTC, datetime, timedelta

    from interacta.events.models import Event

    organizer_id = make_organizer(live_app)
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        for i in range(6):
            start = datetime(2031, 4, 16, 8, tzinfo=UTC) + timedelta(minutes=10 * i)
            db.session.add(
                Event(
                    slug=f"busy-{tag}-{i}", title=f"Busy day talk {i}", summary="", description="",
                    kind="seminar", starts_at=start, ends_at=start + timedelta(hours=1),
                    timezone="Europe/Brussels", format="online", audience="all",
                    status="published", organizer_id=organizer_id, published_at=utcnow(),
                )
            )  # fmt: skip
        db.session.commit()
        db.session.remove()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/events/calendar?month=2031-04")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.get_by_role("link", name="Busy day talk 3").count() == 1
    assert page.get_by_role("link", name="Busy day talk 4").count() == 0
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    page.get_by_role("link", name="+2 more on Wednesday, 16 April 2031").click()
    page.wait_for_url("**/events/calendar?day=2031-04-16#day-events")
    listed = page.locator("#day-events")
    assert listed.get_by_role("heading").inner_text() == "Events on Wednesday, 16 April 2031"
    assert listed.get_by_role("link").count() == 6
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    context.close()
