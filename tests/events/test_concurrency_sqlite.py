"""On SQLite, concurrent registrations from separate connections never overbook either."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import registrations
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

THREADS = 12
SEATS = 4


def test_concurrent_registrations_on_sqlite_fill_the_seats_exactly(make_app):
    app = make_app()
    with app.app_context():
        members = [
            Member(email=f"s{i}@example.org", name=f"S{i}", email_verified_at=utcnow())
            for i in range(THREADS)
        ]
        db.session.add_all(members)
        start = utcnow() + timedelta(days=3)
        event = Event(slug="sqlite-race", title="Race", kind="seminar", starts_at=start,
                      ends_at=start + timedelta(hours=1), venue_name="Hall", capacity=SEATS,
                      status="published")  # fmt: skip
        db.session.add(event)
        db.session.commit()
        event_id, ids = event.id, [m.id for m in members]
        db.session.remove()

    barrier = threading.Barrier(THREADS)
    errors = []

    def register(member_id):
        try:
            with app.app_context():
                member = db.session.get(Member, member_id)
                barrier.wait(timeout=30)
                registrations.register_member(event_id, member)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with app.app_context():
        found = list(db.session.scalars(sa.select(Registration.status)))
        db.session.remove()
    assert found.count("confirmed") == SEATS
    assert found.count("waiting") == THREADS - SEATS
