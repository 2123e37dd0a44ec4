"""Two job workers on one PostgreSQL run each periodic job once per period."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core import jobs
from interacta.core.models import JobRun, OutboxMessage, utcnow
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

pytestmark = pytest.mark.postgres_only


def _side_by_side(app, work, n=2):
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                work()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []


def test_two_workers_run_a_periodic_job_once(pg_app, monkeypatch):
    calls = []
    lock = threading.Lock()

    def slow(now):
        with lock:
            calls.append(now)
        time.sleep(0.5)  # the other worker arrives while this one is running
        return "done"

    job = jobs.PeriodicJob("slow", slow, jobs.HOURLY)
    monkeypatch.setitem(jobs._store(pg_app)["periodic"], "slow", job)
    moment = utcnow()
    _side_by_side(pg_app, lambda: jobs.run_periodic(job, moment))
    assert len(calls) == 1
    with pg_app.app_context():
        runs = db.session.scalars(sa.select(JobRun).where(JobRun.job == "slow")).all()
        assert [(r.status, r.result) for r in runs] == [("ok", "done")]


def test_two_workers_ticking_at_once_send_one_reminder(pg_app):
    with pg_app.app_context():
        member = Member(
            email="twice@example.org", name="Twice", role="organizer",
            email_verified_at=utcnow(),
        )  # fmt: skip
        db.session.add(member)
        db.session.flush()
        starts = utcnow() + timedelta(hours=10)
        event = Event(
            slug="soon", title="Soon", kind="seminar", starts_at=starts,
            ends_at=starts + timedelta(hours=1), timezone="UTC", format="online",
            online_url="https://meet.example.org/s", status="published", published_at=utcnow(),
            organizer_id=member.id,
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        db.session.add(
            Registration(
                event_id=event.id, member_id=member.id, email=member.email,
                active_key=member.email, name=member.name, token="w" * 32,
                status="confirmed", confirmed_at=utcnow(),
            )
        )  # fmt: skip
        db.session.commit()
    moment = utcnow()
    _side_by_side(pg_app, lambda: jobs.run_due(moment), n=3)
    with pg_app.app_context():
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_addr == "twice@example.org")
        ).all()
        assert len(mails) == 1
        per_job = db.session.execute(
            sa.select(JobRun.job, sa.func.count()).group_by(JobRun.job)
        ).all()
        assert all(n == 1 for _, n in per_job) and len(per_job) == len(jobs.periodic_jobs(pg_app))
