"""search: a covering index for the publication search's matches (SQLite)

The search reads, for each of up to 1,001 of its matches, the record's status, kind,
year, month and day (interacta.publications.search._hits). On SQLite these sit in the
publications row, one row per page behind the title and the abstract: a thousand pages
read per search. `ix_publications_search_hits` holds them by id, a few hundred rows per
page, and answers the join alone. PostgreSQL's search reads each row's tsvector from the
table anyway: nothing there.

Left out of autogenerate by name (search.is_search_object).

Revision ID: 0032_search
Revises: 0031_lists
Create Date: 2026-11-27 03:00:00
"""

from alembic import op

revision = "0032_search"
down_revision = "0031_lists"
branch_labels = None
depends_on = None

INDEX = "ix_publications_search_hits"


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE INDEX {INDEX} ON publications (id, status, kind, year, month, day)")
    # Its statistics now: without them the planner keeps reading the rows by rowid (the
    # other indexes' statistics are left as they are).
    op.execute(f"ANALYZE {INDEX}")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"DROP INDEX {INDEX}")
