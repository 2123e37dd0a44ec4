"""Scheduled and background work without cron: a registry blueprints plug into, and Huey.

- `register_periodic(app, PeriodicJob(...))`: work that runs every hour, day, minute.
  A job runs once per period however many workers there are: the first worker to insert
  the (job, period) row in `job_runs` owns the period (a unique constraint, so this holds
  on PostgreSQL with several hosts); the row records the run's start, end and result,
  which the console, `/readyz` and `/metrics` read. A failed run is tried again in the
  same period by the next tick, and a run left "running" by a worker that died is taken
  over once it is older than the job's lease.
- `register_background(app, BackgroundJob(...))` and `enqueue(name, **kwargs)`: long work
  handed to the worker (imports, certificate batches); it runs in the caller's process
  when JOBS_IMMEDIATE is set (tests).

Huey carries both: `SqliteHuey` in the instance folder on the embedded default (no Redis
needed), `RedisHuey` when JOBS_REDIS_URL is set. Its scheduler checks every periodic job
each minute; a job whose period is already done costs one indexed SELECT.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from interacta.core import mail as outbox
from interacta.core.mail import deliver_due
from interacta.core.models import JobRun, SecurityEventCount, utcnow
from interacta.extensions import db

logger = logging.getLogger(__name__)

MINUTE = timedelta(minutes=1)
HOURLY = timedelta(hours=1)
DAILY = timedelta(days=1)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    #: run(now) -> a short text or number saying what it did; commits its own work
    run: Callable[[datetime], object]
    every: timedelta
    description: str = ""
    #: How long after its period's start a job counts as overdue (default: two periods).
    grace: timedelta | None = None
    #: How long a run may stay "running" before another worker takes it over.
    lease: timedelta = timedelta(minutes=30)

    @property
    def overdue_after(self) -> timedelta:
        return self.grace or self.every * 2


@dataclass(frozen=True)
class BackgroundJob:
    name: str
    #: run(**kwargs) -> anything; runs in an app context in the worker
    run: Callable[..., object]
    description: str = ""


#: The clock the scheduler reads; tests replace it to advance time without waiting.
def clock() -> datetime:
    return utcnow()


def _store(app: Flask) -> dict:
    return app.extensions.setdefault("interacta.jobs", {"periodic": {}, "background": {}})


def register_periodic(app: Flask, job: PeriodicJob) -> None:
    """Run `job` every `job.every`, once per period across all workers."""
    _store(app)["periodic"][job.name] = job


def register_background(app: Flask, job: BackgroundJob) -> None:
    """Make `job` available to `enqueue(job.name, ...)`."""
    _store(app)["background"][job.name] = job


def periodic_jobs(app: Flask | None = None) -> list[PeriodicJob]:
    store = _store(app or current_app)["periodic"]
    return [store[name] for name in sorted(store)]


def periodic_job(name: str) -> PeriodicJob:
    return _store(current_app)["periodic"][name]


# -- periods and claims -----------------------------------------------------------------------


def period_start(job: PeriodicJob, now: datetime) -> datetime:
    """The start of the period `now` falls in (periods are aligned on the Unix epoch, UTC)."""
    step = int(job.every.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


def period_key(job: PeriodicJob, now: datetime) -> str:
    return period_start(job, now).strftime("%Y-%m-%dT%H:%M")


def _claim(job: PeriodicJob, period: str, now: datetime) -> JobRun | None:
    """The run for this period if this worker won it, else None. Commits the claim."""
    done = db.session.scalar(
        sa.select(JobRun.status).where(JobRun.job == job.name, JobRun.period == period)
    )
    if done in ("ok", "running") and not _stale(job, period, now):
        db.session.commit()  # ends the read; nothing of ours is pending
        return None
    if done is None:
        try:
            with db.session.begin_nested():
                run = JobRun(job=job.name, period=period, status="running", started_at=now)
                db.session.add(run)
            db.session.commit()
            return run
        except sa.exc.IntegrityError:
            pass  # another worker inserted it first (only the savepoint was rolled back)
    # A failed run, or one whose worker died: whoever flips it back to running owns it.
    taken = db.session.execute(
        sa.update(JobRun)
        .where(
            JobRun.job == job.name,
            JobRun.period == period,
            sa.or_(
                JobRun.status == "failed",
                sa.and_(JobRun.status == "running", JobRun.started_at < now - job.lease),
            ),
        )
        .values(status="running", started_at=now, attempts=JobRun.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return None
    return db.session.scalar(
        sa.select(JobRun).where(JobRun.job == job.name, JobRun.period == period)
    )


def _stale(job: PeriodicJob, period: str, now: datetime) -> bool:
    started = db.session.scalar(
        sa.select(JobRun.started_at).where(
            JobRun.job == job.name, JobRun.period == period, JobRun.status == "running"
        )
    )
    return started is not None and started < now - job.lease


def run_periodic(
    job: PeriodicJob, now: datetime | None = None, force: bool = False
) -> JobRun | None:
    """Run `job` for the period `now` falls in unless that period is done or being done
    elsewhere; returns the run, or None when there was nothing to do here."""
    now = now or clock()
    period = now.strftime("%Y-%m-%dT%H:%M:%S") if force else period_key(job, now)
    run = _claim(job, period, now)
    if run is None:
        return None
    run_id = run.id
    began = time.monotonic()
    try:
        result = job.run(now)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - the run is recorded as failed, the worker goes on
        db.session.rollback()
        status, text = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        logger.exception("job %s period %s failed", job.name, period)
    else:
        status, text = "ok", ("" if result is None else str(result))[:2000]
    run = db.session.get(JobRun, run_id)
    run.status = status
    run.result = text
    run.finished_at = clock()
    db.session.commit()
    logger.log(
        logging.INFO if status == "ok" else logging.WARNING,
        "job %s period %s %s in %.2fs: %s",
        job.name,
        period,
        status,
        time.monotonic() - began,
        text or "-",
    )
    _observe(job.name, status, time.monotonic() - began)
    return run


def run_due(now: datetime | None = None) -> list[JobRun]:
    """Run every registered periodic job whose current period is not done yet."""
    now = now or clock()
    runs = []
    for job in periodic_jobs():
        run = run_periodic(job, now)
        if run is not None:
            runs.append(run)
    return runs


def last_runs() -> dict[str, JobRun]:
    """The newest run of each job (any status)."""
    newest = (
        sa.select(JobRun.job, sa.func.max(JobRun.started_at).label("started_at"))
        .group_by(JobRun.job)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(JobRun).join(
            newest, sa.and_(JobRun.job == newest.c.job, JobRun.started_at == newest.c.started_at)
        )
    )
    return {run.job: run for run in rows}


def last_successes() -> dict[str, datetime]:
    """When each job last finished well."""
    rows = db.session.execute(
        sa.select(JobRun.job, sa.func.max(JobRun.finished_at))
        .where(JobRun.status == "ok")
        .group_by(JobRun.job)
    )
    return {job: finished for job, finished in rows}


def overdue_jobs(now: datetime | None = None) -> dict[str, str]:
    """{job name: reason} for every periodic job that has not run well in time.

    A job that never ran is overdue when no worker has ever run a job (none is running),
    or when the first run of any job is older than the job's allowance."""
    now = now or utcnow()
    successes = last_successes()
    first_ever = db.session.scalar(sa.select(sa.func.min(JobRun.started_at)))
    overdue = {}
    for job in periodic_jobs():
        last = successes.get(job.name)
        if last is None:
            if first_ever is None:
                overdue[job.name] = "no job worker has run yet"
            elif first_ever < now - job.overdue_after:
                overdue[job.name] = "never succeeded"
        elif last < now - job.overdue_after:
            overdue[job.name] = f"last success {last.isoformat(timespec='seconds')}"
    return overdue


def prune(now: datetime, keep: timedelta = timedelta(days=30)) -> str:
    """Forget job runs and security event counts older than `keep` (the minutely mail job
    alone writes 1440 runs a day)."""
    runs = db.session.execute(
        sa.delete(JobRun)
        .where(JobRun.started_at < now - keep, JobRun.status != "running")
        .execution_options(synchronize_session=False)
    ).rowcount
    counts = db.session.execute(
        sa.delete(SecurityEventCount)
        .where(SecurityEventCount.hour < now - keep)
        .execution_options(synchronize_session=False)
    ).rowcount
    return f"{runs or 0} job runs and {counts or 0} hourly security counts deleted"


def refresh_statistics(now: datetime | None = None) -> str:
    """The query planner's statistics, brought up to date: SQLite keeps none until ANALYZE
    runs, and without them it picks indexes by their shape alone (a facet count for one
    year read every record through the kind index). PostgreSQL's autovacuum does this too;
    once a day more is harmless. SQLite reads a sample of each index (analysis_limit), so
    this takes a second or two even at a hundred thousand records."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    connection.exec_driver_sql("ANALYZE")
    db.session.commit()
    return "planner statistics refreshed"


# -- core's own jobs -----------------------------------------------------------------------


def _deliver_outbox(now: datetime) -> str:
    sent = deliver_due(limit=500)
    return f"{sent} messages sent"


def _deliver_ids(ids: list[int]) -> int:
    return deliver_due(ids=ids)


def _hand_to_worker(ids: list[int]) -> None:
    enqueue("mail-deliver", ids=ids)


def init_app(app: Flask) -> None:
    """Register core's periodic jobs: the outbox's retries and the job-run log's pruning."""
    register_periodic(
        app,
        PeriodicJob(
            "mail-outbox",
            _deliver_outbox,
            MINUTE,
            "Send queued mail that is due (retries with back-off, or all mail when "
            "MAIL_DELIVERY=worker).",
            grace=timedelta(minutes=10),
        ),
    )
    register_background(
        app, BackgroundJob("mail-deliver", _deliver_ids, "Send these just-committed messages.")
    )
    outbox.set_handoff(_hand_to_worker)
    register_periodic(
        app,
        PeriodicJob(
            "ops-prune",
            prune,
            DAILY,
            "Forget job runs and hourly security event counts older than 30 days.",
        ),
    )
    register_periodic(
        app,
        PeriodicJob(
            "db-statistics",
            refresh_statistics,
            DAILY,
            "Refresh the database's query planner statistics (ANALYZE), so pages built "
            "from the database use the right indexes as the data grows.",
        ),
    )


# -- metrics hook (set by the admin blueprint; core imports no blueprint) -------------------

_observers: list[Callable[[str, str, float], None]] = []


def on_run(observer: Callable[[str, str, float], None]) -> None:
    """Call observer(job name, status, seconds) after each run (metrics)."""
    if observer not in _observers:
        _observers.append(observer)


def _observe(name: str, status: str, seconds: float) -> None:
    for observer in _observers:
        try:
            observer(name, status, seconds)
        except Exception:  # noqa: BLE001 - metrics never break a job
            logger.exception("job observer failed")


# -- Huey ---------------------------------------------------------------------------------------


def huey_for(app: Flask):
    """The app's Huey, built on first use (after every blueprint registered its jobs)."""
    store = _store(app)
    if "huey" not in store:
        store["huey"] = _build_huey(app)
    return store["huey"]


def _build_huey(app: Flask):
    from huey import RedisHuey, SqliteHuey, crontab  # only apps that schedule work load Huey

    name = app.config.get("JOBS_QUEUE_NAME", "interacta")
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    url = app.config.get("JOBS_REDIS_URL")
    if url:
        huey = RedisHuey(name, url=url, immediate=immediate, utc=True)
    else:
        path = app.config.get("JOBS_SQLITE_PATH") or str(Path(app.instance_path) / "jobs.db")
        huey = SqliteHuey(name, filename=path, immediate=immediate, utc=True)

    def in_app(fn):
        def wrapped(*args, **kwargs):
            if has_app_context() and current_app._get_current_object() is app:
                return fn(*args, **kwargs)
            with app.app_context():
                try:
                    return fn(*args, **kwargs)
                finally:
                    db.session.remove()

        return wrapped

    @huey.periodic_task(crontab(minute="*"), name="interacta.tick")
    @in_app
    def tick():
        """Each minute: run every periodic job whose period is not done."""
        return [run.job for run in run_due()]

    @huey.task(name="interacta.background")
    @in_app
    def background(name: str, kwargs: dict):
        job = _store(app)["background"][name]
        return job.run(**kwargs)

    store = _store(app)
    store["tick"] = tick
    store["background_task"] = background
    return huey


def enqueue(name: str, **kwargs) -> None:
    """Hand the registered background job `name` to the worker (or run it now when
    JOBS_IMMEDIATE is set). Call it after the commit that makes its input visible."""
    app = current_app._get_current_object()
    if name not in _store(app)["background"]:
        raise KeyError(f"no background job named {name!r}")
    huey_for(app)
    _store(app)["background_task"](name, kwargs)


def run_worker(app: Flask, workers: int = 2) -> None:
    """Run Huey's consumer: the scheduler (periodic jobs) and `workers` threads."""
    from huey.consumer import Consumer  # the worker process alone needs the consumer

    huey = huey_for(app)
    consumer = Consumer(huey, workers=workers, worker_type="thread", periodic=True)
    consumer.run()
