"""miss: indexes for pages built on a cache miss

- The event page's "presented here" list: a partial index over the few records presented
  at an event, in the list's order (year, month, day), replacing
  ix_publications_presented_status. SQLite, which keeps no statistics, chose the date index
  for every event page (reading every published record) once the order became
  NULLS LAST; with the order in this index it takes this one.
- Upcoming events in date order (ix_events_starts_at) and counted from an index alone
  (ix_events_status_window, replacing ix_events_status_starts_at): the list pages read
  from "now less the longest an event lasts" on, instead of sorting every event.
- A record's authors with their names (ix_publication_authors_publication_name, replacing
  ix_publication_authors_publication_id): the search's author facet counts names among a
  thousand matches from the index alone.
- The Atom feed's order (when a record went public): an expression index, so the newest
  fifty are read from the index instead of sorting every record.

The feed index is an expression index, left out of autogenerate by name
(interacta.publications.search.ORDER_INDEXES).

Revision ID: 0026_miss
Revises: 0025_speed
Create Date: 2026-11-26 17:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0026_miss"
down_revision = "0025_speed"
branch_labels = None
depends_on = None

PRESENTED = sa.text("presented_at_event_id IS NOT NULL")


def upgrade():
    # Plain index operations, never a batch (which could rebuild the table on SQLite and
    # lose the full-text triggers).
    op.drop_index("ix_publications_presented_status", table_name="publications")
    op.create_index(
        "ix_publications_presented",
        "publications",
        ["presented_at_event_id", "status", "year", "month", "day"],
        sqlite_where=PRESENTED,
        postgresql_where=PRESENTED,
    )
    op.drop_index("ix_publication_authors_publication_id", table_name="publication_authors")
    op.create_index(
        "ix_publication_authors_publication_name", "publication_authors", ["publication_id", "name"]
    )
    op.drop_index("ix_events_status_starts_at", table_name="events")
    op.create_index("ix_events_starts_at", "events", ["starts_at", "id"])
    op.create_index("ix_events_status_window", "events", ["status", "starts_at", "ends_at"])
    op.execute(
        "CREATE INDEX ix_publications_feed_order ON publications"
        " (status, coalesce(published_at, updated_at), id)"
    )


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_publications_feed_order")
    op.drop_index("ix_events_status_window", table_name="events")
    op.drop_index("ix_events_starts_at", table_name="events")
    op.create_index("ix_events_status_starts_at", "events", ["status", "starts_at"])
    op.drop_index("ix_publication_authors_publication_name", table_name="publication_authors")
    op.create_index(
        "ix_publication_authors_publication_id", "publication_authors", ["publication_id"]
    )
    op.drop_index("ix_publications_presented", table_name="publications")
    op.create_index(
        "ix_publications_presented_status",
        "publications",
        ["presented_at_event_id", "status", "year"],
    )
