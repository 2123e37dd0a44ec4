"""Sector balance under concurrent registration on PostgreSQL: 100 registrants across
groups at once, no group overbooked, totals exact."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import balance, registrations
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

pytestmark = pytest.mark.postgres_only

SECTORS = ["civil_society", "government", "military", "academia"]


def test_a_hundred_registrants_across_groups_never_overbook_a_group(pg_app):
    with pg_app.app_context():
        organizer = Member(email="org-bal@example.org", name="Org", role="organizer",
                           email_verified_at=utcnow())  # fmt: skip
        db.session.add(organizer)
        db.session.flush()
        start = utcnow() + timedelta(days=10)
        event = Event(slug="balanced-race", title="Balanced", kind="symposium",
                      starts_at=start, ends_at=start + timedelta(hours=8),
                      timezone="Europe/Brussels", venue_name="Hall", capacity=30,
                      status="published", organizer_id=organizer.id)  # fmt: skip
        members = [
            Member(
                email=f"m{i}@example.org",
                name=f"M{i}",
                sector=SECTORS[i % 4],
                email_verified_at=utcnow(),
            )  # fmt: skip
            for i in range(100)
        ]
        db.session.add_all([event, *members])
        db.session.commit()
        registrations.set_reservations(
            event.id,
            [
                balance.GroupInput("civilian", ["civil_society", "government"], 12),
                balance.GroupInput("military", ["military"], 12),
            ],
            None,
        )
        event_id, member_ids = event.id, [m.id for m in members]
        db.session.remove()

    barrier = threading.Barrier(len(member_ids))
    errors: list[BaseException] = []

    def register(member_id):
        try:
            with pg_app.app_context():
                try:
                    member = db.session.get(Member, member_id)
                    # Hand the connection back before the barrier: 100 threads would
                    # otherwise hold more connections than the pool has.
                    db.session.expunge(member)
                    db.session.close()
                    barrier.wait(timeout=60)
                    registrations.register_member(event_id, member)
                    db.session.commit()
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []

    with pg_app.app_context():
        rows = db.session.execute(
            sa.select(Registration.sector, Registration.status).where(
                Registration.event_id == event_id
            )
        ).all()
        db.session.remove()
    assert len(rows) == 100
    confirmed = Counter(sector for sector, status in rows if status == "confirmed")
    waiting = Counter(sector for sector, status in rows if status == "waiting")
    # 25 military registrants for 12 military seats: none in the open seats, which only
    # the academics (in no group) and the overflow of the other groups can take.
    total = sum(confirmed.values())
    assert total == 30
    assert confirmed["military"] <= 12 + 6
    assert confirmed["civil_society"] + confirmed["government"] <= 12 + 6
    # Every group reached its reserved seats (each had more registrants than seats).
    assert confirmed["military"] >= 12
    assert confirmed["civil_society"] + confirmed["government"] >= 12
    # The open seats were shared: reserved plus open equals the capacity exactly.
    overflow = (
        max(0, confirmed["military"] - 12)
        + max(0, confirmed["civil_society"] + confirmed["government"] - 12)
        + confirmed["academia"]
    )
    assert overflow == 6
    assert sum(waiting.values()) == 70
