"""Two digest senders at once on one PostgreSQL (two job workers, or the job and
`flask digests send`) send each subscriber one digest per period."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member
from interacta.network import digests
from interacta.network.models import DigestSend

pytestmark = pytest.mark.postgres_only

#: Monday 08:05 in Honolulu.
MONDAY_0805_HONOLULU = datetime(2031, 3, 10, 18, 5, tzinfo=UTC)


def test_two_concurrent_senders_send_each_digest_once(pg_app, monkeypatch):
    with pg_app.app_context():
        organizer = Member(email="org@example.org", name="Org", role="organizer")
        db.session.add(organizer)
        db.session.flush()
        starts = datetime(2031, 5, 1, 9, tzinfo=UTC)
        db.session.add(
            Event(
                slug="negotiating-access", title="Negotiating access", kind="workshop",
                starts_at=starts, ends_at=starts + timedelta(hours=3), timezone="UTC",
                status="published", published_at=datetime(2031, 3, 1, tzinfo=UTC),
                organizer_id=organizer.id,
            )
        )  # fmt: skip
        for n in range(5):
            member = Member(
                email=f"reader{n}@example.org", name=f"Reader {n}", timezone="Pacific/Honolulu",
                email_verified_at=datetime(2030, 1, 1, tzinfo=UTC),
            )  # fmt: skip
            db.session.add(member)
            db.session.flush()
            digests.save_member_subscription(
                member,
                digests.Choices(frequency="weekly", event_kinds=["workshop"]),
                now=datetime(2031, 2, 1, tzinfo=UTC),
            )
        db.session.commit()

    # Both senders have read "not sent yet" and built the digest before either inserts
    # its row: only the unique (subscription, period) row can keep the second one out.
    real_build = digests.build_digest
    meet = {}
    lock = threading.Lock()

    def build_side_by_side(subscription, since, until):
        digest = real_build(subscription, since, until)
        with lock:
            both = meet.setdefault(subscription.id, threading.Barrier(2))
        both.wait(timeout=30)
        return digest

    monkeypatch.setattr(digests, "build_digest", build_side_by_side)
    barrier = threading.Barrier(2)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def sender():
        try:
            with pg_app.app_context():
                barrier.wait(timeout=30)
                results.append(digests.send_digests(MONDAY_0805_HONOLULU))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sum(sent for sent, _failed in results) == 5
    assert all(failed == 0 for _sent, failed in results)
    with pg_app.app_context():
        to = db.session.scalars(
            sa.select(OutboxMessage.to_addr).where(OutboxMessage.template == "network/mail/digest")
        ).all()
        assert sorted(to) == [f"reader{n}@example.org" for n in range(5)]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestSend)) == 5
