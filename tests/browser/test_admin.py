"""The operator console and outbox, in a browser: no serious accessibility violations."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxEvent, OutboxMessage, utcnow
from interacta.extensions import db
from interacta.members import services
from interacta.members.models import Member
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "console-passphrase-2026"
EMAIL = "console-admin@example.org"


@pytest.fixture
def console_data(live_app):
    """An admin, and a failed message so every part of the console shows."""
    with live_app.app_context():
        if db.session.scalar(sa.select(Member).where(Member.email == EMAIL)) is None:
            member = Member(email=EMAIL, name="Console Admin", role="admin",
                            email_verified_at=utcnow())  # fmt: skip
            services.set_password(member, PASSWORD)
            db.session.add(member)
            message = OutboxMessage(
                to_addr="lost@example.org", subject="Welcome", text_body="Hello",
                status="failed", attempts=8, last_error="SMTPRecipientsRefused: no such user",
            )  # fmt: skip
            db.session.add(message)
            db.session.flush()
            db.session.add(OutboxEvent(message_id=message.id, status="failed", detail="no"))
            db.session.commit()
        message_id = db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.to_addr == "lost@example.org")
        )
        db.session.remove()
    return message_id


@pytest.mark.parametrize("path", ["/admin", "/admin/mail", "/admin/mail/{id}"])
def test_console_pages_have_no_serious_accessibility_violations(
    live_server, page, console_data, path
):
    page.goto(live_server + "/members/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():  # signed in before the next page is asked for
        page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + path.format(id=console_data))
    assert page.get_by_role("heading", level=1).is_visible()
    violations = axe_violations(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in violations]


def test_retry_failed_button_requeues_and_sends(live_server, page, console_data, live_app):
    page.goto(live_server + "/members/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():  # signed in before the next page is asked for
        page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/admin")
    with page.expect_navigation():  # the console again, after the POST's redirect
        page.get_by_role("button", name="Retry failed messages").click()
    assert "queued again" in page.content()
    with live_app.app_context():
        assert db.session.get(OutboxMessage, console_data).status == "sent"
        db.session.remove()
