"""The operator console shows the figures the database holds; failed mail can be retried."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from interacta.consent.models import ConsentLogEntry
from interacta.core.models import JobRun, OutboxEvent, OutboxMessage, SecurityEventCount, utcnow
from interacta.events.models import Registration
from interacta.members.models import Member
from tests.fixtures.members import GOOD_PASSWORD


def figures(html: str) -> dict[str, str]:
    return {
        name: re.sub(r"<[^>]+>", "", value).strip()
        for name, value in re.findall(r'data-figure="([^"]+)"[^>]*>(.*?)</(?:dd|p)>', html, re.S)
    }


def _count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_console_figures_match_the_database(
    admin_client, db, make_member, make_event, make_registration
):
    now = utcnow()
    make_member(email_verified_at=None, created_at=now - timedelta(days=10))
    make_member(email_verified_at=None)  # joined just now: not yet worth a look
    make_member(email=None, name="Erased")  # an erased account is not a member
    event = make_event(capacity=4)
    for _ in range(3):
        make_registration(event=event)
    make_event(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    for action, perf in (("accept_all", True), ("accept_all", True), ("reject_all", False)):
        db.session.add(
            ConsentLogEntry(
                consent_id=f"id-{action}-{perf}-{_count(db, ConsentLogEntry)}",
                subject_id="s",
                performance=perf,
                functionality=perf,
                targeting=False,
                action=action,
                policy_version=1,
                policy_hash="0" * 64,
            )
        )
    db.session.commit()

    html = admin_client.get("/admin").get_data(as_text=True)
    shown = figures(html)
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert shown["members-total"] == str(_count(db, Member, Member.email.is_not(None)))
    assert shown["members-joined"] == str(
        _count(db, Member, Member.email.is_not(None), Member.created_at >= month)
    )
    assert shown["members-unverified"] == "1"
    assert shown["events-upcoming"] == "1"
    assert shown["registrations-week"] == str(_count(db, Registration)) == "3"
    assert "3 of 4 seats" in html  # the fullest event, in the SVG chart
    assert "<svg" in html
    assert shown["consent-total"].startswith("3 choices")
    assert "accept all: 2" in html and "performance: 67 %" in html
    assert shown["mail-queued"] == "0" and shown["mail-failed"] == "0"


def test_sign_in_failures_and_rate_limit_hits_of_the_last_day_are_counted(
    client, db, make_member, auth
):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    for _ in range(3):
        client.post("/members/login", data={"email": "ana@example.org", "password": "nope-nope"})
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    db.session.add(SecurityEventCount(event="rate_limited", hour=hour, count=4))
    db.session.add(
        SecurityEventCount(event="rate_limited", hour=hour - timedelta(hours=30), count=50)
    )
    db.session.commit()
    stored = db.session.scalar(
        sa.select(SecurityEventCount.count).where(SecurityEventCount.event == "signin_failed")
    )
    assert stored == 3
    auth.login_as(make_member(role="admin"))
    shown = figures(client.get("/admin").get_data(as_text=True))
    assert shown["signin-failures"] == "3"
    assert shown["rate-limited"] == "4"


def test_an_overdue_job_is_shown_in_red(admin_client, db):
    db.session.add(
        JobRun(
            job="event-reminders",
            period="old",
            status="ok",
            started_at=utcnow() - timedelta(hours=5),
            finished_at=utcnow() - timedelta(hours=5),
            result="0 reminders sent",
        )
    )
    db.session.commit()
    html = admin_client.get("/admin").get_data(as_text=True)
    row = re.search(r'<tr class="row-alert" data-job="event-reminders">.*?</tr>', html, re.S)
    assert row and "Overdue" in row.group(0) and "0 reminders sent" in row.group(0)


def _failed_message(db, to="lost@example.org"):
    message = OutboxMessage(
        to_addr=to,
        subject="Your registration",
        template="events/mail/registration_confirmed",
        text_body="Hello",
        status="failed",
        attempts=8,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
    )
    db.session.add(message)
    db.session.flush()
    db.session.add(OutboxEvent(message_id=message.id, status="queued"))
    db.session.add(OutboxEvent(message_id=message.id, status="failed", detail=message.last_error))
    db.session.commit()
    return message


def test_a_failed_message_shows_with_its_reason_and_can_be_retried(admin_client, db):
    message = _failed_message(db)
    html = admin_client.get("/admin").get_data(as_text=True)
    assert figures(html)["mail-failed"] == "1"
    assert "SMTPRecipientsRefused: mailbox unavailable" in html
    response = admin_client.post("/admin/mail/retry-failed")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "sent"
    history = admin_client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    steps = re.findall(r"<td>(queued|failed|resent|sent)</td>", history)
    assert steps == ["queued", "failed", "resent", "sent"]


def test_the_outbox_is_searchable_and_one_message_can_be_resent(admin_client, db, outbox):
    _failed_message(db, to="first@example.org")
    other = _failed_message(db, to="second@example.org")
    page = admin_client.get("/admin/mail?q=second").get_data(as_text=True)
    assert "second@example.org" in page and "first@example.org" not in page
    page = admin_client.get("/admin/mail?status=sent").get_data(as_text=True)
    assert "No message matches" in page
    response = admin_client.post(f"/admin/mail/{other.id}/resend")
    assert response.headers["Location"].endswith(f"/admin/mail/{other.id}")
    statuses = {m.to_addr: m.status for m in outbox()}
    assert statuses == {"first@example.org": "failed", "second@example.org": "sent"}


def test_new_mail_records_its_history(db, app):
    from interacta.core.mail import deliver_due, queue_mail

    with app.test_request_context():
        message = queue_mail("h@example.org", "Hello", "core/mail/test_message")
        db.session.commit()
        deliver_due(ids=[message.id])
    statuses = db.session.scalars(
        sa.select(OutboxEvent.status).where(OutboxEvent.message_id == message.id)
    ).all()
    assert statuses == ["queued", "sent"]


def test_seeded_demo_shows_real_figures_and_a_reminder_due(runner, db, make_member):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    from interacta.admin.services import dashboard

    board = dashboard()
    assert board.members["total"] > 0 and board.events["upcoming"] > 0
    assert board.events["registrations_week"] > 0
    assert board.consent_total > 0 and board.consent_share
    soon = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.status == "confirmed", Registration.reminder_sent_at.is_(None))
    )
    assert soon > 0


def test_the_outbox_never_shows_a_mails_body_with_its_links(admin_client, db):
    message = OutboxMessage(
        to_addr="reset@example.org",
        subject="Reset your password",
        template="members/mail/reset",
        text_body="Open https://interacta.example/members/reset/SECRET-RESET-TOKEN",
        status="sent",
    )
    db.session.add(message)
    db.session.commit()
    page = admin_client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "Reset your password" in page and "reset@example.org" in page
    assert "SECRET-RESET-TOKEN" not in page


def test_a_month_of_refusals_only_still_shows_the_console(admin_client, db):
    db.session.add(
        ConsentLogEntry(
            consent_id="only-refusal",
            subject_id="s",
            performance=False,
            functionality=False,
            targeting=False,
            action="reject_all",
            policy_version=1,
            policy_hash="0" * 64,
        )
    )
    db.session.commit()
    response = admin_client.get("/admin")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No choice this month accepted an optional category." in page
    assert "reject all: 1" in page
