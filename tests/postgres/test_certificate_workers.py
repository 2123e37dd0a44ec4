"""Two issuers at once (the hourly job on two workers, or the job and the organizer's
button) issue each certificate once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core import jobs
from interacta.core.models import utcnow
from interacta.credentials import services
from interacta.credentials.models import Certificate
from interacta.events import attendance
from interacta.events.models import AgendaSession, Event, Registration
from interacta.extensions import db
from interacta.members.models import Member
from tests.postgres.test_job_workers import _side_by_side

pytestmark = pytest.mark.postgres_only


def _finished_course(app) -> None:
    with app.app_context():
        organizer = Member(
            email="olga@example.org", name="Olga", role="organizer", email_verified_at=utcnow()
        )
        db.session.add(organizer)
        db.session.flush()
        start = utcnow() - timedelta(days=5)
        event = Event(
            slug="course", title="Course", kind="course", starts_at=start,
            ends_at=start + timedelta(days=2), timezone="UTC", format="online",
            status="published", published_at=start, organizer_id=organizer.id,
        )  # fmt: skip
        for i in range(5):
            event.sessions.append(
                AgendaSession(
                    title=f"S{i}",
                    starts_at=start + timedelta(hours=i * 2),
                    ends_at=start + timedelta(hours=i * 2 + 1),
                )
            )
        db.session.add(event)
        db.session.flush()
        for n in range(6):
            registration = Registration(
                event_id=event.id, email=f"p{n}@example.org", active_key=f"p{n}@example.org",
                name=f"P{n}", token=f"tok{n}".ljust(32, "x"), status="confirmed",
                confirmed_at=start,
            )  # fmt: skip
            db.session.add(registration)
            db.session.flush()
            for session in attendance.sessions_of(event)[: 5 if n % 2 == 0 else 3]:
                attendance.mark(event, registration.id, session, True)
        services.save_settings(event, True, "completion", 80)
        db.session.commit()


def test_two_issuers_at_once_issue_each_certificate_once(pg_app):
    _finished_course(pg_app)

    def issue():
        services.issue_due()
        db.session.commit()

    _side_by_side(pg_app, issue, n=3)
    with pg_app.app_context():
        holders = db.session.scalars(sa.select(Certificate.holder_name)).all()
        assert sorted(holders) == ["P0", "P2", "P4"]


def test_two_workers_run_the_certificate_job_once_per_period(pg_app):
    _finished_course(pg_app)
    job = None
    with pg_app.app_context():
        job = jobs.periodic_job("certificates-issue")
    moment = utcnow()
    _side_by_side(pg_app, lambda: jobs.run_periodic(job, moment))
    _side_by_side(pg_app, lambda: jobs.run_periodic(job, moment + timedelta(hours=1)))
    with pg_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 3
