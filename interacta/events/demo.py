"""Demo data: a year of varied events, past and upcoming, with agendas."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from interacta.core.models import Topic, utcnow
from interacta.events import registrations, services
from interacta.events.models import FORMATS, KINDS, AgendaSession, Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

logger = logging.getLogger(__name__)

ORGANIZER_EMAIL = "organizer@interacta.example"

TITLES = {
    "seminar": [
        "Humanitarian principles in joint operations",
        "Civil-military coordination in flood response",
        "Protecting cultural heritage in armed conflict",
        "Religious leaders as partners in peacebuilding",
    ],
    "workshop": [
        "Mapping critical infrastructure dependencies",
        "Table-top exercise: evacuation of civilians",
        "Writing a joint needs assessment",
        "Negotiating humanitarian access",
    ],
    "symposium": [
        "Non-lethal capabilities and the protection of civilians",
        "Good governance after conflict",
        "Medical stability operations: lessons learned",
    ],
    "conference": [
        "Annual conference on civil-military interaction",
        "Rule of law in fragile states",
        "Disaster risk reduction in a changing climate",
    ],
    "course": [
        "Certificate course: CIMIC foundations",
        "University course: civil and homeland security",
        "Course: reducing civilian casualties",
    ],
}
PLACES = [
    ("Europe/Brussels", "Egmont Palace", "Place du Petit Sablon 8, 1000 Brussels"),
    ("Europe/Ljubljana", "Cankarjev dom", "Prešernova cesta 10, 1000 Ljubljana"),
    ("Europe/Vienna", "Diplomatic Academy", "Favoritenstraße 15a, 1040 Vienna"),
    ("Europe/Lisbon", "Fundação Calouste Gulbenkian", "Av. de Berna 45A, 1067-001 Lisbon"),
    ("America/New_York", "International Peace Institute", "777 United Nations Plaza, New York"),
    ("Africa/Nairobi", "UN Office at Nairobi", "United Nations Avenue, Gigiri, Nairobi"),
]
DESCRIPTION = """\
Practitioners and researchers from **civil society, international organisations,
governments and the armed forces** meet to compare how they work in the same crises.

What you take home:

- a shared vocabulary for *civil-military interaction*;
- cases from recent operations, discussed by those who were there;
- contacts across sectors.

Read more about the network on the [about page](/about).
"""


def _organizer() -> Member:
    member = db.session.scalar(sa.select(Member).where(Member.email == ORGANIZER_EMAIL))
    if member is None:
        member = Member(
            email=ORGANIZER_EMAIL, name="Demo Organizer", role="organizer",
            email_verified_at=utcnow(),
        )  # fmt: skip
        db.session.add(member)
        db.session.flush()
    return member


def seed() -> None:
    """A year of events, six months back and six ahead; skips if the demo already exists."""
    organizer = _organizer()
    exists = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.organizer_id == organizer.id)
    )
    if exists:
        return
    rng = random.Random(2026)  # the same demo every time
    topics = list(db.session.scalars(sa.select(Topic).order_by(Topic.position)))
    kinds, formats = list(KINDS), list(FORMATS)
    today = utcnow().date()
    start_day = today - timedelta(days=180)
    for n in range(30):
        kind = kinds[n % len(kinds)]
        fmt = formats[(n // len(kinds)) % len(formats)]
        zone, venue, address = PLACES[n % len(PLACES)]
        day = start_day + timedelta(days=12 * n + rng.randint(0, 5))
        _make(organizer, n, kind, fmt, zone, venue, address, day, rng, topics)
    db.session.flush()
    _registrations(rng)
    logger.info("seeded demo events")


GUESTS = [
    "Amira Haddad", "Jonas Berg", "Lucía Fernández", "Tomasz Nowak", "Chen Wei",
    "Fatou Diallo", "Marta Kovač", "Oliver Smith", "Ines Duarte", "Pieter de Vries",
]  # fmt: skip


def _add(event: Event, name: str, email: str, member_id: int | None = None) -> None:
    """A confirmed registration, or a waiting one when full (no mail: it is demo data)."""
    confirmed = registrations.confirmed_count(event.id)
    full = event.capacity is not None and confirmed >= event.capacity
    now = utcnow()
    db.session.add(
        Registration(
            event_id=event.id, member_id=member_id, email=email, active_key=email, name=name,
            affiliation="Demo organisation", token=registrations.new_token(),
            status="waiting" if full else "confirmed",
            confirmed_at=None if full else now, waiting_since=now if full else None,
        )
    )  # fmt: skip
    db.session.flush()


def _registrations(rng) -> None:
    """Guests (example.org addresses) on upcoming events, one of them full with a waiting
    list; the demo member, if the members seeder made one, registered for two events."""
    now = utcnow()
    upcoming = list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.status == "published", Event.starts_at > now, Event.audience == "all")
            .order_by(Event.starts_at)
        )
    )
    full = next((e for e in upcoming if e.capacity is not None and e.capacity <= 25), None)
    chosen = upcoming[:6] + ([full] if full and full not in upcoming[:6] else [])
    for event in chosen:
        count = event.capacity + 2 if event is full else rng.randint(2, 6)
        for i in range(count):
            name = GUESTS[i % len(GUESTS)]
            _add(event, name, f"{name.split()[0].lower()}.{i}@example.org")
    member = db.session.scalar(sa.select(Member).where(Member.email == "member@interacta.example"))
    if member is not None:
        for event in upcoming[1:3]:
            _add(event, member.name, member.email, member.id)


def _make(organizer, n, kind, fmt, zone, venue, address, day: date, rng, topics) -> Event:
    days = {"seminar": 1, "workshop": 1, "symposium": 2, "conference": 3, "course": 2}[kind]
    start = services.local_to_utc(datetime.combine(day, time(9, 30)), zone)
    end = services.local_to_utc(datetime.combine(day + timedelta(days=days - 1), time(17)), zone)
    title = TITLES[kind][n % len(TITLES[kind])]
    values = dict(
        title=title,
        summary=f"A {kind} for practitioners and researchers: {title.lower()}.",
        description=DESCRIPTION,
        kind=kind,
        starts_at=start,
        ends_at=end,
        timezone=zone,
        format=fmt,
        venue_name=venue if fmt != "online" else None,
        venue_address=address if fmt != "online" else None,
        online_url=f"https://meet.interacta.example/room-{n}" if fmt != "in_person" else None,
        capacity=rng.choice([None, 12, 25, 40, 120]),
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(hours=12),
        audience="members" if n % 7 == 3 else "all",
        recording_url=f"https://video.interacta.example/{n}" if fmt != "in_person" else None,
    )
    event = services.create_event(organizer, topics=rng.sample(topics, 2), **values)
    for d in range(days):
        local_day = day + timedelta(days=d)
        for slot, (h1, m1, h2, m2, label) in enumerate(
            [
                (9, 30, 10, 0, "Welcome and introductions"),
                (10, 0, 11, 30, "Keynote"),
                (11, 45, 13, 0, "Panel discussion"),
                (14, 0, 15, 30, "Working groups"),
                (15, 45, 17, 0, "Plenary and conclusions"),
            ]
        ):
            event.sessions.append(
                AgendaSession(
                    title=label if d == 0 or slot else f"Day {d + 1}: opening",
                    starts_at=services.local_to_utc(
                        datetime.combine(local_day, time(h1, m1)), zone
                    ),
                    ends_at=services.local_to_utc(datetime.combine(local_day, time(h2, m2)), zone),
                    speakers=rng.choice(["A. Novak", "M. Dubois, K. Schmidt", "S. Okoye", ""]),
                    room=rng.choice(["Main hall", "Room 2", "Library", ""]),
                )
            )
    services.publish(event)
    if n == 9:
        services.cancel(event, "The venue is unavailable; we will announce a new date soon.")
    return event
