"""Several mail workers on one PostgreSQL never send a message twice."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from interacta.core import mail as core_mail
from interacta.core.mail import deliver_due, queue_mail
from interacta.core.models import OutboxMessage
from interacta.extensions import db

pytestmark = pytest.mark.postgres_only


def test_concurrent_workers_send_each_message_exactly_once(pg_app, monkeypatch):
    with pg_app.app_context():
        for i in range(40):
            queue_mail(f"p{i}@example.org", f"Message {i}", "core/mail/test_message")
        db.session.commit()
        db.session.info.pop("outbox_committed", None)

    sent_to: list[str] = []
    lock = threading.Lock()
    real_transport = core_mail._transport

    def counting_transport(message):
        with lock:
            sent_to.append(message.to_addr)
        return real_transport(message)

    monkeypatch.setattr(core_mail, "_transport", counting_transport)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker():
        try:
            with pg_app.app_context():
                barrier.wait(timeout=30)
                for _ in range(5):
                    deliver_due(limit=10)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(sent_to) == 40
    assert len(set(sent_to)) == 40, "a message was sent twice"
    with pg_app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
        assert set(statuses) == {"sent"}
