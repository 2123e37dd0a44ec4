"""Two organizers press "send decisions" at once: each decision is mailed once and each
accepted contribution lands on the agenda once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.calls import decisions, services
from interacta.calls.models import Call, Submission
from interacta.core.models import OutboxMessage, utcnow
from interacta.events.models import AgendaSession, Event
from interacta.events.services import utc_to_local_naive
from interacta.extensions import db
from interacta.members.models import Member
from tests.postgres.test_job_workers import _side_by_side

pytestmark = pytest.mark.postgres_only


def _decided_call(app) -> None:
    with app.app_context(), app.test_request_context():
        organizer = Member(email="olga@example.org", name="Olga", role="organizer",
                           email_verified_at=utcnow())  # fmt: skip
        db.session.add(organizer)
        db.session.flush()
        start = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        event = Event(slug="symposium", title="Symposium", kind="symposium", starts_at=start,
                      ends_at=start + timedelta(hours=8), timezone="UTC", status="published",
                      published_at=utcnow(), organizer_id=organizer.id)  # fmt: skip
        db.session.add(event)
        db.session.flush()
        call = services.save_call(
            event,
            services.CallValues(
                deadline=utc_to_local_naive(utcnow() + timedelta(days=5), "UTC").replace(
                    second=0, microsecond=0
                ),
                types=["paper", "talk"],
                tracks=[],
                criteria=[("Relevance", 1)],
            ),
        )
        for n in range(4):
            author = Member(email=f"a{n}@example.org", name=f"A{n}", email_verified_at=utcnow())
            db.session.add(author)
            db.session.flush()
            submission = services.submit(
                call,
                author,
                services.SubmissionValues(
                    title=f"Paper {n}", contribution_type="talk", abstract="An abstract."
                ),
            )
            decisions.decide(submission, "accept" if n % 2 == 0 else "reject")
        db.session.commit()


def test_two_organizers_sending_at_once_send_each_decision_once(pg_app):
    _decided_call(pg_app)

    def send():
        with pg_app.test_request_context():
            call = db.session.scalar(sa.select(Call))
            decisions.send_decisions(call)
            db.session.commit()

    _side_by_side(pg_app, send, n=3)
    with pg_app.app_context():
        mails = db.session.scalars(
            sa.select(OutboxMessage.to_addr).where(OutboxMessage.template == "calls/mail/decision")
        ).all()
        assert sorted(mails) == [f"a{n}@example.org" for n in range(4)]
        sessions = db.session.scalars(sa.select(AgendaSession.title)).all()
        assert sorted(sessions) == ["Paper 0", "Paper 2"]
        assert all(db.session.scalars(sa.select(Submission.decision_sent_at)).all())
