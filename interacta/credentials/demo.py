"""Demo data: the latest finished course issues certificates of completion (one revoked)."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.credentials import services
from interacta.credentials.models import Certificate
from interacta.events import attendance, registrations
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

logger = logging.getLogger(__name__)

PARTICIPANTS = [
    ("Amra Hodžić", 10),
    ("Lukas Brandt", 9),
    ("Claire Moreau", 8),
    ("Nika Kovač", 6),
    ("Pieter de Vries", 10),
]


def seed() -> None:
    now = utcnow()
    course = db.session.scalar(
        sa.select(Event)
        .where(Event.kind == "course", Event.status == "published", Event.ends_at < now)
        .order_by(Event.ends_at.desc())
        .limit(1)
    )
    if course is None or not attendance.sessions_of(course):
        logger.info("demo: no finished course with an agenda; no certificates")
        return
    if db.session.scalar(sa.select(Certificate.id).where(Certificate.event_id == course.id)):
        return  # seeded already
    people = list(PARTICIPANTS)
    member = db.session.scalar(sa.select(Member).where(Member.email == "member@interacta.example"))
    added = []
    for i, (name, sessions) in enumerate(people):
        registration = Registration(
            event_id=course.id,
            name=name,
            email=f"{name.split()[0].lower()}.course{i}@example.org",
            active_key=f"{name.split()[0].lower()}.course{i}@example.org",
            affiliation="Demo organisation",
            token=registrations.new_token(),
            status="confirmed",
            confirmed_at=course.starts_at,
        )
        db.session.add(registration)
        added.append((registration, sessions))
    if member is not None:
        registration = Registration(
            event_id=course.id, member_id=member.id, name=member.name, email=member.email,
            active_key=member.email, token=registrations.new_token(), status="confirmed",
            confirmed_at=course.starts_at,
        )  # fmt: skip
        db.session.add(registration)
        added.append((registration, 9))
    db.session.flush()
    sessions = attendance.sessions_of(course)
    for registration, count in added:
        for session in sessions[:count]:
            attendance.mark(course, registration.id, session, True)
    services.save_settings(course, True, "completion", services.DEFAULT_MIN_PERCENT)
    issued = services.issue_for_event(course, now)
    revoked = next(c for c in issued if c.holder_name == "Lukas Brandt")
    services.revoke(course, revoked.id, "Attendance list corrected after the course.", None)
    logger.info("demo: %d certificates for %s, one revoked", len(issued), course.title)
