"""speed: full-text search over publications, indexes for facets, feeds and fingerprints

Revision ID: 0010_search_and_indexes
Revises: 0009_session_token
Create Date: 2026-11-24 20:10:00

SQLite gets an FTS5 table kept in step with `publications` by triggers; PostgreSQL a stored
generated tsvector column with a GIN index (interacta.publications.search queries both).
"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = "0010_search_and_indexes"
down_revision = "0009_session_token"
branch_labels = None
depends_on = None

# The weighted document: title A, keywords and authors B, abstract C.
PG_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, interacta_unaccent(coalesce(title, ''))),"
    " 'A'::\"char\") || "
    "setweight(to_tsvector('simple'::regconfig, interacta_unaccent(coalesce(keywords, ''))),"
    " 'B'::\"char\") || "
    "setweight(to_tsvector('simple'::regconfig,"
    " interacta_unaccent(coalesce(search_authors, ''))), 'B'::\"char\") || "
    "setweight(to_tsvector('simple'::regconfig, interacta_unaccent(coalesce(abstract, ''))),"
    " 'C'::\"char\")"
)
# Accents are folded as SQLite's FTS5 (remove_diacritics 2) does: unaccent() is STABLE, so
# a generated column needs this IMMUTABLE wrapper with the dictionary named explicitly.
PG_UNACCENT = (
    "CREATE OR REPLACE FUNCTION interacta_unaccent(text) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
    " AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
)
FTS_COLUMNS = "title, keywords, search_authors, abstract"
NEW_COLUMNS = "new.title, new.keywords, new.search_authors, new.abstract"
OLD_COLUMNS = "old.title, old.keywords, old.search_authors, old.abstract"


def upgrade():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_authors", sa.Text(), server_default="", nullable=False)
        )
        batch_op.drop_index("ix_publications_presented_at_event_id")
        batch_op.create_index(
            "ix_publications_presented_status",
            ["presented_at_event_id", "status", "year"],
            unique=False,
        )
        batch_op.create_index("ix_publications_status_kind", ["status", "kind"], unique=False)
        batch_op.create_index("ix_publications_updated_at", ["updated_at"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_updated_at", ["updated_at"], unique=False)
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index("ix_members_updated_at", ["updated_at"], unique=False)
    # Registrations get updated_at like every other table, set to when they were made.
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE registrations SET updated_at = created_at")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column(
            "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index("ix_registrations_updated_at", ["updated_at"], unique=False)

    cache_deletions = op.create_table(
        "cache_deletions",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_cache_deletions")),
    )
    # One row per table with updated_at, so marking a deletion is always an UPDATE.
    seeded = datetime(2026, 1, 1, tzinfo=timezone.utc)
    op.bulk_insert(
        cache_deletions,
        [
            {"table_name": name, "deleted_at": seeded}
            for name in ("events", "members", "publications", "registrations")
        ],
    )

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "UPDATE publications SET search_authors = coalesce(("
            " SELECT string_agg(name, ' ' ORDER BY position) FROM publication_authors"
            " WHERE publication_id = publications.id), '')"
        )
        # unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
        op.execute(PG_UNACCENT)
        op.execute(
            "ALTER TABLE publications ADD COLUMN search_vector tsvector"
            f" GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
        )
        op.execute("CREATE INDEX ix_publications_fulltext ON publications USING gin (search_vector)")
    else:
        op.execute(
            "UPDATE publications SET search_authors = coalesce(("
            " SELECT group_concat(name, ' ') FROM (SELECT name FROM publication_authors"
            " WHERE publication_id = publications.id ORDER BY position)), '')"
        )
        op.execute(
            f"CREATE VIRTUAL TABLE publications_fts USING fts5({FTS_COLUMNS},"
            " content='publications', content_rowid='id',"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER publications_fts_ai AFTER INSERT ON publications BEGIN"
            f" INSERT INTO publications_fts(rowid, {FTS_COLUMNS})"
            f" VALUES (new.id, {NEW_COLUMNS}); END"
        )
        op.execute(
            "CREATE TRIGGER publications_fts_ad AFTER DELETE ON publications BEGIN"
            f" INSERT INTO publications_fts(publications_fts, rowid, {FTS_COLUMNS})"
            f" VALUES ('delete', old.id, {OLD_COLUMNS}); END"
        )
        op.execute(
            "CREATE TRIGGER publications_fts_au AFTER UPDATE ON publications BEGIN"
            f" INSERT INTO publications_fts(publications_fts, rowid, {FTS_COLUMNS})"
            f" VALUES ('delete', old.id, {OLD_COLUMNS});"
            f" INSERT INTO publications_fts(rowid, {FTS_COLUMNS})"
            f" VALUES (new.id, {NEW_COLUMNS}); END"
        )
        op.execute("INSERT INTO publications_fts(publications_fts) VALUES ('rebuild')")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_publications_fulltext")
        op.execute("ALTER TABLE publications DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP FUNCTION IF EXISTS interacta_unaccent(text)")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS publications_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS publications_fts")
    op.drop_table("cache_deletions")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_updated_at")
        batch_op.drop_column("updated_at")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_updated_at")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_updated_at")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index("ix_publications_updated_at")
        batch_op.drop_index("ix_publications_status_kind")
        batch_op.drop_index("ix_publications_presented_status")
        batch_op.create_index(
            "ix_publications_presented_at_event_id", ["presented_at_event_id"], unique=False
        )
        batch_op.drop_column("search_authors")
