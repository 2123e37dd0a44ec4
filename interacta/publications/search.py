"""Full-text search over publications: SQLite FTS5 or a PostgreSQL tsvector index.

The schema objects are made by migration 0010 (they are not in the models, so the drift
check skips them by name: see `is_search_object`):

- SQLite: `publications_fts`, an FTS5 table over title, keywords, author names and
  abstract with the publications table as its content, kept in step by triggers.
- PostgreSQL: `publications.search_vector`, a stored generated tsvector column (title A,
  keywords and authors B, abstract C), with the GIN index `ix_publications_fulltext`.
  Stored, so neither ranking nor the index's recheck recomputes it per row.

Both tokenise a query the same way (letters and digits; every word is a prefix, all must
match), ignore accents ("cooperation" finds "Coopération") and rank title matches above
keywords and authors, above the abstract.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from interacta.publications.models import Publication, PublicationAuthor

FTS_TABLE = "publications_fts"
PG_INDEX = "ix_publications_fulltext"
#: The columns FTS5 indexes, in order, with their weights for bm25().
COLUMNS = {"title": 10.0, "keywords": 5.0, "search_authors": 4.0, "abstract": 2.0}
PG_COLUMN = "search_vector"


MAX_TERMS = 8


def terms(q: str) -> list[str]:
    """The words of a query: runs of letters and digits, lower-cased, at most eight."""
    return re.findall(r"[^\W_]+", q.lower())[:MAX_TERMS]


def is_search_object(name: str | None, type_: str, _parent_names=None) -> bool:
    return bool(name) and (name.startswith(FTS_TABLE) or name in (PG_INDEX, PG_COLUMN))


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: leave the full-text objects out of autogenerate."""
    return not is_search_object(name, type_)


def _dialect() -> str:
    from interacta.extensions import db

    return db.session.get_bind().dialect.name


def matches(words: list[str]):
    """A WHERE clause: the publication matches every word (as a prefix)."""
    if _dialect() == "postgresql":
        return _pg_vector().op("@@")(_pg_query(words))
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    return Publication.id.in_(
        sa.select(fts.c.rowid).where(sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(words)))
    )


def ranked(query, words: list[str]):
    """`query` (a select of Publication) ordered best match first; ties are left to the
    caller's further order_by."""
    if _dialect() == "postgresql":
        rank = sa.func.ts_rank(_pg_vector(), _pg_query(words))
        return query.order_by(rank.desc())
    weights = ", ".join(str(w) for w in COLUMNS.values())
    hits = (
        sa.select(
            sa.literal_column("rowid").label("id"),
            sa.literal_column(f"bm25({FTS_TABLE}, {weights})").label("rank"),
        )
        .select_from(sa.table(FTS_TABLE))
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(words)))
        .subquery("hits")
    )
    # bm25() is lower for better matches.
    return query.join(hits, hits.c.id == Publication.id).order_by(hits.c.rank.asc())


def _fts_query(words: list[str]) -> str:
    # Each word quoted (no FTS5 syntax can get in) and a prefix; juxtaposition means AND.
    return " ".join(f'"{w}"*' for w in words)


def _pg_vector():
    return sa.literal_column(f"publications.{PG_COLUMN}")


def pg_lexeme(word):
    """One quoted prefix term of a tsquery, accents folded as in the indexed document
    (migration 0010's interacta_unaccent). Folded first, quoted after: unaccent turns some
    letters into tsquery syntax (ʼ into ', ⑴ into (1), ː into :), so they stay inside the
    quotes; a quote or backslash in the folded text is escaped by doubling."""
    folded = sa.func.interacta_unaccent(word)
    escaped = sa.func.replace(sa.func.replace(folded, "\\", "\\\\"), "'", "''")
    return sa.func.concat("'", escaped, "':*")


def _pg_query(words: list[str]):
    # Every word a quoted lexeme (never operators), all of them must match.
    return sa.func.to_tsquery(
        sa.literal_column("'simple'::regconfig"),
        sa.func.concat_ws(" & ", *(pg_lexeme(w) for w in words)),
    )


# --- keeping search_authors current -----------------------------------------------------


def author_text(pub: Publication) -> str:
    return " ".join(a.name for a in pub.authors)


@event.listens_for(Session, "before_flush")
def _refresh_author_text(session: Session, _context, _instances) -> None:
    """Copy each changed publication's author names into `search_authors` (the FTS
    triggers and the tsvector index read it from the publications row)."""
    changed = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Publication) and obj not in session.deleted:
            changed.add(obj)
        elif isinstance(obj, PublicationAuthor):
            pub = obj.publication
            if pub is not None and pub not in session.deleted:
                changed.add(pub)
    for pub in changed:
        text = author_text(pub)
        if pub.search_authors != text:
            pub.search_authors = text
