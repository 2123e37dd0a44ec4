"""content: events and publications in several languages

Events get their original `language` (en, fr, de, sl); `event_translations` and
`publication_translations` hold the other languages' title, summary and description
(publications: title and abstract). A publication's original language is its bibliographic
`language`. `publications.search_translations` copies the translations' text (kept by
interacta.publications.search) into the full-text document: the SQLite FTS5 table and its
triggers are remade with the new column, PostgreSQL's generated tsvector likewise.

Revision ID: 0014_content_translations
Revises: 0013_jobs
Create Date: 2026-11-26 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_content_translations"
down_revision = "0013_jobs"
branch_labels = None
depends_on = None


def _document(with_translations: bool) -> str:
    """Migration 0010's weighted document, plus the translations (weight B) if asked."""
    parts = [
        ("title", "A"),
        ("keywords", "B"),
        ("search_authors", "B"),
        ("abstract", "C"),
    ]
    if with_translations:
        parts.append(("search_translations", "B"))
    return " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, interacta_unaccent(coalesce({column}, ''))),"
        f" '{weight}'::\"char\")"
        for column, weight in parts
    )


def _fts_columns(with_translations: bool) -> list[str]:
    columns = ["title", "keywords", "search_authors", "abstract"]
    return [*columns, "search_translations"] if with_translations else columns


def _sqlite_fts(with_translations: bool) -> None:
    """(Re)make the FTS5 table and its triggers over the given columns, then fill it."""
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS publications_fts_{suffix}")
    op.execute("DROP TABLE IF EXISTS publications_fts")
    columns = _fts_columns(with_translations)
    listed = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE publications_fts USING fts5({listed},"
        " content='publications', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER publications_fts_ai AFTER INSERT ON publications BEGIN"
        f" INSERT INTO publications_fts(rowid, {listed}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER publications_fts_ad AFTER DELETE ON publications BEGIN"
        f" INSERT INTO publications_fts(publications_fts, rowid, {listed})"
        f" VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER publications_fts_au AFTER UPDATE ON publications BEGIN"
        f" INSERT INTO publications_fts(publications_fts, rowid, {listed})"
        f" VALUES ('delete', old.id, {old});"
        f" INSERT INTO publications_fts(rowid, {listed}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO publications_fts(publications_fts) VALUES ('rebuild')")


def _pg_vector(with_translations: bool) -> None:
    op.execute("DROP INDEX IF EXISTS ix_publications_fulltext")
    op.execute("ALTER TABLE publications DROP COLUMN IF EXISTS search_vector")
    op.execute(
        "ALTER TABLE publications ADD COLUMN search_vector tsvector"
        f" GENERATED ALWAYS AS ({_document(with_translations)}) STORED"
    )
    op.execute("CREATE INDEX ix_publications_fulltext ON publications USING gin (search_vector)")


def upgrade():
    # Plain ADD COLUMN (no batch): on SQLite a table rebuild would drop the FTS triggers.
    op.add_column(
        "events", sa.Column("language", sa.String(length=10), server_default="en", nullable=False)
    )
    op.add_column(
        "publications",
        sa.Column("search_translations", sa.Text(), server_default="", nullable=False),
    )
    op.create_table(
        "event_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_translations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_translations")),
        sa.UniqueConstraint("event_id", "language", name=op.f("uq_event_translations_event_id")),
    )
    op.create_table(
        "publication_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_translations_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_translations")),
        sa.UniqueConstraint(
            "publication_id", "language", name=op.f("uq_publication_translations_publication_id")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        _pg_vector(with_translations=True)
    else:
        _sqlite_fts(with_translations=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_vector(with_translations=False)
    else:
        # The FTS table goes first: it reads the column dropped below.
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS publications_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS publications_fts")
    op.drop_table("publication_translations")
    op.drop_table("event_translations")
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("search_translations")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("language")
    if op.get_bind().dialect.name != "postgresql":
        # After the batch (a table rebuild on SQLite): the FTS table and triggers again.
        _sqlite_fts(with_translations=False)
