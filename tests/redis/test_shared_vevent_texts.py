"""With CACHE_REDIS_URL, each event's VEVENT text is shared between app processes: a
feed built by one process is rebuilt by another from the texts in Redis (issue 22)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events.models import Event
from interacta.extensions import db


def test_a_second_process_builds_the_feed_from_the_shared_event_texts(shared_apps, redis_client):
    first, second, prefix = shared_apps
    with first.app_context():
        starts = (utcnow() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
        for n in range(3):
            db.session.add(
                Event(
                    slug=f"shared-text-{n}",
                    title=f"Shared text {n}",
                    summary="A seminar.",
                    kind="seminar",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    status="published",
                    published_at=utcnow(),
                )
            )
        db.session.commit()
    first_feed = first.test_client().get("/events/feed.ics").data
    assert b"SUMMARY:Shared text 2" in first_feed
    assert len(redis_client.keys(prefix + "vevent:*")) == 3

    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with second.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    # An unknown parameter: the page is built, not read from the page cache.
    feed = second.test_client().get("/events/feed.ics?fresh=1").data
    assert feed.count(b"BEGIN:VEVENT") == 3 and b"SUMMARY:Shared text 0" in feed
    assert not [s for s in statements if "events.description" in s], "no event loaded"
