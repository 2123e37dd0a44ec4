"""evsearch: a trigram index for the events lists' word search

The events lists' search (ILIKE '%word%' over an event's title, summary, description,
venue name and its translations' title, summary and description) read every event's
text. These indexes hand it the candidate events of a word of 3 or more characters; the
ILIKE then runs on those alone (interacta.events.search).

- SQLite: `events_fts` and `event_translations_fts`, contentless FTS5 tables with the
  trigram tokenizer (case kept) over the columns lowered by lower(), as ILIKE lowers
  them, kept in step by triggers (insert, delete, an update of an indexed column).
- PostgreSQL: pg_trgm (a trusted extension: the database owner may create it) and a GIN
  index over each table's columns joined by spaces. PostgreSQL keeps them itself.

Both are left out of autogenerate by name (events.search.is_search_object).

Revision ID: 0030_evsearch
Revises: 0029_search
Create Date: 2026-11-26 23:40:00
"""

from alembic import op

revision = "0030_evsearch"
down_revision = "0029_search"
branch_labels = None
depends_on = None

#: Per table: its FTS5 table, its indexed columns and its PostgreSQL index.
TABLES = {
    "events": ("events_fts", ("title", "summary", "description", "venue_name"),
               "ix_events_search_trgm"),
    "event_translations": ("event_translations_fts", ("title", "summary", "description"),
                           "ix_event_translations_search_trgm"),
}  # fmt: skip


def _joined(columns) -> str:
    # As interacta.events.search._joined writes it (the planner matches the expression).
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        for table, (_fts, columns, index) in TABLES.items():
            op.execute(
                f"CREATE INDEX {index} ON {table}"
                f" USING gin (({_joined(columns)}) public.gin_trgm_ops)"
            )
        return
    for table, (fts, columns, _index) in TABLES.items():
        names = ", ".join(columns)
        # lower() as ILIKE applies it on SQLite (ASCII letters only); the tokenizer keeps
        # case, so a MATCH is exactly ILIKE's substring test. Contentless: the index holds
        # the lowered text's trigrams alone.
        new = ", ".join(f"lower(new.{c})" for c in columns)
        old = ", ".join(f"lower(old.{c})" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='',"
            " tokenize='trigram case_sensitive 1', columnsize=0)"
        )
        insert = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
        delete = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table}"
            f" BEGIN {delete} {insert} END"
        )
        lowered = ", ".join(f"lower({c})" for c in columns)
        # The names are this module's constants.
        op.execute(f"INSERT INTO {fts} (rowid, {names}) SELECT id, {lowered} FROM {table}")  # noqa: S608


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm stays (as unaccent does, migration 0010): other objects may use it.
        for _table, (_fts, _columns, index) in TABLES.items():
            op.execute(f"DROP INDEX IF EXISTS {index}")
        return
    for _table, (fts, _columns, _index) in TABLES.items():
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
