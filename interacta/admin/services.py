"""The operator console's figures, the outbox search, and the readiness checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from interacta.consent.models import ConsentLogEntry
from interacta.core import jobs
from interacta.core.errors import NotFound
from interacta.core.mail import requeue, requeue_failed
from interacta.core.models import (
    JobRun,
    OutboxEvent,
    OutboxMessage,
    SecurityEventCount,
    utcnow,
)
from interacta.core.timezones import format_local
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

#: Messages not delivered yet ("render": written, its text not rendered yet).
WAITING = ("render", "queued", "sending")
CONSENT_CATEGORIES = ("performance", "functionality", "targeting")
#: Security events counted in the console's "last 24 hours" figures.
SIGNIN_FAILURES = ("signin_failed", "reauth_failed")
RATE_LIMITED = ("rate_limited",)

#: What the operator reads for a status of a message, of its history or of a job run
#: (the stored values stay English).
STATUS_LABELS = {
    "render": _l("to be rendered"),
    "queued": _l("queued"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "retry": _l("retry"),
    "resent": _l("resent"),
    "ok": _l("ok"),
    "running": _l("running"),
}
#: The console's words for the kinds of cookie choice and the optional categories.
CONSENT_ACTION_LABELS = {
    "accept_all": _l("accept all"),
    "reject_all": _l("reject all"),
    "custom": _l("custom"),
    "withdraw": _l("withdraw"),
    "gpc": _l("Global Privacy Control"),
    "signin_merge": _l("merged at sign-in"),
    "allow": _l("allow"),
}
CONSENT_CATEGORY_LABELS = {
    "performance": _l("performance"),
    "functionality": _l("functionality"),
    "targeting": _l("targeting"),
}
#: The periodic jobs' descriptions in the operator's language (a job not listed here shows
#: the English description it was registered with).
JOB_DESCRIPTIONS = {
    "consent-log-purge": _l(
        "Delete anonymous consent log entries after ANONYMOUS_CONSENT_RETENTION_DAYS."
    ),
    "db-statistics": _l(
        "Refresh the database's query planner statistics (ANALYZE), so pages built from "
        "the database use the right indexes as the data grows."
    ),
    "event-reminders": _l(
        "Mail confirmed participants of events starting within a day (once each)."
    ),
    "guest-data-purge": _l(
        "Erase guests' personal data GUEST_DATA_RETENTION_DAYS after their event."
    ),
    "mail-outbox": _l(
        "Send queued mail that is due (retries with back-off, or all mail when "
        "MAIL_DELIVERY=worker)."
    ),
    "ops-prune": _l("Forget job runs and hourly security event counts older than 30 days."),
}


def status_label(status: str | None) -> str:
    """A stored status in the operator's language (an unknown one as it is)."""
    return str(STATUS_LABELS.get(status, status or ""))


def overdue_reason(reason: str, last_success: datetime | None) -> str:
    """Why a job is overdue (core says it in English for logs and /readyz)."""
    if reason == "no job worker has run yet":
        return _("no job worker has run yet")
    if reason == "never succeeded":
        return _("never succeeded")
    if last_success is not None:
        return _("last success %(when)s", when=format_local(last_success, "UTC", "shortdatetime"))
    return reason


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Bar:
    """One bar of a chart (the shape members/_charts.html's bar_chart reads)."""

    label: str
    shown: float
    text: str
    is_small: bool = False


@dataclass
class JobStatus:
    name: str
    description: str
    every: timedelta
    last: JobRun | None
    last_success: datetime | None
    overdue: str | None


@dataclass
class Dashboard:
    now: datetime
    members: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    fullest: list[Bar] = field(default_factory=list)
    mail: dict = field(default_factory=dict)
    failure_reasons: list[tuple[str, int]] = field(default_factory=list)
    jobs: list[JobStatus] = field(default_factory=list)
    consent_kinds: list[Bar] = field(default_factory=list)
    consent_share: list[Bar] = field(default_factory=list)
    consent_total: int = 0
    security: dict = field(default_factory=dict)


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def dashboard(now: datetime | None = None) -> Dashboard:
    """Every figure of the console, each read from the database (a fixed number of queries)."""
    now = now or utcnow()
    board = Dashboard(now=now)
    month = month_start(now)
    accounts = Member.email.is_not(None)  # erased accounts keep a row without an address
    board.members = {
        "total": _count(Member, accounts),
        "joined_this_month": _count(Member, accounts, Member.created_at >= month),
        "unverified_old": _count(
            Member,
            accounts,
            Member.email_verified_at.is_(None),
            Member.created_at < now - timedelta(days=7),
        ),
    }
    board.events = {
        "upcoming": _count(Event, Event.status == "published", Event.starts_at > now),
        "registrations_week": _count(
            Registration, Registration.created_at >= now - timedelta(days=7)
        ),
    }
    board.fullest = fullest_events(now)
    board.mail = mail_figures(now)
    board.failure_reasons = failure_reasons()
    board.jobs = job_statuses(now)
    _consent(board, month)
    board.security = security_figures(now)
    return board


def fullest_events(now: datetime, limit: int = 5) -> list[Bar]:
    """Upcoming events with a capacity, by the share of seats taken."""
    confirmed = sa.func.count(Registration.id)
    rows = db.session.execute(
        sa.select(Event.title, Event.capacity, confirmed)
        .join(
            Registration,
            sa.and_(Registration.event_id == Event.id, Registration.status == "confirmed"),
            isouter=True,
        )
        .where(Event.status == "published", Event.starts_at > now, Event.capacity.is_not(None))
        .group_by(Event.id, Event.title, Event.capacity)
        .order_by((confirmed * 1.0 / Event.capacity).desc(), Event.starts_at)
        .limit(limit)
    ).all()
    return [
        Bar(
            title,
            round(100 * taken / capacity),
            ngettext(
                "%(taken)s of %(num)s seat",
                "%(taken)s of %(num)s seats",
                capacity,
                taken=taken,
            ),
        )
        for title, capacity, taken in rows
        if taken
    ]


def mail_figures(now: datetime) -> dict:
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING))
    )
    return {
        "queued": sum(counts.get(s, 0) for s in WAITING),
        "failed": counts.get("failed", 0),
        "sent": counts.get("sent", 0),
        "oldest_waiting": oldest,
        "oldest_age": (now - oldest) if oldest else None,
        "last_delivery": db.session.scalar(sa.select(sa.func.max(OutboxMessage.sent_at))),
    }


def failure_reasons(limit: int = 5) -> list[tuple[str, int]]:
    """The errors of failed messages, most frequent first."""
    return [
        (reason or _("unknown"), n)
        for reason, n in db.session.execute(
            sa.select(OutboxMessage.last_error, sa.func.count())
            .where(OutboxMessage.status == "failed")
            .group_by(OutboxMessage.last_error)
            .order_by(sa.func.count().desc())
            .limit(limit)
        )
    ]


def job_statuses(now: datetime) -> list[JobStatus]:
    last = jobs.last_runs()
    successes = jobs.last_successes()
    overdue = jobs.overdue_jobs(now)
    return [
        JobStatus(
            job.name,
            str(JOB_DESCRIPTIONS.get(job.name, job.description)),
            job.every,
            last.get(job.name),
            successes.get(job.name),
            overdue_reason(overdue[job.name], successes.get(job.name))
            if job.name in overdue
            else None,
        )
        for job in jobs.periodic_jobs()
    ]


def _consent(board: Dashboard, month: datetime) -> None:
    this_month = ConsentLogEntry.recorded_at >= month
    kinds = db.session.execute(
        sa.select(ConsentLogEntry.action, sa.func.count())
        .where(this_month)
        .group_by(ConsentLogEntry.action)
        .order_by(sa.func.count().desc())
    ).all()
    total = sum(n for _action, n in kinds)
    board.consent_total = total
    board.consent_kinds = [
        Bar(str(CONSENT_ACTION_LABELS.get(action, action.replace("_", " "))), n, str(n))
        for action, n in kinds
    ]
    if not total:
        return
    accepted = db.session.execute(
        sa.select(
            *[
                sa.func.sum(sa.case((getattr(ConsentLogEntry, c).is_(True), 1), else_=0))
                for c in CONSENT_CATEGORIES
            ]
        ).where(this_month)
    ).one()
    shares = [round(100 * (n or 0) / total) for n in accepted]
    if any(shares):  # a chart of nothing but zeros says less than the sentence instead
        board.consent_share = [
            Bar(str(CONSENT_CATEGORY_LABELS[category]), share, f"{share} %")
            for category, share in zip(CONSENT_CATEGORIES, shares, strict=True)
        ]


def security_figures(now: datetime) -> dict:
    since = now - timedelta(hours=24)
    rows = dict(
        db.session.execute(
            sa.select(SecurityEventCount.event, sa.func.sum(SecurityEventCount.count))
            .where(SecurityEventCount.hour >= since.replace(minute=0, second=0, microsecond=0))
            .group_by(SecurityEventCount.event)
        ).all()
    )
    return {
        "signin_failures": sum(rows.get(e, 0) or 0 for e in SIGNIN_FAILURES),
        "rate_limited": sum(rows.get(e, 0) or 0 for e in RATE_LIMITED),
        "by_event": sorted(rows.items()),
    }


# -- the outbox ---------------------------------------------------------------------------------

STATUSES = ("render", "queued", "sending", "sent", "failed")


def search_outbox(q: str = "", status: str = ""):
    """The outbox newest first, filtered by address/subject text and status (a query)."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in STATUSES:
        query = query.where(OutboxMessage.status == status)
    q = (q or "").strip()
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                OutboxMessage.to_addr.ilike(like, escape="\\"),
                OutboxMessage.subject.ilike(like, escape="\\"),
                OutboxMessage.template.ilike(like, escape="\\"),
            )
        )
    return query


def message_history(message_id: int) -> tuple[OutboxMessage, list[OutboxEvent]]:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("There is no such message."))
    events = list(
        db.session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.message_id == message_id)
            .order_by(OutboxEvent.at, OutboxEvent.id)
        )
    )
    return message, events


def resend(message_id: int, operator) -> OutboxMessage:
    """Queue one message again (a failed one, or a sent one someone did not receive)."""
    message, _events = message_history(message_id)
    if message.status in WAITING:
        return message
    requeue(message, f"resent by operator {operator.id}")
    return message


def retry_failed(operator) -> int:
    return requeue_failed(f"retried by operator {operator.id}")


# -- readiness ----------------------------------------------------------------------------------


def readiness(now: datetime | None = None) -> tuple[bool, dict]:
    """(ready, details): database, Redis when configured, outbox, periodic jobs."""
    now = now or utcnow()
    checks: dict[str, str] = {}
    reasons: list[str] = []
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unreachable"
        return False, {"status": "error", "checks": checks, "reasons": ["database unreachable"]}
    for name, url in redis_urls().items():
        checks[name] = "ok" if _redis_ok(url) else "unreachable"
        if checks[name] != "ok":
            reasons.append(f"{name} unreachable")
    limit = timedelta(minutes=current_app.config["OUTBOX_MAX_AGE_MINUTES"])
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING))
    )
    if oldest is not None and oldest < now - limit:
        checks["outbox"] = "stuck"
        minutes = int((now - oldest).total_seconds() // 60)
        reasons.append(f"outbox: oldest queued message has waited {minutes} minutes")
    else:
        checks["outbox"] = "ok"
    overdue = jobs.overdue_jobs(now)
    checks["jobs"] = "overdue" if overdue else "ok"
    reasons.extend(f"job {name} overdue: {why}" for name, why in sorted(overdue.items()))
    ready = not reasons
    return ready, {"status": "ok" if ready else "error", "checks": checks, "reasons": reasons}


def redis_urls() -> dict[str, str]:
    config = current_app.config
    urls = {
        "rate_limit_redis": config.get("RATELIMIT_STORAGE_URI") or "",
        "cache_redis": config.get("CACHE_REDIS_URL") or "",
        "jobs_redis": config.get("JOBS_REDIS_URL") or "",
    }
    return {name: url for name, url in urls.items() if url.startswith(("redis://", "rediss://"))}


def _redis_ok(url: str) -> bool:
    import redis  # only deployments with Redis configured reach this

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False
