"""search: the full-text index's vocabulary, readable on SQLite

`publications_fts_vocab`, an fts5vocab table of type 'instance' over publications_fts
(no data of its own: it reads the index). The search asks it which indexed words begin
with each word of a query: when only one does, it asks FTS5 for that word exactly, which
reads only the newest matches, instead of a prefix query, which merges every match of
every such word first (interacta.publications.search). SQLite only; PostgreSQL has no
such table. Left out of autogenerate by its name (search.is_search_object).

Revision ID: 0027_search
Revises: 0026_miss
Create Date: 2026-11-26 20:30:00
"""

from alembic import op

revision = "0027_search"
down_revision = "0026_miss"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE publications_fts_vocab"
            " USING fts5vocab(publications_fts, 'instance')"
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS publications_fts_vocab")
