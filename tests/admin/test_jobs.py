"""Periodic jobs run from the scheduler, once per period, and record their runs."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from interacta.consent.models import ConsentLogEntry
from interacta.core import jobs
from interacta.core.models import JobRun, OutboxMessage, utcnow
from interacta.events.models import Registration

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2031, 3, 10, 8, 30, tzinfo=UTC)


def _runs(db, job=None):
    query = sa.select(JobRun).order_by(JobRun.id)
    if job:
        query = query.where(JobRun.job == job)
    return list(db.session.scalars(query))


def test_every_periodic_job_runs_once_per_period_however_often_the_scheduler_ticks(scheduler, db):
    scheduler.run_at(T0)
    first = {run.job: run for run in _runs(db)}
    assert set(first) == {
        "certificates-issue",
        "digests-send",
        "event-reminders",
        "guest-data-purge",
        "consent-log-purge",
        "db-statistics",
        "mail-outbox",
        "ops-prune",
        "reserved-seats-release",
    }
    assert all(run.status == "ok" and run.finished_at for run in first.values())

    scheduler.run_at(T0 + timedelta(seconds=20))  # the same minute: nothing runs again
    assert len(_runs(db)) == 9
    scheduler.run_at(T0 + timedelta(minutes=10))  # only the minutely outbox job
    assert [r.job for r in _runs(db)[9:]] == ["mail-outbox"]
    scheduler.run_at(T0 + timedelta(hours=1))  # and the hourly jobs
    assert sorted(r.job for r in _runs(db)[10:]) == [
        "certificates-issue",
        "digests-send",
        "event-reminders",
        "mail-outbox",
        "reserved-seats-release",
    ]
    scheduler.run_at(T0 + timedelta(days=1))  # and every daily job
    assert len(_runs(db, "guest-data-purge")) == 2
    assert len(_runs(db, "consent-log-purge")) == 2
    assert len(_runs(db, "event-reminders")) == 3
    assert len(_runs(db, "db-statistics")) == 2


def test_the_daily_statistics_job_gives_the_query_planner_statistics(
    scheduler, db, make_publication
):
    """Without statistics SQLite picks indexes by their shape alone (a facet count for one
    year read every record through the kind index); the job runs ANALYZE."""
    for year in (2019, 2020, 2021):
        make_publication(year=year)
    db.session.commit()
    scheduler.run_at(T0)
    [run] = _runs(db, "db-statistics")
    assert (run.status, run.result) == ("ok", "planner statistics refreshed")
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(
            sa.text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'publications'")
        ).scalars()
        assert "ix_publications_status_date" in set(rows)
    else:
        analyzed = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'publications'"
                " AND attname = 'year'"
            )
        )
        assert analyzed == 1


def test_the_day_before_reminder_is_sent_by_the_scheduler_once(
    scheduler, db, make_event, make_member, make_registration
):
    starts = T0 + timedelta(days=2)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=3))
    participant = make_member(email="pat@example.org")
    registration = make_registration(event=event, member=participant)
    db.session.commit()

    scheduler.run_at(starts - timedelta(days=2))  # two days before: too early
    assert _mails(db, "pat@example.org") == []
    scheduler.run_at(starts - timedelta(hours=23, minutes=30))
    mails = _mails(db, "pat@example.org")
    assert [m.subject for m in mails] and "Tomorrow" in mails[0].subject
    assert mails[0].status == "sent"
    scheduler.run_at(starts - timedelta(hours=22))  # the next hour: not twice
    scheduler.run_at(starts - timedelta(hours=21))
    assert len(_mails(db, "pat@example.org")) == 1
    assert db.session.get(Registration, registration.id).reminder_sent_at is not None
    run = _runs(db, "event-reminders")[1]
    assert run.result == "1 reminders sent"


def _mails(db, to):
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_addr == to)))


def test_the_weekly_digest_is_sent_by_the_scheduler_at_0800_local_once(
    scheduler, db, make_member, make_event
):
    from interacta.network import digests

    # T0 is Monday 08:30 UTC: 08:30 in London, 09:30 in Brussels.
    london = make_member(email="lon@example.org", timezone="Europe/London")
    brussels = make_member(email="bru@example.org", timezone="Europe/Brussels")
    for member in (london, brussels):
        digests.save_member_subscription(
            member,
            digests.Choices(frequency="weekly", event_kinds=["workshop"]),
            now=T0 - timedelta(days=30),
        )
    make_event(
        starts_at=T0 + timedelta(days=20),
        ends_at=T0 + timedelta(days=20, hours=2),
        published_at=T0 - timedelta(days=3),
    )
    db.session.commit()

    scheduler.run_at(T0 - timedelta(hours=2))  # 07:30 in Brussels, 06:30 in London
    assert _mails(db, "bru@example.org") == _mails(db, "lon@example.org") == []
    scheduler.run_at(T0 - timedelta(hours=1))  # 08:30 in Brussels
    assert len(_mails(db, "bru@example.org")) == 1 and _mails(db, "lon@example.org") == []
    scheduler.run_at(T0)  # 08:30 in London
    scheduler.run_at(T0 + timedelta(hours=1))
    scheduler.run_at(T0 + timedelta(hours=1, minutes=20))
    for address in ("bru@example.org", "lon@example.org"):
        [mail] = _mails(db, address)
        assert mail.subject == "Interacta: your weekly digest" and mail.status == "sent"
    results = [run.result for run in _runs(db, "digests-send")]
    assert results == ["0 digests sent", "1 digests sent", "1 digests sent", "0 digests sent"]


def test_guest_data_and_old_consent_records_are_purged_daily(
    scheduler, db, make_event, make_registration
):
    old = T0 - timedelta(days=400)
    event = make_event(starts_at=old, ends_at=old + timedelta(hours=2))
    guest = make_registration(event=event, email="old.guest@example.org")
    db.session.add(
        ConsentLogEntry(
            consent_id="c0ffee00-0000-4000-8000-000000000001",
            subject_id="s-1",
            performance=True,
            functionality=False,
            targeting=False,
            action="accept_all",
            policy_version=1,
            policy_hash="0" * 64,
            recorded_at=T0 - timedelta(days=500),
        )
    )
    db.session.commit()

    scheduler.run_at(T0)
    db.session.expire_all()
    assert db.session.get(Registration, guest.id).email is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentLogEntry)) == 0
    results = {r.job: r.result for r in _runs(db)}
    assert results["guest-data-purge"] == "1 guest registrations anonymised"
    assert results["consent-log-purge"].startswith("1 anonymous consent log entries")


def test_a_failed_run_is_recorded_logged_and_tried_again_in_the_same_period(
    app, scheduler, db, monkeypatch, caplog
):
    calls = []

    def flaky(now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("the SMTP relay said no")
        return "done"

    monkeypatch.setitem(
        jobs._store(app)["periodic"], "flaky", jobs.PeriodicJob("flaky", flaky, jobs.HOURLY)
    )
    caplog.set_level(logging.INFO, logger="interacta.core.jobs")
    scheduler.run_at(T0)
    [run] = _runs(db, "flaky")
    assert run.status == "failed" and "SMTP relay said no" in run.result
    assert any("job flaky" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)

    scheduler.run_at(T0 + timedelta(minutes=1))
    [run] = _runs(db, "flaky")
    assert (run.status, run.result, run.attempts) == ("ok", "done", 2)
    scheduler.run_at(T0 + timedelta(minutes=2))
    assert len(calls) == 2
    assert any("job flaky period 2031-03-10T08:00 ok" in r.getMessage() for r in caplog.records), (
        "a line per run"
    )


def test_a_run_left_running_by_a_dead_worker_is_taken_over_after_its_lease(app, db, monkeypatch):
    calls = []
    job = jobs.PeriodicJob("lease", lambda now: calls.append(now), jobs.DAILY)
    monkeypatch.setitem(jobs._store(app)["periodic"], "lease", job)
    db.session.add(
        JobRun(job="lease", period=jobs.period_key(job, T0), status="running", started_at=T0)
    )
    db.session.commit()
    assert jobs.run_periodic(job, T0 + timedelta(minutes=5)) is None
    run = jobs.run_periodic(job, T0 + timedelta(hours=1))
    assert run.status == "ok" and len(calls) == 1


def test_background_jobs_run_through_the_registry(app, db, monkeypatch):
    seen = []
    monkeypatch.setitem(
        jobs._store(app)["background"],
        "echo",
        jobs.BackgroundJob("echo", lambda **kw: seen.append(kw)),
    )
    jobs.enqueue("echo", n=3)  # JOBS_IMMEDIATE in tests: runs here and now
    assert seen == [{"n": 3}]


def test_jobs_cli_runs_a_job_and_lists_the_last_runs(runner, db):
    result = runner.invoke(args=["jobs", "run", "guest-data-purge"])
    assert result.exit_code == 0, result.output
    assert "guest-data-purge: ok: 0 guest registrations anonymised" in result.output
    again = runner.invoke(args=["jobs", "run", "guest-data-purge"])
    assert "already done for this period" in again.output
    listing = runner.invoke(args=["jobs", "list"])
    assert "guest-data-purge" in listing.output and "ok: 0 guest" in listing.output
    assert (
        "event-reminders" in listing.output
        and "OVERDUE" not in listing.output.split("guest-data-purge")[1].splitlines()[0]
    )


def test_make_run_starts_the_job_worker_beside_the_web_server():
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "flask jobs worker" in plan
    assert plan.index("flask jobs worker") < plan.index("flask run")
    assert "trap" in plan, "the worker stops when the server stops"


def test_a_fresh_worker_process_sends_the_day_before_reminder(make_app, tmp_path):
    """What `make run` starts: `flask jobs worker`, nothing else, sends the reminder."""
    app = make_app()
    from interacta.events.models import Event  # noqa: F401 - the models are loaded
    from interacta.extensions import db
    from interacta.members.models import Member

    with app.app_context():
        member = Member(
            email="tomorrow@example.org", name="Tomorrow", role="organizer",
            email_verified_at=utcnow(),
        )  # fmt: skip
        db.session.add(member)
        db.session.flush()
        from interacta.events.models import Event as EventModel

        starts = utcnow() + timedelta(hours=20)
        event = EventModel(
            slug="tomorrow", title="Tomorrow's seminar", kind="seminar", starts_at=starts,
            ends_at=starts + timedelta(hours=2), timezone="Europe/Brussels", format="online",
            online_url="https://meet.example.org/x", status="published", published_at=utcnow(),
            organizer_id=member.id,
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        db.session.add(
            Registration(
                event_id=event.id, member_id=member.id, email=member.email,
                active_key=member.email, name=member.name, token="t" * 32,
                status="confirmed", confirmed_at=utcnow(),
            )
        )  # fmt: skip
        db.session.commit()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "INTERACTA_ENV": "development",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(Path(app.instance_path)),
        "JOBS_IMMEDIATE": "0",
        "MAIL_DELIVERY": "immediate",
    }
    env.pop("JOBS_REDIS_URL", None)
    env.pop("MAIL_SERVER", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        sent = []
        deadline = time.monotonic() + 60
        engine = sa.create_engine(url)
        while time.monotonic() < deadline and not sent:
            time.sleep(0.5)
            with engine.connect() as conn:
                sent = conn.execute(
                    sa.text(
                        "SELECT subject FROM outbox_messages"
                        " WHERE to_addr = 'tomorrow@example.org' AND status = 'sent'"
                    )
                ).all()
        engine.dispose()
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output = worker.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode()
    assert sent, f"no reminder sent; worker said:\n{output}"
    assert "Tomorrow" in sent[0][0]


def test_old_job_runs_and_security_counts_are_forgotten_after_30_days(scheduler, db):
    from interacta.core.models import SecurityEventCount

    old = T0 - timedelta(days=31)
    db.session.add(JobRun(job="mail-outbox", period="old", status="ok", started_at=old))
    db.session.add(SecurityEventCount(event="signin_failed", hour=old, count=2))
    db.session.add(SecurityEventCount(event="signin_failed", hour=T0 - timedelta(days=2), count=1))
    db.session.commit()
    scheduler.run_at(T0)
    assert not [r for r in _runs(db) if r.period == "old"]
    kept = db.session.scalars(sa.select(SecurityEventCount.count)).all()
    assert kept == [1]
    [run] = _runs(db, "ops-prune")
    assert run.result == "1 job runs and 1 hourly security counts deleted"


def test_with_mail_delivery_jobs_committed_mail_is_handed_to_the_worker(make_app):
    from interacta.core.mail import queue_mail
    from interacta.extensions import db as _db

    app = make_app(MAIL_DELIVERY="jobs", JOBS_IMMEDIATE=False)
    queue = jobs.huey_for(app)

    @app.post("/queue-one")
    def queue_one():
        queue_mail("soon@example.org", "Soon", "core/mail/test_message")
        _db.session.commit()
        return "queued"

    assert app.test_client().post("/queue-one").status_code == 200
    with app.app_context():
        status = _db.session.scalar(sa.select(OutboxMessage.status))
        assert status == "queued", "the web process does not send it"
        assert queue.pending_count() == 1
        queue.execute(queue.dequeue())  # what the worker does next
        _db.session.expire_all()
        assert _db.session.scalar(sa.select(OutboxMessage.status)) == "sent"
