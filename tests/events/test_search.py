"""The events lists' word search, read from the trigram index (interacta.events.search):
the same events as ILIKE on each field, and the index follows every change."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from interacta.events import search, services
from interacta.extensions import db

from .test_list_pieces import BENCH_EVENT_STATISTICS

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def found(q: str, past: bool = False) -> list[str]:
    """The titles the list (upcoming, or past) shows for the words `q`, in its order."""
    build = services.past_query if past else services.upcoming_query
    query = build(services.Filters(q=q), now=NOW)
    return [event.title for event in db.session.scalars(query)]


def by_ilike(q: str, past: bool = False) -> list[str]:
    """The same list with every word matched by ILIKE alone (no index)."""
    real = search.conditions
    search.conditions = lambda words: [ilike for _word, ilike in words]
    try:
        return found(q, past)
    finally:
        search.conditions = real


@pytest.fixture
def events(make_event, db):
    base = NOW + timedelta(days=3)
    texts = [
        dict(title="Maritime Security Forum", summary="Ports and SHIPPING lanes"),
        dict(title="Coopération économique", summary="Été à Paris", venue_name="Café Élysée"),
        dict(title="STRAßE und Grüße", description="Köln, İstanbul and the \u212aelvin scale"),
        dict(title="50% off_line", summary='a\\b o\'brien "quoted"', description="σίσυφος ΣΊΣΥΦΟΣ"),
        dict(title="Plain", summary="nothing here", venue_name=None),
    ]
    made = []
    for n, values in enumerate(texts):
        made.append(make_event(starts_at=base + timedelta(hours=n), **values))
    # One in the past, so the past tab has a match too.
    made.append(make_event(title="Past security talk", starts_at=NOW - timedelta(days=9)))
    french = {"title": "Sécurité maritime", "summary": "", "description": "La CONFÉRENCE annuelle"}
    services.set_translations(made[4], {"fr": french})
    db.session.commit()
    return made


WORDS = [
    "security", "SECURITY", "Secu", "sec", "ty", "e", "ma", "shipping", "lanes", "port",
    "coopération", "COOPÉRATION", "economique", "économique", "ÉCONOMIQUE", "été", "ÉTÉ",
    "café", "CAFÉ", "élysée", "straße", "STRASSE", "grüße", "köln", "KÖLN", "istanbul",
    "İstanbul", "kelvin", "\u212aelvin", "50%", "off_line", "offline", "a\\b", "b\\", "\\",
    "o'brien", '"quoted"', '"quo', "σίσυφος", "ΣΊΣΥΦΟΣ", "sécurité", "SÉCURITÉ", "conférence",
    "CONFÉRENCE", "annuelle", "plain", "nothing", "zzz", "%", "_", "%%%", "___", "*", "sec*",
    "maritime security", "forum port", "sécurité annuelle", "security zzz",
]  # fmt: skip


@pytest.mark.parametrize("past", [False, True])
def test_the_search_finds_the_same_events_as_ilike_on_each_field(events, past):
    for q in WORDS:
        assert found(q, past) == by_ilike(q, past), q


def test_the_search_finds_a_word_anywhere_in_the_text_or_a_translation(events):
    assert found("CURITY") == ["Maritime Security Forum"]
    assert found("shipp") == ["Maritime Security Forum"]
    assert found("maritime") == ["Maritime Security Forum", "Plain"]  # the French title
    assert found("annuelle") == ["Plain"]  # the translation's description
    assert found("lysée") == ["Coopération économique"]  # the venue
    assert found("security", past=True) == ["Past security talk"]
    assert found("nowhere to be found") == []


def test_a_new_event_is_found(events, make_event, db):
    make_event(title="Brand new colloquium", starts_at=NOW + timedelta(days=5))
    db.session.commit()
    assert found("colloquium") == ["Brand new colloquium"]


def test_an_edited_event_is_found_by_its_new_text_only(events, db):
    event = events[0]
    services.update_event(event, title="Arctic governance", summary="Ice", venue_name="Tromsø")
    db.session.commit()
    assert found("arctic") == ["Arctic governance"]
    assert found("tromsø") == ["Arctic governance"]
    assert found("shipping") == []
    assert found("security") == []
    assert found("sécurité") == ["Plain"]  # the other event's translation


def test_a_translation_added_changed_or_removed_is_followed(events, db):
    event = events[2]
    services.set_translations(event, {"sl": {"title": "Ulica in pozdravi", "summary": "",
                                             "description": "Letna konferenca"}})  # fmt: skip
    db.session.commit()
    assert found("pozdrav") == ["STRAßE und Grüße"]
    services.set_translations(event, {"sl": {"title": "Cesta", "summary": "", "description": ""}})
    db.session.commit()
    assert found("pozdrav") == []
    assert found("cesta") == ["STRAßE und Grüße"]
    services.set_translations(event, {})
    db.session.commit()
    assert found("cesta") == []


def test_a_deleted_event_leaves_nothing_behind(events, make_event, db):
    # The last event, so SQLite gives its id to the next one: the next must not be found
    # by the deleted one's words.
    gone = make_event(title="Vanishing symposium", starts_at=NOW + timedelta(days=6))
    services.set_translations(gone, {"de": {"title": "Verschwinden", "summary": "",
                                            "description": ""}})  # fmt: skip
    db.session.commit()
    db.session.delete(gone)
    db.session.commit()
    assert found("vanishing") == []
    assert found("verschwinden") == []
    make_event(title="Another one", starts_at=NOW + timedelta(days=6))
    db.session.commit()
    assert found("another") == ["Another one"]
    assert found("vanish") == []
    assert found("schwind") == []


def test_a_word_with_more_candidates_than_the_bound_is_matched_as_before(events, db, monkeypatch):
    # More candidates than the bound (PostgreSQL) or matches (SQLite): ILIKE alone.
    monkeypatch.setattr(search, "BOUND", 1)
    monkeypatch.setattr(search, "FTS_BOUND", 1)
    for q in ("security", "sec", "é", "maritime", "zzz"):
        assert found(q) == by_ilike(q), q


def test_the_list_page_shows_the_matches(client, events):
    html = client.get("/events/?q=s%C3%A9curit%C3%A9").data.decode()
    assert "Plain" in html and "Maritime Security Forum" not in html


def test_the_index_objects_are_left_out_of_the_schema_comparison():
    assert not search.include_name("events_fts", "table", {})
    assert not search.include_name("event_translations_fts_data", "table", {})
    assert not search.include_name("ix_events_search_trgm", "index", {})
    assert search.include_name("events", "table", {})
    assert search.include_name("event_translations", "table", {})


def test_short_or_escaped_words_are_read_without_the_index(db):
    assert not search.indexable("ab")
    assert not search.indexable("a\x00b")
    assert search.indexable("abc")
    assert search.indexable("éte")
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    assert search.indexable("ab\\") is not postgresql


def test_the_upcoming_search_runs_a_fixed_number_of_queries(events, make_event, db,
                                                            count_queries):  # fmt: skip
    def queries(q):
        with count_queries() as counter:
            found(q)
        return counter.count

    one = queries("security forum")
    for n in range(5):
        make_event(title=f"Security {n}", starts_at=NOW + timedelta(days=9, hours=n))
    db.session.commit()
    assert queries("security forum") == one


@pytest.mark.sqlite_only
def test_a_common_word_reads_the_events_in_date_order_on_sqlite(
    events, db, monkeypatch, sqlite_statistics
):
    """SQLite: a word with more matches than FTS_BOUND is tested on each event in the list's
    order, read from ix_events_starts_at, so the walk stops at the page and its bounded
    count; with the bench's statistics SQLite read every event to come from
    ix_events_status_window and sorted them. A list without words likewise."""
    monkeypatch.setattr(search, "FTS_BOUND", 1)
    # The statistics of the bench's database at ten times the data (20,000 events).
    sqlite_statistics("events", BENCH_EVENT_STATISTICS)
    for build, q in itertools.product((services.upcoming_query, services.past_query),
                                      ("security", None)):  # fmt: skip
        # Without words too: a page reads its rows and those before it, not every event.
        query = build(services.Filters(q=q), now=NOW).limit(20).offset(10)
        sql = str(query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = "\n".join(
            row[-1] for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))
        )
        assert "SEARCH events USING INDEX ix_events_starts_at" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert found("security") == by_ilike("security")


def test_a_word_asked_again_is_not_looked_up_again_until_an_event_changes(events, make_event, db):
    probes = []

    def before(conn, cursor, statement, *args):
        if "UNION ALL" in statement and "LIMIT" in statement:
            probes.append(statement)

    sa.event.listen(db.session.get_bind(), "before_cursor_execute", before)
    try:
        assert found("shipping") == ["Maritime Security Forum"]
        assert found("shipping port") == ["Maritime Security Forum"]
        assert len(probes) == 2  # "port" is new to the second search
        assert found("port shipping") == ["Maritime Security Forum"]
        assert len(probes) == 2
        make_event(title="Shipping law", starts_at=NOW + timedelta(days=4))
        db.session.commit()
        assert found("shipping") == ["Maritime Security Forum", "Shipping law"]
        assert len(probes) == 3
        french = {"title": "Transport maritime", "summary": "", "description": "shipping"}
        services.set_translations(events[4], {"fr": french})
        db.session.commit()
        assert found("shipping") == ["Maritime Security Forum", "Plain", "Shipping law"]
    finally:
        sa.event.remove(db.session.get_bind(), "before_cursor_execute", before)
