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

On top of the index: what a visitor asks for on the list page (`SearchParams`), one page
of results (`results`), every result for an export (`all_results`) and the facet counts
(`facets`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, aliased

from interacta.core.models import Topic
from interacta.extensions import db
from interacta.publications.models import (
    KIND_NAMES,
    KINDS,
    Publication,
    PublicationAuthor,
    date_order,
    publication_topics,
    with_lists,
)

#: Results per page of the list, and the orders a visitor can choose.
PER_PAGE = 20
SORTS = ("relevance", "date", "title")

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


# --- the list page's search ------------------------------------------------------------


def _clean(value: str | None, max_length: int) -> str:
    return " ".join((value or "").split())[:max_length]


@dataclass
class SearchParams:
    """What a visitor asked for on the list page."""

    q: str = ""
    kind: str | None = None
    topic: str | None = None
    year: int | None = None
    author: str | None = None
    sort: str = "date"

    @classmethod
    def from_args(cls, args) -> SearchParams:
        """From a mapping of query-string values; anything invalid is ignored."""
        q = _clean(args.get("q"), 200)
        kind = args.get("kind") if args.get("kind") in KINDS else None
        topic = (args.get("topic") or "").strip()[:80] or None
        try:
            year = int(args.get("year") or "")
        except ValueError:
            year = None
        if year is not None and not 1 <= year <= 9999:
            year = None  # also keeps huge numbers away from the database driver
        author = _clean(args.get("author"), 200) or None
        sort = args.get("sort") if args.get("sort") in SORTS else None
        if sort is None or (sort == "relevance" and not q):
            sort = "relevance" if q else "date"
        return cls(q=q, kind=kind, topic=topic, year=year, author=author, sort=sort)

    @property
    def terms(self) -> list[str]:
        return terms(self.q)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.kind or self.topic or self.year or self.author)

    def conditions(self, exclude: str | None = None) -> list:
        """WHERE clauses for the search and every filter but `exclude` (for facets)."""
        where = [Publication.status == "published"]
        if self.terms:
            where.append(matches(self.terms))
        elif self.q:
            where.append(sa.false())  # only punctuation: nothing to look for, nothing found
        if self.kind and exclude != "kind":
            where.append(Publication.kind == self.kind)
        if self.year and exclude != "year":
            where.append(Publication.year == self.year)
        if self.topic and exclude != "topic":
            # Aliases, so the subquery never correlates with a facet query's own FROM.
            pt, topic = publication_topics.alias(), aliased(Topic)
            where.append(
                sa.exists().where(
                    pt.c.publication_id == Publication.id,
                    pt.c.topic_id == topic.id,
                    topic.slug == self.topic,
                )
            )
        if self.author and exclude != "author":
            author = aliased(PublicationAuthor)
            where.append(
                sa.exists().where(
                    author.publication_id == Publication.id,
                    author.name == self.author,
                )
            )
        return where

    def select(self):
        """The matching published records in the asked order (without eager loading)."""
        query = sa.select(Publication).where(*self.conditions())
        if self.sort == "title":
            query = query.order_by(sa.func.lower(Publication.title), Publication.id)
        elif self.sort == "relevance" and self.terms:
            query = ranked(query, self.terms).order_by(*date_order())
        else:
            query = query.order_by(*date_order())
        return query


@dataclass
class Facets:
    kinds: list[tuple[str, str, int]] = field(default_factory=list)
    topics: list[tuple[str, str, int]] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    authors: list[tuple[str, int]] = field(default_factory=list)


def results(params: SearchParams, page: int = 1, per_page: int = PER_PAGE):
    """One page of results (authors and topics loaded), in a fixed number of queries."""
    pagination = db.paginate(
        with_lists(params.select()), page=page, per_page=per_page, error_out=False, count=False
    )
    # Counted from the conditions alone: counting the ranked query (a join on the
    # full-text hits) makes SQLite run the full-text query once per row.
    pagination.total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Publication).where(*params.conditions())
    )
    return pagination


def all_results(params: SearchParams, limit: int = 1000) -> list[Publication]:
    """Every result (up to `limit`), for exports."""
    return list(db.session.scalars(with_lists(params.select().limit(limit))))


def facets(params: SearchParams, max_authors: int = 15) -> Facets:
    """Counts per kind, topic, year and author among the records the search finds; each
    facet ignores its own filter so the other choices stay visible. Four queries."""
    count = sa.func.count(Publication.id)
    kinds = dict(
        db.session.execute(
            sa.select(Publication.kind, count)
            .where(*params.conditions("kind"))
            .group_by(Publication.kind)
        ).all()
    )
    years = db.session.execute(
        sa.select(Publication.year, count)
        .where(*params.conditions("year"))
        .group_by(Publication.year)
        .order_by(Publication.year.desc())
    ).all()
    topics = db.session.execute(
        sa.select(Topic.slug, Topic.name, count)
        .join(publication_topics, publication_topics.c.topic_id == Topic.id)
        .join(Publication, Publication.id == publication_topics.c.publication_id)
        .where(*params.conditions("topic"))
        .group_by(Topic.id, Topic.slug, Topic.name, Topic.position)
        .order_by(Topic.position)
    ).all()
    authors = db.session.execute(
        sa.select(PublicationAuthor.name, sa.func.count(sa.distinct(Publication.id)))
        .join(Publication, Publication.id == PublicationAuthor.publication_id)
        .where(*params.conditions("author"))
        .group_by(PublicationAuthor.name)
        .order_by(sa.func.count(sa.distinct(Publication.id)).desc(), PublicationAuthor.name)
        .limit(max_authors)
    ).all()
    return Facets(
        kinds=[(k, str(KIND_NAMES[k]), kinds[k]) for k in KINDS if k in kinds],
        topics=[(row[0], row[1], row[2]) for row in topics],
        years=[(row[0], row[1]) for row in years],
        authors=[(row[0], row[1]) for row in authors],
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
