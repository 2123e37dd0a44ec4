"""scale: indexes for pages whose cost grew with the data

- ix_publication_topics_topic_publication (topic_id, publication_id), replacing
  ix_publication_topics_topic_id: a publication page's related records take the most
  recently added records of each of its topics from it, a bounded read, instead of grouping
  every record that shares a topic (a third of the table per topic in the bench data). Topic
  filters and facets use it as they used the old one.
- ix_event_topics_topic_event (topic_id, event_id): the event lists' topic filter reads a
  topic's events from it; on PostgreSQL ix_events_status_window also holds the id (INCLUDE),
  so such a list is counted from the two indexes alone (SQLite's index holds the id, its
  rowid, already).
- ix_members_directory (name, id, affiliation), partial over the members the directory
  lists: a page of the directory is read in order from it and the listed members counted
  from it (a search by name or affiliation too), instead of sorting every listed member and
  counting through the whole table.

Revision ID: 0027_scale
Revises: 0026_miss
Create Date: 2026-11-26 20:10:00
"""

import sqlalchemy as sa
from alembic import op

# As the directory's query renders its WHERE in each dialect (members.models).
DIRECTORY_SQLITE = "show_in_directory IS 1 AND is_active IS 1 AND email_verified_at IS NOT NULL"
DIRECTORY_POSTGRESQL = (
    "show_in_directory IS true AND is_active IS true AND email_verified_at IS NOT NULL"
)


revision = "0027_scale"
down_revision = "0026_miss"
branch_labels = None
depends_on = None


def upgrade():
    # Plain index operations, never a batch (which could rebuild the table on SQLite).
    op.create_index(
        "ix_publication_topics_topic_publication",
        "publication_topics",
        ["topic_id", "publication_id"],
    )
    op.drop_index("ix_publication_topics_topic_id", table_name="publication_topics")
    op.create_index("ix_event_topics_topic_event", "event_topics", ["topic_id", "event_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_events_status_window", table_name="events")
        op.create_index(
            "ix_events_status_window",
            "events",
            ["status", "starts_at", "ends_at"],
            postgresql_include=["id"],
        )
    op.create_index(
        "ix_members_directory",
        "members",
        ["name", "id", "affiliation"],
        sqlite_where=sa.text(DIRECTORY_SQLITE),
        postgresql_where=sa.text(DIRECTORY_POSTGRESQL),
    )


def downgrade():
    op.drop_index("ix_members_directory", table_name="members")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_events_status_window", table_name="events")
        op.create_index("ix_events_status_window", "events", ["status", "starts_at", "ends_at"])
    op.drop_index("ix_event_topics_topic_event", table_name="event_topics")
    op.create_index("ix_publication_topics_topic_id", "publication_topics", ["topic_id"])
    op.drop_index("ix_publication_topics_topic_publication", table_name="publication_topics")
