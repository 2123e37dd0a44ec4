"""Seat decisions are taken from data read under the event lock, never before it
(issue 13, items 15-17): real concurrent connections on PostgreSQL, each race tried
several times with the timing shifted a little on each try."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage, utcnow
from interacta.events import registrations, services
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

pytestmark = pytest.mark.postgres_only

TRIES = 12
_seq = itertools.count(1)


def _event(capacity: int) -> Event:
    n = next(_seq)
    organizer = Member(email=f"org{n}@example.org", name="Org", role="organizer",
                       email_verified_at=utcnow())  # fmt: skip
    db.session.add(organizer)
    db.session.flush()
    start = utcnow() + timedelta(days=10)
    event = Event(slug=f"race-{n}", title="Race", kind="workshop", starts_at=start,
                  ends_at=start + timedelta(hours=2), timezone="Europe/Brussels",
                  venue_name="Hall", capacity=capacity, status="published",
                  organizer_id=organizer.id)  # fmt: skip
    db.session.add(event)
    db.session.flush()
    return event


def _registration(event: Event, status: str, minutes_ago: int = 0) -> Registration:
    n = next(_seq)
    email = f"r{n}@example.org"
    moment = utcnow() - timedelta(minutes=minutes_ago)
    registration = Registration(
        event_id=event.id, email=email, active_key=email, name=f"R{n}",
        token=registrations.new_token(), status=status,
        confirmed_at=moment if status == "confirmed" else None,
        waiting_since=moment if status == "waiting" else None,
    )  # fmt: skip
    db.session.add(registration)
    db.session.flush()
    return registration


def _race(app, *steps: Callable[[threading.Barrier], None]) -> list[BaseException]:
    """Run each step in its own thread and app context (its own connection)."""
    barrier = threading.Barrier(len(steps))
    errors: list[BaseException] = []

    def run(step):
        try:
            with app.app_context():
                try:
                    step(barrier)
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def _statuses(event_id: int) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(Registration.id, Registration.status).where(Registration.event_id == event_id)
    )
    return dict(rows.all())


def test_editing_the_capacity_while_someone_registers_never_leaves_more_confirmed_than_seats(
    pg_app,
):
    """Item 15: update_event counted the confirmed before the lock."""
    for attempt in range(TRIES):
        with pg_app.app_context():
            event = _event(capacity=10)
            for _ in range(9):
                _registration(event, "confirmed")
            member = Member(email=f"late{attempt}@example.org", name="Late",
                            email_verified_at=utcnow())  # fmt: skip
            db.session.add(member)
            db.session.commit()
            event_id, member_id = event.id, member.id
            db.session.remove()

        def edit(barrier, event_id=event_id, delay=attempt * 0.002):
            event = db.session.get(Event, event_id)
            barrier.wait(timeout=30)
            time.sleep(delay)  # lands somewhere inside the registration's transaction
            try:
                services.update_event(event, capacity=9)
                db.session.commit()
            except services.EventError:  # refused: the capacity would be below the confirmed count
                db.session.rollback()

        def register(barrier, event_id=event_id, member_id=member_id):
            member = db.session.get(Member, member_id)
            barrier.wait(timeout=30)
            registrations.register_member(event_id, member)
            db.session.commit()

        assert _race(pg_app, edit, register) == []
        with pg_app.app_context():
            capacity = db.session.get(Event, event_id).capacity
            confirmed = list(_statuses(event_id).values()).count("confirmed")
            db.session.remove()
        assert confirmed <= capacity, f"try {attempt}: {confirmed} confirmed, capacity {capacity}"


def test_the_same_confirmation_posted_twice_at_once_takes_the_last_seat_once(pg_app):
    """Item 16: confirm_guest read the registration's status before the lock."""
    for attempt in range(TRIES):
        with pg_app.app_context():
            event = _event(capacity=1)
            pending = _registration(event, "pending")
            db.session.commit()
            event_id, registration_id, email = event.id, pending.id, pending.email
            db.session.remove()

        def confirm(barrier, registration_id=registration_id):
            registration = db.session.get(Registration, registration_id)
            assert registration.status == "pending"
            barrier.wait(timeout=30)
            registrations.confirm_guest(registration)
            db.session.commit()

        assert _race(pg_app, confirm, confirm) == []
        with pg_app.app_context():
            status = _statuses(event_id)[registration_id]
            subjects = list(
                db.session.scalars(
                    sa.select(OutboxMessage.subject).where(OutboxMessage.to_addr == email)
                )
            )
            db.session.remove()
        assert status == "confirmed", f"try {attempt}: the guest is {status}"
        assert len(subjects) == 1 and subjects[0].startswith("You are registered"), subjects


def test_a_cancellation_and_a_leave_at_the_same_moment_give_the_seat_to_the_next(pg_app):
    """Item 17: cancel_registration took `was_confirmed` from a read before the lock."""
    for attempt in range(TRIES):
        with pg_app.app_context():
            event = _event(capacity=1)
            a = _registration(event, "confirmed", minutes_ago=30)
            b = _registration(event, "waiting", minutes_ago=20)
            c = _registration(event, "waiting", minutes_ago=10)
            db.session.commit()
            event_id, ids = event.id, (a.id, b.id, c.id)
            db.session.remove()

        def cancel(registration_id):
            def step(barrier):
                registration = db.session.get(Registration, registration_id)
                assert registration.status in ("confirmed", "waiting")
                barrier.wait(timeout=30)
                registrations.cancel_registration(registration)
                db.session.commit()

            return step

        assert _race(pg_app, cancel(ids[0]), cancel(ids[1])) == []
        with pg_app.app_context():
            statuses = _statuses(event_id)
            db.session.remove()
        assert [statuses[i] for i in ids] == ["cancelled", "cancelled", "confirmed"], (
            f"try {attempt}: {statuses}"
        )
