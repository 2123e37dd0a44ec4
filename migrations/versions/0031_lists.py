"""lists: the events lists read and counted from their indexes

- ix_events_kind_window (kind, status, starts_at, ends_at; with the id on PostgreSQL):
  an upcoming list filtered by kind (`/events/?kind=seminar`) was read and counted from
  ix_events_status_window, fetching every upcoming event's row to test its kind: at ten
  times today's data about 30 ms of SQL a build on SQLite and 12 ms on PostgreSQL (a
  sequential scan) for the count alone; now 0.2-0.6 ms from the index.
- ix_events_starts_at (starts_at, id) also holds ends_at and status: SQLite then reads a
  page of the upcoming list (or of the past list, newest first) in date order from it,
  testing the window and the status in the index and stopping at the page, instead of
  reading every upcoming event from ix_events_status_window and sorting them (1.7-3 ms
  at ten times today's data -> 0.1 ms; the past list 21 -> 1.8 ms).
- ANALYZE events: SQLite's planner chooses an index by the statistics ANALYZE keeps
  (when any are kept); without them for the new indexes it would keep the old choice.

Revision ID: 0031_lists
Revises: 0030_evsearch
Create Date: 2026-11-27 02:55:00
"""

from alembic import op

revision = "0031_lists"
down_revision = "0030_evsearch"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_events_kind_window",
        "events",
        ["kind", "status", "starts_at", "ends_at"],
        postgresql_include=["id"],
    )
    op.drop_index("ix_events_starts_at", table_name="events")
    op.create_index("ix_events_starts_at", "events", ["starts_at", "id", "ends_at", "status"])
    op.execute("ANALYZE events")


def downgrade():
    op.drop_index("ix_events_starts_at", table_name="events")
    op.create_index("ix_events_starts_at", "events", ["starts_at", "id"])
    op.drop_index("ix_events_kind_window", table_name="events")
