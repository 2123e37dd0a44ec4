"""Demo of civil-military participation: a balanced symposium (civilian 12, military 12,
open 6) under the Chatham House Rule whose opening keynote is on the record."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import balance, registrations, room, services
from interacta.events.demo import _organizer
from interacta.events.models import AgendaSession, Event
from interacta.extensions import db

logger = logging.getLogger(__name__)

SLUG = "civil-military-symposium-demo"
ZONE = "Europe/Ljubljana"


def seed() -> None:
    """One published symposium in five weeks' time; skips if it exists."""
    if db.session.scalar(sa.select(Event.id).where(Event.slug == SLUG)) is not None:
        return
    organizer = _organizer()
    day = (utcnow() + timedelta(days=35)).date()
    start = services.local_to_utc(datetime.combine(day, time(9, 0)), ZONE)
    end = services.local_to_utc(datetime.combine(day + timedelta(days=1), time(17, 0)), ZONE)
    event = services.create_event(
        organizer,
        slug=SLUG,
        title="Civil-military symposium: protecting civilians in urban operations",
        summary="Officers, humanitarians and officials in equal numbers, under the Chatham"
        " House Rule.",
        description="Two days of candid exchange between military staff, humanitarian"
        " organisations, government officials and researchers. The opening keynote is on the"
        " record; every other session runs under the Chatham House Rule.",
        kind="symposium",
        starts_at=start,
        ends_at=end,
        timezone=ZONE,
        format="in_person",
        venue_name="Brdo Congress Centre",
        venue_address="Predoslje 39, Kranj",
        online_url=None,
        capacity=30,
        registration_opens_at=None,
        registration_closes_at=start - timedelta(days=2),
        audience="all",
        recording_url=None,
        room_rule=room.CHATHAM_HOUSE,
        participant_list="public",
    )
    agenda = [
        (0, 9, 30, 10, 30, "Opening keynote", room.ON_RECORD),
        (0, 11, 0, 12, 30, "Lessons from urban operations", None),
        (0, 14, 0, 16, 0, "Working groups: humanitarian access", None),
        (1, 9, 30, 11, 0, "Scenario exercise", room.OFF_RECORD),
        (1, 11, 30, 13, 0, "Plenary and conclusions", None),
    ]
    for offset, h1, m1, h2, m2, title, rule in agenda:
        local = day + timedelta(days=offset)
        event.sessions.append(
            AgendaSession(
                title=title,
                starts_at=services.local_to_utc(datetime.combine(local, time(h1, m1)), ZONE),
                ends_at=services.local_to_utc(datetime.combine(local, time(h2, m2)), ZONE),
                room_rule=rule,
            )
        )
    services.publish(event)
    db.session.flush()
    registrations.set_reservations(
        event.id,
        [
            balance.GroupInput(
                "civilian", ["civil_society", "international_organisation", "government"], 12
            ),
            balance.GroupInput("military", ["military"], 12),
        ],
        start - timedelta(days=7),
    )
    logger.info("seeded the civil-military symposium")
