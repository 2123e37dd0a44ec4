"""search: the full-text index's vocabulary, readable by the search

The search asks which indexed words begin with each word of a query: when only one does,
it asks the index for that word exactly, which finds the same records with the same rank
but is answered from the newest matches (FTS5) or by skipping through the index's lists
(GIN), where a prefix first gathers every match of every word it begins
(interacta.publications.search.sole_terms).

- SQLite: `publications_fts_vocab`, an fts5vocab table of type 'instance' over
  publications_fts (no data of its own: it reads the index).
- PostgreSQL: `publication_lexemes`, every lexeme any record's search_vector has held
  (byte order, "C"), filled here and kept by triggers on publications. A lexeme no record
  holds any more stays: the search then asks for the prefix, as before.

Both are left out of autogenerate by name (search.is_search_object).

Revision ID: 0029_search
Revises: 0028_reg2
Create Date: 2026-11-26 20:30:00
"""

from alembic import op

revision = "0029_search"
down_revision = "0028_reg2"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE publications_fts_vocab"
            " USING fts5vocab(publications_fts, 'instance')"
        )
        return
    op.execute('CREATE TABLE publication_lexemes (lexeme text COLLATE "C" PRIMARY KEY)')
    # In sorted order (as each tsvector holds them), so concurrent writers take the rows'
    # locks in one order.
    op.execute(
        "CREATE FUNCTION interacta_publication_lexemes() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        " INSERT INTO publication_lexemes (lexeme)"
        " SELECT unnest(tsvector_to_array(NEW.search_vector)) ORDER BY 1"
        " ON CONFLICT DO NOTHING;"
        " RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER publications_lexemes_ai AFTER INSERT ON publications"
        " FOR EACH ROW EXECUTE FUNCTION interacta_publication_lexemes()"
    )
    op.execute(
        "CREATE TRIGGER publications_lexemes_au AFTER UPDATE ON publications FOR EACH ROW"
        " WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector)"
        " EXECUTE FUNCTION interacta_publication_lexemes()"
    )
    op.execute(
        "INSERT INTO publication_lexemes (lexeme)"
        " SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM publications"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS publications_fts_vocab")
        return
    op.execute("DROP TRIGGER IF EXISTS publications_lexemes_au ON publications")
    op.execute("DROP TRIGGER IF EXISTS publications_lexemes_ai ON publications")
    op.execute("DROP FUNCTION IF EXISTS interacta_publication_lexemes()")
    op.execute("DROP TABLE IF EXISTS publication_lexemes")
