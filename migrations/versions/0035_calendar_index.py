"""calendar index: the month calendar read from ix_events_starts_at alone

The month calendar (services.month_grid) reads every event of the weeks it shows (about
a thousand a month at ten times the bench's data): their id, times, zone and last change.
ix_events_starts_at (starts_at, id, ends_at, status) now also holds the zone and the last
change, so the calendar reads them from the index alone and in order: no row of the wide
events table is visited and nothing is sorted. Measured at ten times the data on one
month: PostgreSQL 3.3 ms -> 0.3 ms (an index-only scan instead of ix_events_status_window,
one heap page per event, and a sort), SQLite 2.1 ms -> 0.9 ms (a covering index instead of
ix_events_status_window and a temporary B-tree for the order).

Revision ID: 0035_calendar_index
Revises: 0034_kept_texts
Create Date: 2026-11-27 21:00:00
"""

from alembic import op

revision = "0035_calendar_index"
down_revision = "0034_kept_texts"
branch_labels = None
depends_on = None

COLUMNS = ["starts_at", "id", "ends_at", "status"]


def upgrade():
    op.drop_index("ix_events_starts_at", table_name="events")
    op.create_index("ix_events_starts_at", "events", [*COLUMNS, "timezone", "updated_at"])
    op.execute("ANALYZE events")


def downgrade():
    op.drop_index("ix_events_starts_at", table_name="events")
    op.create_index("ix_events_starts_at", "events", COLUMNS)
