"""Full-text search over publications: SQLite FTS5 or a PostgreSQL tsvector index.

The schema objects are made by migration 0010 and remade by 0013 (they are not in the
models, so the drift check skips them by name: see `is_search_object`):

- SQLite: `publications_fts`, an FTS5 table over title, keywords, author names,
  abstract and the translations' text (migration 0013) with the publications table as
  its content, kept in step by triggers.
- PostgreSQL: `publications.search_vector`, a stored generated tsvector column (title A,
  keywords, authors and translations B, abstract C), with the GIN index
  `ix_publications_fulltext`.
  Stored, so neither ranking nor the index's recheck recomputes it per row.

Both tokenise a query the same way (letters and digits; every word is a prefix, all must
match), ignore accents ("cooperation" finds "Coopération") and rank title matches above
keywords and authors, above the abstract.

On top of the index: what a visitor asks for on the list page (`SearchParams`), one page
of results (`results`), every result for an export (`all_results`) and the facet counts
(`facets`).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import operator
import re
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import uuid4

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from interacta.core.cache import cached, cached_each, cached_recent, fingerprint
from interacta.core.deferred import DeferredPagination, deferred, paginate_deferred
from interacta.core.models import Topic
from interacta.extensions import db
from interacta.publications.items import list_items
from interacta.publications.models import (
    KIND_NAMES,
    KINDS,
    Publication,
    PublicationAuthor,
    PublicationTranslation,
    date_order,
    publication_topics,
    title_order,
    with_lists,
)

#: Results per page of the list, and the orders a visitor can choose.
PER_PAGE = 20
SORTS = ("relevance", "date", "title")

FTS_TABLE = "publications_fts"
#: The index's vocabulary (migration 0029_search), SQLite only.
FTS_VOCAB = "publications_fts_vocab"
#: Every lexeme the PostgreSQL index holds (migration 0029_search), kept by triggers.
PG_LEXEMES = "publication_lexemes"
PG_INDEX = "ix_publications_fulltext"
#: The columns FTS5 indexes, in order, with their weights for bm25().
COLUMNS = {
    "title": 10.0,
    "keywords": 5.0,
    "search_authors": 4.0,
    "abstract": 2.0,
    # Titles and abstracts in other languages (migration 0013).
    "search_translations": 3.0,
}
PG_COLUMN = "search_vector"
#: Indexes of the list's orders on PostgreSQL (migration 0022), made outside the models.
#: Indexes made by the migrations alone (expressions and PostgreSQL sort orders that the
#: models cannot state the same way on both databases), left out of autogenerate.
ORDER_INDEXES = (
    "ix_publications_date_order",
    "ix_publications_title_order",
    "ix_publications_feed_order",
    # The columns the search reads of each match, by id (migration 0032_search, SQLite).
    "ix_publications_search_hits",
)
MAX_TERMS = 8
#: A search for words works on at most this many matches, the most recently added: the
#: best matches are ranked among them and the counts are taken from them, so its cost does
#: not grow with the number of records a common word matches. Below it, all is exact.
BOUND = 1000
#: PostgreSQL first reads this many of the newest records (an index walk that stops as
#: soon as it has BOUND matches: common words); only when that finds too few, and the
#: filters keep older records, does it look past the walk's last row (by walking on when
#: the matches are many, DENSE_WALK; otherwise by the GIN index), never reading a walked
#: row again.
WALK = 5 * BOUND
#: When the walk found too few but many (so many that BOUND would be reached within this
#: many more records at the walk's rate), the rest is read by walking on, at most this far,
#: instead of by the GIN index: the planner cannot tell a common prefix (`mar:*`, thousands
#: of matches) from a rare one, and fetched and ranked every match of the index (50-70 ms at
#: 100,000 records) to keep the newest few dozen.
DENSE_WALK = WALK


def terms(q: str) -> list[str]:
    """The words of a query: runs of letters and digits, lower-cased, at most eight."""
    return re.findall(r"[^\W_]+", q.lower())[:MAX_TERMS]


def is_search_object(name: str | None, type_: str, _parent_names=None) -> bool:
    return bool(name) and (
        name.startswith(FTS_TABLE) or name in (PG_INDEX, PG_COLUMN, PG_LEXEMES, *ORDER_INDEXES)
    )


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: leave the full-text objects out of autogenerate."""
    return not is_search_object(name, type_)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def matches(words: list[str], sole: dict[str, str] | None = None):
    """A WHERE clause: the publication matches every word (as a prefix). `sole`: the
    words' `sole_terms`, when already known (`SearchParams.sole_terms`)."""
    if sole is None:
        sole = sole_terms(words)
    if _dialect() == "postgresql":
        return _pg_vector().op("@@")(_pg_query(words, sole))
    table = sa.table(FTS_TABLE, sa.column("rowid"))
    return Publication.id.in_(
        sa.select(table.c.rowid).where(
            sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(words, sole))
        )
    )


def ranked(query, words: list[str], sole: dict[str, str] | None = None):
    """`query` (a select of Publication) ordered best match first; ties are left to the
    caller's further order_by."""
    if sole is None:
        sole = sole_terms(words)
    if _dialect() == "postgresql":
        rank = sa.func.ts_rank(_pg_vector(), _pg_query(words, sole))
        return query.order_by(rank.desc())
    weights = ", ".join(str(w) for w in COLUMNS.values())
    hits = (
        sa.select(
            sa.literal_column("rowid").label("id"),
            sa.literal_column(f"bm25({FTS_TABLE}, {weights})").label("rank"),
        )
        .select_from(sa.table(FTS_TABLE))
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(words, sole)))
        .subquery("hits")
    )
    # bm25() is lower for better matches.
    return query.join(hits, hits.c.id == Publication.id).order_by(hits.c.rank.asc())


def _fts_query(words: list[str], sole: dict[str, str]) -> str:
    # Each word quoted (no FTS5 syntax can get in), a prefix unless `sole_terms` found
    # the one indexed word it begins; juxtaposition means AND.
    return " ".join(f'"{sole[w]}"' if w in sole else f'"{w}"*' for w in words)


#: Words whose indexed forms are themselves (both indexes lower-case, and fold accents
#: only outside ASCII), so they are looked up in the vocabulary as they are.
_PLAIN_WORD = re.compile(r"[a-z0-9]+")


def sole_terms(words: list[str]) -> dict[str, str]:
    """For each word, the one indexed word it begins, when the index holds only one (and
    every word is plain): the search then asks for that word exactly ("governance"),
    which finds the same records with the same rank, but which the index answers from the
    newest matches (FTS5) or by skipping through its lists (GIN); a prefix ("gov"*) first
    gathers every match of every word it begins. Read from the index's vocabulary
    (migration 0029_search: FTS5's own on SQLite, `publication_lexemes` on PostgreSQL), in
    one query for the words not kept since the records last changed. A word nothing begins
    maps to itself: it finds nothing either way."""
    if not words or not all(_PLAIN_WORD.fullmatch(w) for w in words):
        return {}  # a word folded by the index is only ever asked for as written
    plain = sorted(set(words))
    # Each word's first indexed word and the one after it, kept per word until the records
    # change (words come back: the next page, another filter, a word of another search).
    found = cached_each("sole-term", plain, fingerprint(Publication), _first_terms)
    sole = {}
    for word in plain:
        term, other = found[word]
        # Plain words only, which each index's query parser reads back as that one word.
        if other is None and _PLAIN_WORD.fullmatch(term):
            sole[word] = term
    # Two words asked for as one and the same (ts_rank counts a repeated word of the query
    # once): both stay prefixes.
    asked = Counter(sole.get(w, w) for w in set(words))
    return {word: term for word, term in sole.items() if asked[term] == 1}


def _first_terms(plain: list[str]) -> dict[str, tuple]:
    """word -> (the first indexed word it begins, the indexed word after that one that it
    also begins, or None): (word, None) when none. One query for all the words."""
    if _dialect() == "postgresql":
        vocab = sa.table(PG_LEXEMES, sa.column("lexeme", sa.String)).alias("vocab")
        column = "lexeme"
    else:
        vocab = sa.table(FTS_VOCAB, sa.column("term", sa.String)).alias("vocab")
        column = "term"
    parts = []
    for n, word in enumerate(plain):
        # The indexed words from `word` up to the first string it does not begin (byte
        # order): the first of them, and the one after that.
        end = word[:-1] + chr(ord(word[-1]) + 1)
        term = vocab.c[column]
        first = sa.select(term).where(term >= word, term < end).order_by(term).limit(1)
        first = first.subquery(f"first_{n}")
        after = vocab.alias(f"after_{n}").c[column]
        if _dialect() == "postgresql":
            beyond = after > first.c[column]
        else:
            # fts5vocab walks every instance of a word to pass it with ">"; no indexed
            # word holds a character below "0", so `term || char(1)` is the least string
            # after it, and ">=" seeks straight there.
            beyond = after >= first.c[column].concat(sa.func.char(1))
        other = sa.select(after).where(beyond, after < end).limit(1).scalar_subquery()
        parts.append(sa.select(sa.literal(n), first.c[column], other))
    rows = db.session.execute(sa.union_all(*parts) if len(parts) > 1 else parts[0])
    found = {n: (term, other) for n, term, other in rows}
    return {word: found.get(n, (word, None)) for n, word in enumerate(plain)}


def _pg_vector():
    return sa.literal_column(f"publications.{PG_COLUMN}")


def pg_lexeme(word):
    """One quoted prefix term of a tsquery, accents folded as in the indexed document
    (migration 0010's interacta_unaccent). Folded first, quoted after: unaccent turns some
    letters into tsquery syntax (ʼ into ', ⑴ into (1), ː into :), so they stay inside the
    quotes; a quote or backslash in the folded text is escaped by doubling. Joined by
    `||` (immutable), not concat() (stable): the planner folds the whole query to a
    constant once, instead of rebuilding it for every row it tests."""
    folded = sa.func.interacta_unaccent(word)
    escaped = sa.func.replace(sa.func.replace(folded, "\\", "\\\\"), "'", "''")
    return _text("'").op("||")(escaped).op("||")(_text("':*"))


def _text(value: str):
    return sa.cast(sa.literal(value, sa.Text), sa.Text)


def _pg_query(words: list[str], sole: dict[str, str]):
    # Every word a quoted lexeme (never operators), a prefix unless `sole_terms` found the
    # one indexed lexeme it begins; all of them must match. The exact lexemes are written
    # here; only prefixes are folded by the database. Immutable throughout (`pg_lexeme`):
    # planned as one constant tsquery, not evaluated again per row.
    text = None
    for w in words:
        part = _text(_pg_exact(sole[w])) if w in sole else pg_lexeme(w)
        text = part if text is None else text.op("||")(_text(" & ")).op("||")(part)
    return sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), text)


def _pg_exact(lexeme: str) -> str:
    """One quoted lexeme of a tsquery (a plain word: letters a-z and digits), exactly."""
    return f"'{lexeme}'"


# --- the list page's search ------------------------------------------------------------


#: The list's filters besides the words, in the order of their WHERE clauses.
_FILTERS = ("kind", "year", "topic", "author")


def _filter_clauses(names: tuple[str, ...], values: dict) -> list:
    """The WHERE clauses of the filters `names`, comparing with `values` (name -> a value,
    or a bind parameter: `_hits_statement`)."""
    where = []
    if "kind" in names:
        where.append(Publication.kind == values["kind"])
    if "year" in names:
        where.append(Publication.year == values["year"])
    if "topic" in names:
        # Aliases, so the subquery never correlates with a facet query's own FROM.
        pt, topic = publication_topics.alias(), aliased(Topic)
        where.append(
            sa.exists().where(
                pt.c.publication_id == Publication.id,
                pt.c.topic_id == topic.id,
                topic.slug == values["topic"],
            )
        )
    if "author" in names:
        author = aliased(PublicationAuthor)
        where.append(
            sa.exists().where(
                author.publication_id == Publication.id,
                author.name == values["author"],
            )
        )
    return where


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
    #: What `hits` found, per filter left out (read once per request).
    found: dict = field(default_factory=dict, repr=False, compare=False)
    #: The words' `sole_terms` (looked up once per request).
    sole: dict | None = field(default=None, repr=False, compare=False)

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

    def sole_terms(self) -> dict[str, str]:
        """The words' `sole_terms`, looked up once."""
        if self.sole is None:
            self.sole = sole_terms(self.terms)
        return self.sole

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.kind or self.topic or self.year or self.author)

    def conditions(self, exclude: str | None = None, text: bool = True) -> list:
        """WHERE clauses for the search and every filter but `exclude` (for facets);
        `text=False` leaves out the full-text match (the bounded search joins it itself)."""
        where = [Publication.status == "published"]
        if self.terms:
            if text:
                where.append(matches(self.terms, self.sole_terms()))
        elif self.q:
            where.append(sa.false())  # only punctuation: nothing to look for, nothing found
        where += _filter_clauses(self.set_filters(exclude), self.filter_values())
        return where

    def set_filters(self, exclude: str | None = None) -> tuple[str, ...]:
        """The names of the filters set (kind, year, topic, author), but `exclude`."""
        return tuple(name for name in _FILTERS if getattr(self, name) and name != exclude)

    def filter_values(self) -> dict:
        return {name: getattr(self, name) for name in _FILTERS}

    def filters(self) -> tuple:
        """The filters and words, without sort and page: what the counts depend on."""
        return (tuple(self.terms), self.kind, self.topic, self.year, self.author)

    def select(self):
        """The matching published records in the asked order (without eager loading)."""
        query = sa.select(Publication).where(*self.conditions())
        if self.sort == "title":
            query = query.order_by(*title_order())
        elif self.sort == "relevance" and self.terms:
            query = ranked(query, self.terms, self.sole_terms()).order_by(*date_order())
        else:
            query = query.order_by(*date_order())
        return query


@dataclass
class Facets:
    kinds: list[tuple[str, str, int]] = field(default_factory=list)
    topics: list[tuple[str, str, int]] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    authors: list[tuple[str, int]] = field(default_factory=list)
    #: The words match more than BOUND records: the counts are among the BOUND most
    #: recently added matches.
    bounded: bool = False


class _Page(Pagination):
    """A page of results found without db.paginate (the bounded search)."""

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


@dataclass
class Hits:
    """The matches of a search for words, newest added first: (id, year, month, day,
    kind) each, at most BOUND; `more` when there are more than that. `best`: the same
    rows, best match first (rank, then newest), when they were ranked."""

    rows: list[tuple]
    more: bool
    best: list[tuple] | None = None

    @property
    def ids(self) -> list[int]:
        return [row[0] for row in self.rows]

    def kept(self, keep) -> Hits:
        """The rows that `keep(row)` keeps, in both orders."""
        best = None if self.best is None else [row for row in self.best if keep(row)]
        return Hits(rows=[row for row in self.rows if keep(row)], more=self.more, best=best)


#: The kinds by number, as `_pack` writes them.
_KIND_LIST = tuple(KINDS)
_KIND_NUMBERS = {kind: n for n, kind in enumerate(_KIND_LIST)}


def _pack(found: Hits) -> bytes:
    """`Hits` as bytes, column by column (ids 4 bytes each, years 2, months, days and kinds
    1, the best-first order 2): about 11 bytes a match where JSON took 40, so a
    store of a few megabytes keeps a few hundred searches, and reading one back costs a
    tenth of parsing JSON."""
    rows = found.rows
    position = {row[0]: n for n, row in enumerate(rows)}
    order = array("H", [position[row[0]] for row in found.best] if found.best is not None else [])
    parts = [
        array("i", [row[0] for row in rows]),
        array("h", [row[1] for row in rows]),
        array("B", [row[2] for row in rows]),
        array("B", [row[3] for row in rows]),
        array("B", [_KIND_NUMBERS[row[4]] for row in rows]),
        order,
    ]
    head = array("I", [len(rows), int(found.more), int(found.best is not None)])
    return head.tobytes() + b"".join(part.tobytes() for part in parts)


def _unpack(data: bytes) -> Hits:
    head = array("I")
    head.frombytes(data[: 3 * head.itemsize])
    n, more, ranked = head
    at = 3 * head.itemsize
    columns = []
    for code in "ihBBBH":
        column = array(code)
        size = (n if code != "H" or ranked else 0) * column.itemsize
        column.frombytes(data[at : at + size])
        at += size
        columns.append(column)
    ids, years, months, days, kinds, order = columns
    rows = list(zip(ids, years, months, days, [_KIND_LIST[k] for k in kinds], strict=True))
    return Hits(rows=rows, more=bool(more), best=[rows[i] for i in order] if ranked else None)


def hits(params: SearchParams, exclude: str | None = None) -> Hits:
    """The records matching the words and the filters (but `exclude`), at most BOUND of
    them, the most recently added first, ranked when no filter is left out. Worked out
    once per request and `exclude` (the page and the facets share it)."""
    if exclude not in params.found:
        params.found[exclude] = _hits(params, exclude)
    return params.found[exclude]


#: The filters `_hits` can apply to the words' matches itself (from the rows, and from
#: each record's topics in `_summary`); an author's name is left to the database.
_DERIVED_FILTERS = frozenset({"kind", "year", "topic"})


def _hits(params: SearchParams, exclude: str | None) -> Hits:
    """The words' matches without a filter come from `_word_hits` (kept until a record
    changes: the same words' other pages and filters, and the facets, reuse them). When
    they are all there (at most BOUND), a filter on kind, year or topic is applied to them
    here, without a statement; otherwise (more than BOUND matches, or an author) the
    filtered search runs in the database, ranked when no filter is left out, and is kept
    in the same way for the same words and filters."""
    filters = params.set_filters(exclude)
    found = _word_hits(params)
    if not filters:
        return found
    if not found.more and _DERIVED_FILTERS.issuperset(filters):
        return _filtered(found, params, filters)
    return _kept_hits(params, filters, rank=exclude is None)


def _word_hits(params: SearchParams) -> Hits:
    """The words' matches, ranked, without any filter: read once per request."""
    if _WORDS not in params.found:
        params.found[_WORDS] = _kept_hits(params, (), rank=True)
    return params.found[_WORDS]


def _kept_hits(params: SearchParams, filters: tuple[str, ...], rank: bool) -> Hits:
    """The matches of the words and `filters` from one statement, then kept until a record
    changes, whatever the words' order (`cached_recent`: about 11 kilobytes for a
    thousand matches, in a store of their own)."""
    parts = (
        tuple(sorted(set(params.terms))),
        tuple((name, getattr(params, name)) for name in filters),
        rank,
    )
    data = cached_recent(
        "publication-hits",
        parts,
        fingerprint(Publication),
        lambda: _pack(_hits_in_database(params, filters, rank)),
    )
    return _unpack(data)


#: Where `SearchParams.found` keeps the words' matches without a filter (beside those
#: found with every filter but one: a filter's name, or None).
_WORDS = "words alone"


def _filtered(found: Hits, params: SearchParams, filters: tuple[str, ...]) -> Hits:
    """The matches of `found` that the filters `filters` (kind, year, topic) keep, in order."""
    kind = params.kind if "kind" in filters else None
    year = params.year if "year" in filters else None
    topic = None
    if "topic" in filters:
        summary = _summary()
        topic = summary.topic_ids.get(params.topic)
        if topic is None:
            return Hits(rows=[], more=False, best=[])  # no such topic: nothing is in it
        in_topic = summary.record_topics.has
    return found.kept(lambda row: (kind is None or row[4] == kind)
                      and (year is None or row[1] == year)
                      and (topic is None or in_topic(row[0], topic)))  # fmt: skip


def _hits_in_database(params: SearchParams, filters: tuple[str, ...], rank: bool) -> Hits:
    words = params.terms
    sole = params.sole_terms()
    postgresql = _dialect() == "postgresql"
    if postgresql:
        # Each word an exact lexeme (its sole term) or a prefix, bound as w0, w1...
        shape = tuple(w in sole for w in words)
        values = {f"w{n}": _pg_exact(sole[w]) if w in sole else w for n, w in enumerate(words)}
    else:
        shape = ()
        values = {"match": _fts_query(words, sole)}
    values.update((name, getattr(params, name)) for name in filters)
    dialect = db.session.get_bind().dialect
    statement = _hits_statement(dialect, shape, filters, rank, BOUND, WALK, DENSE_WALK)
    # Planned for its own words every time on PostgreSQL: a prepared statement's generic
    # plan, made for any words, read three times as long (`_tuples`).
    rows = _tuples(statement, values, prepared=not postgresql)
    if postgresql:
        # The walk-on read all its rows and still found too few: the rest is looked for
        # below its last row (by a walk, then the full-text index), in one statement more.
        on_edge = next((row[0] for row in rows if row[7] == -DENSE_WALK), None)
        if on_edge is not None and sum(1 for row in rows if row[6]) <= BOUND:
            further = _hits_statement(dialect, shape, filters, rank, BOUND, WALK, 0, True)
            rows += _tuples(further, {**values, "below": on_edge}, prepared=False)
        found = {row[0]: row[:6] for row in rows if row[6]}
        rows = [found[key] for key in sorted(found, reverse=True)]
    more, rows = len(rows) > BOUND, rows[:BOUND]
    best = None
    if rank:
        # Best rank first (bm25 is lower for better matches, ts_rank higher), then newest
        # (year, month, day, then the highest id: the rows' own order): two stable sorts
        # on keys read in C, where one on a key made in Python took as long as the rest.
        by_date = sorted(rows, key=_DATE, reverse=True)
        best = list(map(_PLAIN, sorted(by_date, key=_RANK, reverse=postgresql)))
    return Hits(rows=list(map(_PLAIN, rows)), more=more, best=best)


#: A match's row from the statement (id, rank, year, month, day, kind): its parts.
_PLAIN = operator.itemgetter(0, 2, 3, 4, 5)
_DATE = operator.itemgetter(2, 3, 4)
_RANK = operator.itemgetter(1)


@dataclass(frozen=True)
class _Statement:
    """A statement compiled once: its SQL, and how to make its parameters from named
    values (its own defaults, such as its limits, added)."""

    sql: str
    defaults: dict
    #: The parameters' names in their order, for a driver that takes them by position.
    order: tuple | None

    def parameters(self, values: dict):
        merged = {**self.defaults, **values}
        if self.order is None:
            return merged
        return tuple(merged[name] for name in self.order)


@functools.lru_cache(maxsize=256)
def _hits_statement(
    dialect,
    shape: tuple,
    filters: tuple,
    rank: bool,
    bound: int,
    walk_rows: int,
    dense_walk: int,
    below: bool = False,
) -> _Statement:
    """The statement of `_hits` for a shape of search, compiled once per process: on
    PostgreSQL the words' shape (each exact or a prefix), and the filters set, whether
    ranked (and BOUND, WALK and DENSE_WALK). Building and compiling it for every search
    took a few milliseconds of each.

    `below` (PostgreSQL): the search that goes on below the last row an earlier one's
    walk-on read (the bound parameter `below`), with no walk-on of its own."""
    where = [
        Publication.status == "published",
        *_filter_clauses(filters, {name: sa.bindparam(name) for name in filters}),
    ]
    walk_where = [*where, Publication.id < sa.bindparam("below")] if below else where
    dense_walk = 0 if below else dense_walk
    month = sa.func.coalesce(Publication.month, 0)
    day = sa.func.coalesce(Publication.day, 0)
    if dialect.name == "postgresql":
        text = None
        for n, exact in enumerate(shape):
            word = sa.bindparam(f"w{n}", type_=sa.Text)
            part = sa.cast(word, sa.Text) if exact else pg_lexeme(word)
            text = part if text is None else text.op("||")(_text(" & ")).op("||")(part)
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), text)
        walk = (
            sa.select(Publication.id, Publication.year, month.label("month"),
                      day.label("day"), Publication.kind, _pg_vector().label("vector"),
                      sa.func.row_number().over(order_by=Publication.id.desc()).label("n"))
            .where(*walk_where)
            .order_by(Publication.id.desc())
            .limit(walk_rows)
            .subquery("walk")
        )  # fmt: skip
        # The matches among the walk, and its last row (`n` = WALK) whether it matches or
        # not: where the rest, if asked, goes on from.
        hit = walk.c.vector.op("@@")(tsquery)
        first = (
            sa.select(
                walk.c.id,
                sa.func.ts_rank(walk.c.vector, tsquery) if rank else sa.null(),
                walk.c.year, walk.c.month, walk.c.day, walk.c.kind, hit.label("hit"),
                walk.c.n,
            )
            .where(sa.or_(hit, walk.c.n == walk_rows))
            .limit(bound + 1)
            .cte("first")
        )  # fmt: skip
        found_first = (
            sa.select(sa.func.count()).select_from(first).where(first.c.hit).scalar_subquery()
        )
        edge = sa.select(first.c.id).where(first.c.n == walk_rows).scalar_subquery()
        short = sa.and_(found_first <= bound, edge.is_not(None))
        parts = [sa.select(first)]
        # Asked only when the walk found too few and read all its rows (one-time filters:
        # not run otherwise), for the newest matches older than the walk's last row: a walk
        # that read fewer rows read all that the filters keep. Many matches so far (at
        # their rate, the rest within `dense_walk` rows): the walk goes on from its last
        # row for the matches missing, and its own last row if it gets that far (`n`
        # negative: where a further search would go on from, `_hits_in_database`).
        # Otherwise the full-text index, whose estimate cannot tell a common prefix
        # (`mar:*`) from a rare one: it fetched and ranked all of tens of thousands of
        # matches to keep a few dozen.
        dense = found_first * dense_walk >= (bound + 1 - found_first) * walk_rows
        if dense_walk:
            on_walk = (
                sa.select(Publication.id, Publication.year, month.label("month"),
                          day.label("day"), Publication.kind, _pg_vector().label("vector"),
                          sa.func.row_number().over(order_by=Publication.id.desc()).label("n"))
                .where(*where, Publication.id < edge)
                .order_by(Publication.id.desc())
                .limit(dense_walk)
                .subquery("on_walk")
            )  # fmt: skip
            on_hit = on_walk.c.vector.op("@@")(tsquery)
            parts.append(
                sa.select(
                    on_walk.c.id,
                    sa.func.ts_rank(on_walk.c.vector, tsquery) if rank else sa.null(),
                    on_walk.c.year, on_walk.c.month, on_walk.c.day, on_walk.c.kind,
                    on_hit, -on_walk.c.n,
                )
                .where(short, dense, sa.or_(on_hit, on_walk.c.n == dense_walk))
                .limit(bound + 2 - found_first)
            )  # fmt: skip
        rest = (
            sa.select(
                Publication.id,
                sa.func.ts_rank(_pg_vector(), tsquery) if rank else sa.null(),
                Publication.year, month, day, Publication.kind, sa.true(), sa.null(),
            )
            .where(*where, _pg_vector().op("@@")(tsquery), Publication.id < edge)
            .where(short, sa.not_(dense) if dense_walk else sa.true())
            .order_by(Publication.id.desc())
            .limit(bound + 1)
        )  # fmt: skip
        # The rest stops at the first's matches and its own making BOUND + 1 (a limit the
        # planner reads as a constant, so it still picks the full-text index for few
        # matches); the walk's last row may be one more, and the walk-on's one more.
        found_rows = sa.union_all(*parts, rest).subquery("found")
        query = sa.select(found_rows).limit(bound + 3)
    else:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        weights = ", ".join(str(w) for w in COLUMNS.values())
        score = sa.literal_column(f"bm25({FTS_TABLE}, {weights})")
        query = (
            sa.select(
                Publication.id,
                score if rank else sa.null(),
                Publication.year,
                month,
                day,
                Publication.kind,
            )
            .select_from(fts)
            .join(Publication, Publication.id == fts.c.rowid)
            .where(
                sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("match", type_=sa.Text)),
                *where,
            )
            # The full-text index hands its matches over in rowid order and stops at the
            # limit: no match beyond it is ever read.
            .order_by(fts.c.rowid.desc())
            .limit(bound + 1)
        )
    compiled = query.compile(dialect=dialect)
    own = {*filters, "match", "below", *(f"w{n}" for n in range(len(shape)))}
    defaults = {
        name: value
        for name, value in compiled.construct_params(_check=False).items()
        if name not in own
    }
    order = tuple(compiled.positiontup) if compiled.positional else None
    return _Statement(str(compiled), defaults, order)


def _tuples(query, values: dict | None = None, prepared: bool = True) -> list[tuple]:
    """The rows of a query of plain columns (or a `_Statement` and its `values`) as the
    database driver hands them over (no result rows built: a thousand hits cost more to
    wrap than to read). `prepared=False`: never as a prepared statement (psycopg prepares a
    statement run five times on a connection, and PostgreSQL may then run it with a
    generic plan, made for any values)."""
    connection = db.session.connection()
    driver = connection.connection.dbapi_connection
    threshold = getattr(driver, "prepare_threshold", None)
    if not prepared and threshold is not None:
        driver.prepare_threshold = None
    try:
        if isinstance(query, _Statement):
            result = connection.exec_driver_sql(query.sql, query.parameters(values or {}))
        else:
            result = connection.execute(query)
        try:
            return result.cursor.fetchall()
        finally:
            result.close()
    finally:
        if not prepared and threshold is not None:
            driver.prepare_threshold = threshold


def _load(ids: list[int]) -> list[Publication]:
    """The publications `ids` in that order, with their authors and topics (exports)."""
    if not ids:
        return []
    query = with_lists(sa.select(Publication).where(Publication.id.in_(ids)))
    found = {p.id: p for p in db.session.scalars(query)}
    return [found[i] for i in ids if i in found]


def _stand_ins(ids: list[int]) -> list:
    """The records `ids`, in that order, as stand-ins (`core.deferred`): their id and
    `updated_at` (which name a record's kept piece of the list) read in one query; the
    records are read as the list shows them (`items.list_items`), the page's together,
    only if a piece was not kept."""
    if not ids:
        return []
    found = {
        row.id: row._mapping
        for row in db.session.execute(
            sa.select(Publication.id, Publication.updated_at).where(Publication.id.in_(ids))
        )
    }
    return deferred([found[i] for i in ids if i in found], list_items)


def results(params: SearchParams, page: int = 1, per_page: int = PER_PAGE):
    """One page of results, in a fixed number of queries.

    A search for words ranks and counts among at most BOUND of its matches (`hits`);
    `pagination.more` says there were more. Without words, the list is read in an order
    an index serves and counted exactly (the count is cached until a record changes)."""
    page = max(page, 1)
    if not params.terms:
        return list_page(params, page, per_page)
    start = (page - 1) * per_page
    found = hits(params)
    if params.sort == "relevance" or (params.sort == "date" and not found.more):
        if params.sort == "relevance":
            rows = found.best
        else:
            rows = sorted(found.rows, key=lambda r: (r[1], r[2], r[3], r[0]), reverse=True)
        ids = [row[0] for row in rows[start : start + per_page]]
        pagination = _Page(page=page, per_page=per_page, error_out=False,
                           items=_stand_ins(ids), total=len(found.rows))  # fmt: skip
    else:
        # By title, or by date beyond BOUND matches: the exact order, from the query; the
        # records as stand-ins, as on the list without words.
        rows = params.select().with_only_columns(Publication.id, Publication.updated_at)
        pagination = paginate_deferred(rows, list_items, page=page, per_page=per_page, count=False)
        pagination.total = len(found.rows)
    pagination.more = found.more
    return pagination


def list_page(params: SearchParams, page: int, per_page: int) -> DeferredPagination:
    """One page of the list without words, in an order an index serves, counted exactly
    (the count cached until a record changes); the records as stand-ins, rows of their id
    and `updated_at` (which name a record's kept piece of the list), read as the list shows
    them (`items.list_items`), the whole page at once, only if a piece was not kept
    (`interacta.core.deferred`)."""
    rows = params.select().with_only_columns(Publication.id, Publication.updated_at)
    pagination = paginate_deferred(rows, list_items, page=page, per_page=per_page, count=False)
    pagination.more = False
    pagination.total = _count(params)
    return pagination


def _count(params: SearchParams) -> int:
    """How many records the filters keep, exactly; cached until a record changes."""

    def build() -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Publication).where(*params.conditions())
        )

    return cached("publication-count", params.filters(), fingerprint(Publication), build)


def all_results(params: SearchParams, limit: int = 1000) -> list[Publication]:
    """Every result (up to `limit`), for exports."""
    if params.terms and params.sort == "relevance":
        rows = hits(params).best
        return _load([row[0] for row in rows[:limit]])
    return list(db.session.scalars(with_lists(params.select().limit(limit))))


_FACETS = ("kind", "year", "topic", "author")


def facets(params: SearchParams, max_authors: int = 15) -> Facets:
    """Counts per kind, topic, year and author among the records the search finds; each
    facet ignores its own filter so the other choices stay visible.

    With words: counted among the matches `hits` finds (one query per facet whose filter
    is set, plus one), from each record's topics and names kept in the summary of all the
    records (`_summary`, read once per process while they are unchanged). Without: exact
    counts over every record, derived from the same summary (`_exact_counts`), and cached
    until a record changes."""
    if not params.terms:
        counts = cached(
            "publication-facets",
            params.filters(),
            fingerprint(Publication),
            lambda: _exact_counts(params, max_authors),
        )
        return _facets(counts, bounded=False)
    found = hits(params)
    per_facet = {}
    bounded = found.more
    for name in _FACETS:
        if getattr(params, name):
            other = hits(params, exclude=name)
            per_facet[name] = other.rows
            bounded = bounded or other.more
        else:
            per_facet[name] = found.rows
    return _facets(_counts_among(per_facet, max_authors), bounded=bounded)


def _facets(counts: dict, bounded: bool) -> Facets:
    kinds = dict(counts["kind"])
    return Facets(
        kinds=[(k, str(KIND_NAMES[k]), kinds[k]) for k in KINDS if k in kinds],
        topics=[(row[0], row[1], row[2]) for row in counts["topic"]],
        years=[(row[0], row[1]) for row in counts["year"]],
        authors=[(row[0], row[1]) for row in counts["author"]],
        bounded=bounded,
    )


def _value_table(values: list[str], name: str):
    """The strings as a one-column table `value` (a CTE), passed as one parameter."""
    if _dialect() == "postgresql":
        array = sa.cast(sa.literal(values, ARRAY(sa.String)), ARRAY(sa.String))
        return sa.select(sa.func.unnest(array).label("value")).cte(name)
    values_ = sa.func.json_each(sa.literal(json.dumps(values))).table_valued("value")
    return sa.select(values_.c.value.label("value")).cte(name)


def _counts_among(rows: dict[str, list[tuple]], max_authors: int) -> dict:
    """Each facet's counts among its list of matches (`Hits.rows`; the same list unless
    a facet's own filter is set). Kinds and years are counted from the rows themselves;
    topics and author names from each record's topics and names kept in `_summary`
    (each name once per record), without a query but for the order of tied names
    (`_top_names`)."""
    summary = _summary()
    kinds = Counter(row[4] for row in rows["kind"])
    years = Counter(row[1] for row in rows["year"])
    topics = summary.record_topics.count(row[0] for row in rows["topic"])
    numbered = summary.record_names.count(row[0] for row in rows["author"])
    name_of = summary.name_list
    return {
        "kind": list(kinds.items()),
        "year": sorted(years.items(), reverse=True),
        "topic": [(slug, name, topics[tid]) for tid, slug, name in summary.topics if topics[tid]],
        "author": _top_numbered(numbered, name_of, max_authors),
    }


def _exact_counts(params: SearchParams, max_authors: int) -> dict:
    """Counts over every record the filters keep, derived from `_summary` (the counts per
    kind and year, per kind, year and topic, and per author, kind and year, read once
    while the publications are unchanged): no query grows with the records a filter keeps,
    but for an author's own records (one query) and the author facet under a topic filter
    (one grouped query). The tie order of names is the database's (one query)."""
    if params.q:
        # Words without letters or digits (`SearchParams.conditions`): nothing found.
        return {"kind": [], "year": [], "topic": [], "author": []}
    summary = _summary()
    topic_id = None
    if params.topic:
        topic_id = summary.topic_ids.get(params.topic, -1)  # -1: no such topic, nothing kept

    def keeps(kind, year, exclude):
        return (exclude == "kind" or not params.kind or kind == params.kind) and (
            exclude == "year" or not params.year or year == params.year
        )

    kinds: Counter = Counter()
    years: Counter = Counter()
    topics: Counter = Counter()
    if params.author:
        # The author's records: few, read with their topics and counted here.
        for kind, year, ids in _author_records(params.author):
            in_topic = topic_id is None or topic_id in ids
            if in_topic and keeps(kind, year, "kind"):
                kinds[kind] += 1
            if in_topic and keeps(kind, year, "year"):
                years[year] += 1
            if keeps(kind, year, "topic"):
                topics.update(ids)
    else:
        for (kind, year, topic), n in summary.topic_cells.items():
            if topic == topic_id:
                if keeps(kind, year, "kind"):
                    kinds[kind] += n
                if keeps(kind, year, "year"):
                    years[year] += n
            if keeps(kind, year, "topic"):
                topics[topic] += n
        if topic_id is None:
            for (kind, year), n in summary.cells.items():
                if keeps(kind, year, "kind"):
                    kinds[kind] += n
                if keeps(kind, year, "year"):
                    years[year] += n
    if topic_id is None and not params.kind and not params.year:
        authors = _top_names(summary.all_names, max_authors)
    elif topic_id is None:
        numbered: Counter = Counter()
        for (kind, year), (numbers, counts) in summary.names.items():
            if keeps(kind, year, "author"):
                for number, n in zip(numbers, counts, strict=True):
                    numbered[number] += n
        name_of = summary.name_list
        authors = _top_numbered(numbered, name_of, max_authors)
    else:
        authors = _topic_top_authors(params, max_authors)
    return {
        "kind": [(kind, n) for kind, n in kinds.items() if n],
        "year": sorted(((year, n) for year, n in years.items() if n), reverse=True),
        "topic": [(slug, name, topics[tid]) for tid, slug, name in summary.topics if topics[tid]],
        "author": authors,
    }


@dataclass
class _Summary:
    #: (kind, year) -> records
    cells: dict
    #: (kind, year, topic id) -> records
    topic_cells: dict
    #: (kind, year) -> (numbers of the author names in `name_list`, records of each): two
    #: arrays of machine integers, a twentieth of what a dict per cell took
    names: dict
    #: every author name, once (a name's number is its place here)
    name_list: list
    #: author name -> records (all kinds and years)
    all_names: dict
    #: (id, slug, name) of every topic, in their order
    topics: list
    #: slug -> id
    topic_ids: dict
    #: each published record's topic ids, by record id
    record_topics: _Runs
    #: each published record's author names (their numbers in `name_list`), each once
    record_names: _Runs


class _Runs:
    """Numbers listed per record id, as runs in one array: a record's numbers are
    `values[start[id]:start[id] + length[id]]` (three arrays of machine integers, a few
    megabytes at 100,000 records). Filled in the order of record ids, each record's
    numbers together (`add`)."""

    def __init__(self) -> None:
        self.start = array("I")
        self.length = array("I")
        self.values = array("I")

    def add(self, record: int, value: int) -> None:
        if record >= len(self.length):
            _grow(self.start, record)
            _grow(self.length, record)
        if not self.length[record]:
            self.start[record] = len(self.values)
        self.length[record] += 1
        self.values.append(value)

    def has(self, record: int, value: int) -> bool:
        """Whether `record` lists `value`."""
        if record >= len(self.length):
            return False
        start = self.start[record]
        return value in self.values[start : start + self.length[record]]

    def count(self, records) -> Counter:
        """How many of `records` list each number (the runs gathered and counted in C:
        a loop in Python over a thousand records took milliseconds)."""
        known = len(self.length)
        records = [r for r in records if r < known]
        if not records:
            return Counter()
        get = operator.itemgetter(*records)
        starts, lengths = get(self.start), get(self.length)
        if len(records) == 1:
            starts, lengths = (starts,), (lengths,)
        runs = map(slice, starts, map(operator.add, starts, lengths))
        return Counter(itertools.chain.from_iterable(map(self.values.__getitem__, runs)))


#: The summary this process read last: ((database, version), _Summary).
_summaries: dict = {}


def _summary() -> _Summary:
    """The published records counted per kind and year, per kind, year and topic, and per
    author name, kind and year (each name once per record), read in five plain queries (no
    grouping, no sort) once while the publications are unchanged. Kept in this process
    (too large to pickle into the cache per request); the cache holds only a token, so
    emptying the cache, or a change of the publications' fingerprint, reads it again."""
    token = cached("publication-facet-summary", (), fingerprint(Publication), lambda: uuid4().hex)
    bind = db.session.get_bind()
    version = (str(getattr(bind, "engine", bind).url), token)
    found = _summaries.get("last")
    if found is not None and found[0] == version:
        return found[1]
    # Plain reads (the records' kind and year, then every topic and name of a record, each
    # from an index that holds it), joined and counted here: grouping in the database would
    # sort every row first; rows as the driver hands them over (`_plain_rows`).
    published = Publication.status == "published"
    # Kind and year in two reads, each from an index that holds it (ix_publications_status_kind,
    # ix_publications_status_date): on SQLite the year sits behind the abstract in the row.
    # Each record's kind, then its cell (kind and year), is kept by id in an array of small
    # numbers (0: none), where dicts of 100,000 records took tens of megabytes at their peak.
    kind_names: list[str] = []
    kind_no: dict[str, int] = {}
    kind_of = array("H")
    for pid, kind in _plain_rows(sa.select(Publication.id, Publication.kind).where(published)):
        number = kind_no.get(kind)
        if number is None:
            kind_names.append(kind)
            number = kind_no[kind] = len(kind_names)
        _grow(kind_of, pid)
        kind_of[pid] = number
    cell_of = array("I")
    cells: Counter = Counter()
    keys: list[tuple] = []
    key_no: dict[tuple, int] = {}
    for pid, year in _plain_rows(sa.select(Publication.id, Publication.year).where(published)):
        kind = kind_of[pid] if pid < len(kind_of) else 0
        if not kind:
            continue  # published in between the two reads
        number = key_no.get((kind, year))
        if number is None:
            keys.append((kind_names[kind - 1], year))
            number = key_no[(kind, year)] = len(keys)
        _grow(cell_of, pid)
        cell_of[pid] = number
        cells[keys[number - 1]] += 1
    del kind_of
    topic_cells: Counter = Counter()
    record_topics = _Runs()
    pt = publication_topics
    for pid, topic in _plain_rows(
        sa.select(pt.c.publication_id, pt.c.topic_id).order_by(pt.c.publication_id)
    ):
        number = cell_of[pid] if pid < len(cell_of) else 0
        if number:
            topic_cells[(*keys[number - 1], topic)] += 1
            record_topics.add(pid, topic)
    topics = [
        tuple(row)
        for row in db.session.execute(
            sa.select(Topic.id, Topic.slug, Topic.name).order_by(Topic.position, Topic.id)
        )
    ]
    # Each (cell, name) of a record as one number in an array, sorted, then counted by runs.
    # A name repeated in a record counts once: in the index's order (record, name) it comes
    # twice in a row.
    name_list: list[str] = []
    name_no: dict[str, int] = {}
    all_counts = array("I")
    pairs = array("Q")
    record_names = _Runs()
    last = None
    for pid, name in _plain_rows(
        sa.select(PublicationAuthor.publication_id, PublicationAuthor.name).order_by(
            PublicationAuthor.publication_id, PublicationAuthor.name
        )
    ):
        number = cell_of[pid] if pid < len(cell_of) else 0
        if not number or (pid, name) == last:
            continue
        last = (pid, name)
        no = name_no.get(name)
        if no is None:
            no = name_no[name] = len(name_list)
            name_list.append(name)
            all_counts.append(0)
        all_counts[no] += 1
        pairs.append(number << 32 | no)
        record_names.add(pid, no)
    del cell_of, name_no
    names: dict = {}
    run_key, run = None, 0
    for pair in [*sorted(pairs), None]:
        if pair != run_key:
            if run_key is not None:
                cell = names.setdefault(keys[(run_key >> 32) - 1], (array("I"), array("I")))
                cell[0].append(run_key & 0xFFFFFFFF)
                cell[1].append(run)
            run_key, run = pair, 0
        run += 1
    del pairs
    all_names = dict(zip(name_list, all_counts, strict=True))
    summary = _Summary(
        cells=cells,
        topic_cells=topic_cells,
        names=names,
        name_list=name_list,
        all_names=all_names,
        topics=topics,
        topic_ids={slug: tid for tid, slug, _name in topics},
        record_topics=record_topics,
        record_names=record_names,
    )
    _summaries["last"] = (version, summary)
    return summary


def _grow(numbers: array, index: int) -> None:
    """Make `numbers` long enough to hold `index` (zeros added, with room for more)."""
    if index >= len(numbers):
        numbers.frombytes(bytes(numbers.itemsize * (index + 1 - len(numbers) + 4096)))


def _plain_rows(query, chunk: int = 10_000) -> Iterator[tuple]:
    """The rows of a query of plain columns (integers and strings) as the database driver
    hands them over, a chunk at a time: many rows, for which building result rows would
    cost more than the query, and holding them all more memory than what is kept of them.
    On PostgreSQL the driver receives them a chunk at a time too (psycopg's `stream`,
    libpq's chunked mode): read whole, the 250,000 authors' names of 100,000 records grew
    each worker by tens of megabytes that stayed with it. SQLite's driver reads as it goes.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        compiled = query.compile(dialect=connection.dialect)
        with connection.connection.dbapi_connection.cursor() as cursor:
            yield from cursor.stream(str(compiled), compiled.params, size=chunk)
        return
    result = connection.execute(query)
    try:
        while rows := result.cursor.fetchmany(chunk):
            yield from rows
    finally:
        result.close()


def _author_records(author: str) -> list[tuple[str, int, set]]:
    """(kind, year, topic ids) of each published record `author` signed. One query."""
    pt = publication_topics
    rows = db.session.execute(
        sa.select(Publication.id, Publication.kind, Publication.year, pt.c.topic_id)
        .outerjoin(pt, pt.c.publication_id == Publication.id)
        .where(
            Publication.status == "published",
            Publication.id.in_(
                sa.select(PublicationAuthor.publication_id).where(PublicationAuthor.name == author)
            ),
        )
    )
    found: dict[int, tuple[str, int, set]] = {}
    for pid, kind, year, topic in rows:
        record = found.setdefault(pid, (kind, year, set()))
        if topic is not None:
            record[2].add(topic)
    return list(found.values())


def _topic_top_authors(params: SearchParams, limit: int) -> list[tuple[str, int]]:
    """The names with the most records among those the kind, year and topic filters keep
    (the summary has no topics per name). One grouped query."""
    names = (
        sa.select(PublicationAuthor.publication_id, PublicationAuthor.name)
        .join(Publication, Publication.id == PublicationAuthor.publication_id)
        .where(*params.conditions("author"))
        .distinct()
        .subquery("names")
    )
    count = sa.func.count()
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(names.c.name, count)
            .group_by(names.c.name)
            .order_by(count.desc(), names.c.name)
            .limit(limit)
        )
    ]


def _top_numbered(numbered: Counter, name_of: list[str], limit: int) -> list[tuple[str, int]]:
    """`_top_names` of names counted by their number in `name_of`: only the names that
    can make the list are looked up."""
    if not numbered or limit <= 0:
        return []
    least = heapq.nlargest(limit, numbered.values())[-1]
    return _top_names({name_of[k]: n for k, n in numbered.items() if n >= least}, limit)


def _top_names(counts: dict[str, int], limit: int) -> list[tuple[str, int]]:
    """The `limit` names with the most records, ties in the database's order of names:
    Python's where the database orders text by code point (`_codepoint_order`), else one
    query over the names that can make the list."""
    if not counts or limit <= 0:
        return []
    ranked = heapq.nlargest(limit, counts.values())
    least = ranked[-1]
    candidates = [name for name, n in counts.items() if n >= least]
    if len(candidates) > 1 and _codepoint_order(db.session.get_bind()):
        order = sorted(candidates)
    elif len(candidates) > 1:
        table = _value_table(candidates, "names")
        order = list(db.session.scalars(sa.select(table.c.value).order_by(table.c.value)))
    else:
        order = candidates
    order.sort(key=lambda name: -counts[name])  # stable: by name within a count
    return [(name, counts[name]) for name in order[:limit]]


#: Per database (its URL): whether it orders text by code point, as Python orders strings.
_CODEPOINT_ORDER: dict[str, bool] = {}
#: PostgreSQL locales whose order of text is that of the code points (libc's C.UTF-8 since
#: glibc 2.35; PostgreSQL 17's builtin provider).
_CODEPOINT_LOCALES = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8"})


def _codepoint_order(bind) -> bool:
    """Whether the database orders text (its default collation) by code point: SQLite's
    BINARY does (UTF-8 bytes compare as their code points), and PostgreSQL does with the
    C, POSIX or C.UTF-8 locale; ICU and the other libc locales do not. Asked once per
    process and database. `bind`: the session's engine or connection."""
    engine = bind.engine
    key = engine.url.render_as_string(hide_password=True)
    if key not in _CODEPOINT_ORDER:
        if engine.dialect.name != "postgresql":
            found = engine.dialect.name == "sqlite"
        else:
            # Every column of the row as JSON: `datlocprovider` (PostgreSQL 15) and
            # `datlocale` (17) are missing before.
            row = db.session.scalar(
                sa.text("SELECT to_jsonb(d) FROM pg_database d WHERE datname = current_database()")
            )
            found = _codepoint_locale(row)
        _CODEPOINT_ORDER[key] = found
    return _CODEPOINT_ORDER[key]


def _codepoint_locale(database: dict) -> bool:
    """Whether a PostgreSQL database (its `pg_database` row) orders text by code point."""
    provider = database.get("datlocprovider", "c")  # libc before PostgreSQL 15
    locale = database.get("datcollate") if provider == "c" else database.get("datlocale")
    return provider in ("c", "b") and locale in _CODEPOINT_LOCALES


# --- keeping search_authors and search_translations current -----------------------------


def author_text(pub: Publication) -> str:
    return " ".join(a.name for a in pub.authors)


def translation_text(pub: Publication) -> str:
    """The translations' titles and abstracts, one text (searched, never shown)."""
    return "\n".join(part for row in pub.translations for part in (row.title, row.abstract) if part)


@event.listens_for(Session, "before_flush")
def _refresh_author_text(session: Session, _context, _instances) -> None:
    """Copy each changed publication's author names into `search_authors` and its
    translations' text into `search_translations` (the FTS triggers and the tsvector
    index read them from the publications row)."""
    changed = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Publication) and obj not in session.deleted:
            changed.add(obj)
        elif isinstance(obj, PublicationAuthor | PublicationTranslation):
            pub = obj.publication
            if pub is not None and pub not in session.deleted:
                changed.add(pub)
    for pub in changed:
        text = author_text(pub)
        if pub.search_authors != text:
            pub.search_authors = text
        translations = translation_text(pub)
        if pub.search_translations != translations:
            pub.search_translations = translations
