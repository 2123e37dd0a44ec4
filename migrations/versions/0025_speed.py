"""speed: indexes that serve the publication list's date and title orders on PostgreSQL

A page of the list (20 of 100,000 records) is then read from an index instead of sorting
every record. SQLite needs none: its NULLs sort lowest, so ix_publications_status_date
read backwards already gives year, month and day newest first with undated ones last.
Both indexes are left out of autogenerate by name (interacta.publications.search).

Revision ID: 0025_speed
Revises: 0024_decisions
Create Date: 2026-11-26 14:40:00
"""

from alembic import op


revision = "0025_speed"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_publications_date_order ON publications"
        " (status, year DESC, month DESC NULLS LAST, day DESC NULLS LAST, id DESC)"
    )
    op.execute(
        "CREATE INDEX ix_publications_title_order ON publications (status, lower(title), id)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_publications_title_order")
    op.execute("DROP INDEX IF EXISTS ix_publications_date_order")
