"""No overbooking under concurrent registrations from separate connections (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login.utils import _create_identifier

from interacta.core.models import OutboxMessage, utcnow
from interacta.events import registrations
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

pytestmark = pytest.mark.postgres_only

THREADS = 50
SEATS = 10


def test_fifty_concurrent_registrations_fill_ten_seats_and_queue_the_rest_in_order(pg_app):
    with pg_app.app_context():
        organizer = Member(email="org@example.org", name="Org", role="organizer",
                           email_verified_at=utcnow())  # fmt: skip
        members = [
            Member(email=f"m{i}@example.org", name=f"M{i}", email_verified_at=utcnow())
            for i in range(THREADS)
        ]
        db.session.add_all([organizer, *members])
        db.session.flush()
        start = utcnow() + timedelta(days=10)
        event = Event(slug="race", title="Race", kind="workshop", starts_at=start,
                      ends_at=start + timedelta(hours=2), timezone="Europe/Brussels",
                      venue_name="Hall", capacity=SEATS, status="published",
                      organizer_id=organizer.id)  # fmt: skip
        db.session.add(event)
        db.session.commit()
        event_id, member_ids = event.id, [m.id for m in members]
        db.session.remove()

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register(member_id: int) -> None:
        try:
            with pg_app.app_context():
                member = db.session.get(Member, member_id)
                barrier.wait(timeout=30)
                registrations.register_member(event_id, member)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(mid,)) for mid in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []

    with pg_app.app_context():
        rows = list(
            db.session.scalars(sa.select(Registration).where(Registration.event_id == event_id))
        )
        confirmed = [r for r in rows if r.status == "confirmed"]
        waiting = sorted(
            (r for r in rows if r.status == "waiting"), key=lambda r: (r.waiting_since, r.id)
        )
        assert len(rows) == THREADS
        assert len(confirmed) == SEATS
        assert len(waiting) == THREADS - SEATS
        assert [registrations.waiting_position(r) for r in waiting] == list(
            range(1, THREADS - SEATS + 1)
        )
        # Everyone confirmed registered before anyone who waits.
        assert max(r.confirmed_at for r in confirmed) <= min(r.waiting_since for r in waiting)
        # Each was told, in one mail rendered after the lock, what was decided: a seat, or
        # their number on the waiting list.
        mails = {
            m.to_addr: m
            for m in db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.to_addr.like("m%@example.org"))
            )
        }
        assert len(mails) == THREADS and {m.status for m in mails.values()} == {"queued"}
        for r in confirmed:
            assert mails[r.email].template == "events/mail/confirmed"
            assert "/events/checkin/" in mails[r.email].text_body
        for position, r in enumerate(waiting, start=1):
            assert mails[r.email].template == "events/mail/waiting"
            assert f"you are number {position}." in mails[r.email].text_body
        db.session.remove()


def test_a_double_click_creates_one_registration(pg_app):
    """Two simultaneous posts by the same member: one registration, no error page."""
    with pg_app.app_context():
        organizer = Member(email="org2@example.org", name="Org", role="organizer",
                           email_verified_at=utcnow())  # fmt: skip
        member = Member(email="double@example.org", name="Double", email_verified_at=utcnow())
        db.session.add_all([organizer, member])
        db.session.flush()
        start = utcnow() + timedelta(days=10)
        event = Event(slug="double-click", title="Double", kind="seminar", starts_at=start,
                      ends_at=start + timedelta(hours=2), timezone="Europe/Brussels",
                      venue_name="Hall", capacity=5, status="published",
                      organizer_id=organizer.id)  # fmt: skip
        db.session.add(event)
        db.session.commit()
        member_id = member.id
        db.session.remove()

    clients = [pg_app.test_client() for _ in range(2)]
    with pg_app.app_context():
        member = db.session.get(Member, member_id)
        for client in clients:
            with pg_app.test_request_context(environ_base=client.environ_base):
                identifier = _create_identifier()
            with client.session_transaction() as sess:
                sess["_user_id"] = member.get_id()
                sess["_fresh"] = True
                sess["_id"] = identifier
        db.session.remove()
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def post(client) -> None:
        barrier.wait(timeout=30)
        statuses.append(client.post("/events/double-click/register").status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(statuses) == 2 and all(code < 500 for code in statuses), statuses
    with pg_app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.member_id == member_id)
        )
        assert count == 1
        db.session.remove()
