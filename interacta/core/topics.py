"""Every topic, as the list pages' filters show them: kept under the topics' fingerprint,
which a list page reads with its own tables (its `cached_page` names Topic), so a page
built on a cache miss reads no topic."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from interacta.core.cache import cached, fingerprint
from interacta.core.models import Topic
from interacta.extensions import db


class TopicRow(NamedTuple):
    id: int
    slug: str
    name: str
    position: int


def topic_rows() -> list[TopicRow]:
    """Every topic in its order (position, then id)."""

    def read() -> list[TopicRow]:
        query = sa.select(Topic.id, Topic.slug, Topic.name, Topic.position)
        return [
            TopicRow(*row) for row in db.session.execute(query.order_by(Topic.position, Topic.id))
        ]

    return cached("topics", (), fingerprint(Topic), read)
