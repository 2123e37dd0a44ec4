"""The events lists' word search, served by a trigram index (migration 0030_evsearch).

A word of the search matches an event when its title, summary, description or venue name,
or the title, summary or description of one of its translations, contains the word: ILIKE
'%word%', with the case rules of each database (SQLite: ASCII letters only; PostgreSQL:
the database's ctype). The index finds the same events without reading every event's text:

- SQLite: `events_fts` and `event_translations_fts`, contentless FTS5 tables with the
  trigram tokenizer, case kept, over the events' and the translations' columns lowered
  by lower() (ASCII letters only, as ILIKE lowers them there), kept in step by triggers.
  A quoted MATCH of the lowered word (3 characters or more) finds exactly the rows where
  one column holds it: ILIKE's own test, which is then not run.
- PostgreSQL: `ix_events_search_trgm` and `ix_event_translations_search_trgm`, pg_trgm GIN
  indexes over the columns joined by spaces (an expression); the same ILIKE over that
  expression is served by them, and holds whenever it holds on one of the columns.

A word of fewer than 3 characters has no trigram to look up: it is matched by ILIKE
alone, as before. Neither object is in the models; the drift check skips them by name
(`is_search_object`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from interacta.core.cache import cached_each, fingerprint
from interacta.events.models import Event, EventTranslation
from interacta.extensions import db

EVENTS_FTS = "events_fts"
TRANSLATIONS_FTS = "event_translations_fts"
PG_EVENTS_INDEX = "ix_events_search_trgm"
PG_TRANSLATIONS_INDEX = "ix_event_translations_search_trgm"
#: The shortest word a trigram index can look up.
MIN_LENGTH = 3


def is_search_object(name: str | None, type_: str, _parent_names=None) -> bool:
    return bool(name) and (
        name.startswith((EVENTS_FTS, TRANSLATIONS_FTS))
        or name in (PG_EVENTS_INDEX, PG_TRANSLATIONS_INDEX)
    )


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: leave the trigram index's objects out of autogenerate."""
    return not is_search_object(name, type_)


def _joined(*columns):
    """The columns joined by spaces, NULL as empty (the PostgreSQL indexes' expression,
    written as in migration 0030_evsearch so the planner recognises it)."""
    parts = []
    for n, column in enumerate(columns):
        if n:
            parts.append(sa.literal_column("' '"))
        parts.append(sa.func.coalesce(column, sa.literal_column("''")))
    expression = parts[0]
    for part in parts[1:]:
        expression = expression.op("||")(part)
    return expression


def indexable(word: str) -> bool:
    """Whether the index can narrow the search for `word` (% and _ already removed):
    3 characters or more, no NUL, and on PostgreSQL no backslash (LIKE's escape there:
    'ab\\' would anchor the pattern at the end of the joined text, not of each column)."""
    if len(word) < MIN_LENGTH or "\x00" in word:
        return False
    return "\\" not in word or db.session.get_bind().dialect.name != "postgresql"


#: lower() of SQLite: ASCII letters only (as ILIKE lowers both sides there).
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def conditions(words: list[tuple[str, object]]) -> list:
    """WHERE clauses on Event, one per `(word, ilike)` (the word without % and _, and the
    ILIKE '%word%' test of `services._filtered`), each keeping the same events as
    `ilike`: read from the index when the word is `indexable`, `ilike` itself otherwise."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _pg_conditions(words)
    return _fts_conditions(words)


#: SQLite: a word matching more events than this, or more than half of them, is common;
#: its ILIKE then reads the list's events in date order, stopping once the page and its
#: bounded count are found. Reading every match of a common word from the index cost more
#: than that walk (at ten times the bench's data a common word matched 19,900 events:
#: 20 ms to list them, where the walk reads about a thousand); a rarer word's matches are
#: few to read, or sparse enough among the events that the walk would read many more.
FTS_BOUND = 2000


def _fts_match(word: str, table: str):
    """SQLite: the rowids of `table` (an FTS5 table) holding `word`. The index holds the
    lowered text and keeps case, so a quoted MATCH of the lowered word is ILIKE's test
    itself, on every column."""
    # A quoted FTS5 string: the word literally (a quote doubled).
    phrase = '"' + word.translate(_ASCII_LOWER).replace('"', '""') + '"'
    fts = sa.table(table, sa.column("rowid"))
    return sa.select(fts.c.rowid).where(sa.literal_column(table).op("MATCH")(phrase))


def _fts_matches(word: str):
    """SQLite: the ids of the events holding `word`, or one of their translations."""
    translated = sa.select(EventTranslation.event_id).where(
        EventTranslation.id.in_(_fts_match(word, TRANSLATIONS_FTS))
    )
    return _fts_match(word, EVENTS_FTS), translated


def _fts_conditions(words: list[tuple[str, object]]) -> list:
    """SQLite: a rarer word is matched from the index (its matches read by id); a common
    word keeps its ILIKE (`_fts_kinds`)."""
    kinds = _probed("event-word-fts", words, _fts_kinds)
    clauses = []
    for word, ilike in words:
        kind = kinds.get(word, "common")
        if kind == "common":
            clauses.append(ilike)
        elif kind == "indexed":
            clauses.append(Event.id.in_(sa.union_all(*_fts_matches(word))))
        else:
            clauses.append(sa.false())  # no match
    return clauses


def _probed(name: str, words: list[tuple[str, object]], probe) -> dict:
    """`probe(words)` for the indexable words, each word's answer kept until an event (or
    a translation) changes: a word comes back (the next page, another filter, another
    visitor), and asking the index again cost as much as the list."""
    asked = sorted({word for word, _ilike in words if indexable(word)})
    return cached_each(name, asked, fingerprint(Event), probe) if asked else {}


def _fts_kinds(asked: list[str]) -> dict[str, str]:
    """SQLite: for each word, "indexed" (matched from the index), "common" (its ILIKE) or
    "none" (no match). One query reads at most FTS_BOUND + 1 matches of each word from
    each index (events, translations), and the highest event id (about how many events
    there are)."""
    # Counted by the database: a common word's 2,001 rows cost more to fetch than to read.
    # Up to the bound, or half the events (the highest id) if fewer, and one more.
    events = sa.select(sa.func.max(Event.id)).scalar_subquery()
    limit = sa.func.min(FTS_BOUND, sa.func.coalesce(events, 0) // 2) + 1
    parts = [sa.select(sa.literal(-1), sa.literal(0), events)]
    for n, word in enumerate(asked):
        for part, matches in enumerate(_fts_matches(word)):
            found = matches.limit(limit).subquery()
            parts.append(
                sa.select(sa.literal(n), sa.literal(part), sa.func.count()).select_from(found)
            )
    events = 0
    counts: dict[tuple[int, int], int] = {}
    for n, part, value in db.session.execute(sa.union_all(*parts)):
        if n < 0:
            events = value or 0
        elif value:
            counts[n, part] = value
    bound = min(FTS_BOUND, events // 2)
    kinds = {}
    for n, word in enumerate(asked):
        found = [counts.get((n, part), 0) for part in (0, 1)]
        if any(count > bound for count in found):
            kinds[word] = "common"
        else:
            kinds[word] = "indexed" if any(found) else "none"
    return kinds


#: PostgreSQL: a word with more candidates than this is common; its ILIKE then reads the
#: list's events in date order as before (the index's recheck of that many rows' joined
#: text costs more than the list's own walk).
BOUND = 200


def _pg_conditions(words: list[tuple[str, object]]) -> list:
    """PostgreSQL: a word with at most BOUND candidates keeps them, then its ILIKE on them
    alone; a common word keeps its ILIKE alone (`_pg_candidates`)."""
    candidates = _probed("event-word-pg", words, _pg_candidates)
    clauses = []
    for word, ilike in words:
        found = candidates.get(word, "common")
        if found == "common":
            clauses.append(ilike)
        elif not found:
            clauses.append(sa.false())  # no candidate: no match
        else:
            ids = sa.cast(sa.literal(list(found), ARRAY(sa.Integer)), ARRAY(sa.Integer))
            clauses.append(sa.and_(Event.id == sa.any_(ids), ilike))
    return clauses


def _pg_candidates(asked: list[str]) -> dict[str, object]:
    """PostgreSQL: for each word, its candidates (the ids of the events whose joined text
    passes the ILIKE: a superset of the events where one column does), or "common" when
    there are more than BOUND. One query asks the index for at most BOUND + 1 of each."""
    parts = []
    own = _joined(Event.title, Event.summary, Event.description, Event.venue_name)
    translated = _joined(
        EventTranslation.title, EventTranslation.summary, EventTranslation.description
    )
    for n, word in enumerate(asked):
        pattern = f"%{word}%"
        parts.append(sa.select(sa.literal(n), Event.id).where(own.ilike(pattern)).limit(BOUND + 1))
        parts.append(
            sa.select(sa.literal(n), EventTranslation.event_id)
            .where(translated.ilike(pattern))
            .limit(BOUND + 1)
        )
    counts: dict[int, int] = {}
    found: dict[int, set[int]] = {n: set() for n in range(len(asked))}
    for n, event_id in db.session.execute(sa.union_all(*parts)):
        counts[n] = counts.get(n, 0) + 1
        found[n].add(event_id)
    return {
        word: "common" if counts.get(n, 0) > BOUND else tuple(sorted(found[n]))
        for n, word in enumerate(asked)
    }
