"""The periodic work of the blueprints that had a cron command, registered with the
core job registry (interacta.core.jobs): the same functions the CLI commands call.

A later blueprint registers its own jobs in its `init_app` the same way.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from interacta.consent.models import ConsentLogEntry
from interacta.consent.services import purge_anonymous
from interacta.core.jobs import DAILY, HOURLY, PeriodicJob, register_periodic
from interacta.core.mail import deliver_committed
from interacta.core.models import utcnow
from interacta.events import registrations
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member

logger = logging.getLogger(__name__)


def send_reminders(now: datetime) -> str:
    sent = registrations.send_reminders(now)
    db.session.commit()
    deliver_committed()
    return f"{sent} reminders sent"


def purge_guests(now: datetime) -> str:
    erased = registrations.purge_guests(now)
    db.session.commit()
    return f"{erased} guest registrations anonymised"


def purge_consent_log(now: datetime) -> str:
    days = current_app.config["ANONYMOUS_CONSENT_RETENTION_DAYS"]
    deleted = purge_anonymous(days, now=now)
    db.session.commit()
    return f"{deleted} anonymous consent log entries older than {days} days deleted"


def register(app: Flask) -> None:
    register_periodic(
        app,
        PeriodicJob(
            "event-reminders",
            send_reminders,
            HOURLY,
            "Mail confirmed participants of events starting within a day (once each).",
        ),
    )
    register_periodic(
        app,
        PeriodicJob(
            "guest-data-purge",
            purge_guests,
            DAILY,
            "Erase guests' personal data GUEST_DATA_RETENTION_DAYS after their event.",
        ),
    )
    register_periodic(
        app,
        PeriodicJob(
            "consent-log-purge",
            purge_consent_log,
            DAILY,
            "Delete anonymous consent log entries after ANONYMOUS_CONSENT_RETENTION_DAYS.",
        ),
    )


DEMO_BRIEFING = "Briefing: civil-military coordination update"


def seed_demo_reminder() -> None:
    """An event starting tomorrow with the demo member registered, so the worker that
    `make run` starts sends a real day-before reminder; skipped when one exists."""
    now = utcnow()
    soon = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Event)
        .where(
            Event.status == "published",
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=1),
        )
    )
    organizer = db.session.scalar(sa.select(Member).where(Member.role == "organizer").limit(1))
    member = db.session.scalar(sa.select(Member).where(Member.email == "member@interacta.example"))
    if soon or organizer is None or member is None:
        return
    starts = (now + timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    event = event_services.create_event(
        organizer,
        title=DEMO_BRIEFING,
        summary="A short online briefing for members of the network.",
        description="An hour of news from the network's working groups.",
        kind="seminar",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="Europe/Brussels",
        format="online",
        online_url="https://meet.interacta.example/briefing",
        capacity=None,
        registration_opens_at=None,
        registration_closes_at=None,
        audience="all",
    )
    event_services.publish(event)
    registrations.register_member(event.id, member)
    db.session.flush()


def seed_demo_consent() -> None:
    """This month's cookie choices of anonymous visitors, for the console's consent figures;
    skipped when the log holds any."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(ConsentLogEntry)):
        return
    rng = random.Random(2026)  # the same demo every time
    now = utcnow()
    for _ in range(40):
        action = rng.choice(["accept_all", "accept_all", "reject_all", "custom"])
        chosen = {
            "accept_all": (True, True, True),
            "reject_all": (False, False, False),
            "custom": (rng.random() < 0.6, rng.random() < 0.8, False),
        }[action]
        db.session.add(
            ConsentLogEntry(
                consent_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                subject_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                performance=chosen[0],
                functionality=chosen[1],
                targeting=chosen[2],
                action=action,
                policy_version=current_app.config["COOKIE_POLICY_VERSION"],
                policy_hash="demo",
                recorded_at=now - timedelta(hours=rng.randint(0, max(now.day - 1, 0) * 24)),
            )
        )
    db.session.flush()


def seed_demo() -> None:
    seed_demo_reminder()
    seed_demo_consent()
