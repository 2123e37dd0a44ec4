"""The list's facet counts, without search words (exact over every published record) and
with them (among the matches): each facet ignoring its own filter, whatever the
combination of filters, and current after a change."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from interacta.extensions import cache
from interacta.publications import search
from interacta.publications.models import Publication, PublicationAuthor

RECORDS = [
    # kind, year, topics, authors, title
    ("report", 2023, ["religion"], ["Ana Ferreira", "Bo Li"], "Floods and faith"),
    ("report", 2024, ["religion", "rule-of-law"], ["Ana Ferreira"], "Courts after floods"),
    ("report", 2024, [], ["bo li", "Zoe Adams"], "Harbour logistics"),
    ("journal_article", 2023, ["rule-of-law"], ["Bo Li", "Ana Ferreira"], "Flooding the courts"),
    ("journal_article", 2024, ["religion"], ["Zoe Adams"], "Floodplain chaplaincy"),
    ("working_paper", 2022, ["rule-of-law"], ["Ana Ferreira", "Ana Ferreira"], "Law of floods"),
]


def make_records(make_publication):
    for kind, year, topics, authors, title in RECORDS:
        make_publication(kind=kind, year=year, topics=topics, authors=authors, title=title)
    # A draft counts nowhere.
    make_publication(kind="report", year=2023, topics=["religion"], authors=["Ana Ferreira"],
                     status="draft")  # fmt: skip


def expected(kind, year, topic, author, word: str | None = None) -> dict:
    """The facets worked out by hand from RECORDS: each facet among the records every
    other filter (and the word, a prefix of a title's word) keeps; a name counted once per
    record."""

    def kept(record, exclude):
        r_kind, r_year, r_topics, r_authors, r_title = record
        return (
            (word is None or any(w.startswith(word) for w in r_title.lower().split()))
            and (exclude == "kind" or kind is None or r_kind == kind)
            and (exclude == "year" or year is None or r_year == year)
            and (exclude == "topic" or topic is None or topic in r_topics)
            and (exclude == "author" or author is None or author in r_authors)
        )

    kinds, years, topics, authors = {}, {}, {}, {}
    for record in RECORDS:
        if kept(record, "kind"):
            kinds[record[0]] = kinds.get(record[0], 0) + 1
        if kept(record, "year"):
            years[record[1]] = years.get(record[1], 0) + 1
        if kept(record, "topic"):
            for slug in record[2]:
                topics[slug] = topics.get(slug, 0) + 1
        if kept(record, "author"):
            for name in set(record[3]):
                authors[name] = authors.get(name, 0) + 1
    return {
        "kinds": sorted(kinds.items()),
        "years": sorted(years.items(), reverse=True),
        "topics": sorted(topics.items()),
        "authors": sorted(authors.items(), key=lambda item: (-item[1], item[0])),
    }


def shown(facets: search.Facets) -> dict:
    return {
        "kinds": sorted((kind, n) for kind, _label, n in facets.kinds),
        "years": facets.years,
        "topics": sorted((slug, n) for slug, _name, n in facets.topics),
        "authors": facets.authors,
    }


def test_every_combination_of_filters_counts_each_facet_exactly(db, make_publication):
    make_records(make_publication)
    for kind, year, topic, author in itertools.product(
        (None, "report", "journal_article"),
        (None, 2023, 2024, 1999),
        (None, "religion", "no-such-topic"),
        (None, "Ana Ferreira", "Nobody"),
    ):
        params = search.SearchParams(kind=kind, year=year, topic=topic, author=author)
        assert shown(search.facets(params)) == expected(kind, year, topic, author), params


def test_with_words_every_combination_of_filters_counts_each_facet_among_the_matches(
    db, make_publication
):
    make_records(make_publication)
    for word, kind, year, topic, author in itertools.product(
        ("flood", "floods", "courts", "nothingmatches"),
        (None, "report", "journal_article"),
        (None, 2023, 2024),
        (None, "religion", "no-such-topic"),
        (None, "Ana Ferreira", "Nobody"),
    ):
        params = search.SearchParams(q=word, kind=kind, year=year, topic=topic, author=author)
        assert shown(search.facets(params)) == expected(kind, year, topic, author, word), params


def test_with_words_the_counts_follow_a_change_to_a_record(db, make_publication):
    make_records(make_publication)

    def params():  # a new request's
        return search.SearchParams(q="floods")

    assert shown(search.facets(params()))["topics"] == [("religion", 2), ("rule-of-law", 2)]

    record = db.session.scalar(
        sa.select(Publication).where(Publication.title == "Floods and faith")
    )
    record.title = "Harbour faith"
    record.authors[0].name = "Cy Novak"
    db.session.commit()
    facets = shown(search.facets(params()))
    assert facets["topics"] == [("religion", 1), ("rule-of-law", 2)]
    assert facets["authors"] == [("Ana Ferreira", 2)]
    make_publication(kind="report", year=2021, topics=["religion"], authors=["Cy Novak"],
                     title="Floods again")  # fmt: skip
    facets = shown(search.facets(params()))
    assert facets["topics"] == [("religion", 2), ("rule-of-law", 2)]
    assert facets["authors"] == [("Ana Ferreira", 2), ("Cy Novak", 1)]
    assert facets["years"] == [(2024, 1), (2022, 1), (2021, 1)]


def test_the_counts_follow_a_change_to_a_record(db, make_publication):
    make_records(make_publication)
    params = search.SearchParams(kind="report")
    assert shown(search.facets(params))["years"] == [(2024, 2), (2023, 1)]

    record = db.session.scalar(sa.select(Publication).where(Publication.kind == "working_paper"))
    record.kind = "report"
    db.session.commit()
    facets = shown(search.facets(params))
    assert facets["years"] == [(2024, 2), (2023, 1), (2022, 1)]
    assert ("Ana Ferreira", 3) in facets["authors"]
    assert facets["kinds"] == [("journal_article", 2), ("report", 4)]


def test_an_emptied_cache_reads_the_records_again(db, make_publication):
    make_records(make_publication)
    assert shown(search.facets(search.SearchParams()))["kinds"][0] == ("journal_article", 2)
    # A change the fingerprint cannot see (a bulk UPDATE leaves updated_at alone) shows
    # once the cache is emptied.
    db.session.execute(
        sa.update(Publication).where(Publication.kind == "journal_article").values(kind="report")
    )
    db.session.commit()
    cache.clear()
    assert shown(search.facets(search.SearchParams()))["kinds"] == [
        ("report", 5),
        ("working_paper", 1),
    ]


def test_the_author_facet_lists_fifteen_names_ties_in_the_databases_order(db, make_publication):
    names = [f"Author {letter}" for letter in "QWERTYUIOPASDFGHJ"] + ["author z", "Éva Kiss"]
    for name in names:
        make_publication(kind="report", authors=[name])
    make_publication(kind="report", authors=["Author W"])
    facets = search.facets(search.SearchParams(kind="report"))
    in_order = list(
        db.session.scalars(
            sa.select(PublicationAuthor.name)
            .where(PublicationAuthor.name != "Author W")
            .distinct()
            .order_by(PublicationAuthor.name)
        )
    )
    assert facets.authors == [("Author W", 2)] + [(name, 1) for name in in_order[:14]]


TRICKY_NAMES = [
    "author z",
    "Author W",
    "Éva Kiss",
    "Eve Kiss",
    "Åse Berg",
    "Zoe Adams",
    "ßa",
    "_Underscore",
    "Ana-Maria",
    "Ana Maria",
    "Ōta Ken",
    "Ola",
]


def test_tied_authors_are_ordered_without_a_query_where_the_database_orders_by_code_point(
    db, make_publication, count_queries
):
    """The order of tied names is the database's: asked of it, unless its text order is by
    code point (SQLite; PostgreSQL's C, POSIX and C.UTF-8), when Python's is the same."""
    for name in TRICKY_NAMES:
        make_publication(kind="report", authors=[name])
    table = search._value_table(TRICKY_NAMES, "names")
    in_order = list(db.session.scalars(sa.select(table.c.value).order_by(table.c.value)))
    by_code_point = search._codepoint_order(db.session.get_bind())
    if db.session.get_bind().dialect.name == "sqlite":
        assert by_code_point
    assert (in_order == sorted(TRICKY_NAMES)) or not by_code_point
    search.facets(search.SearchParams(kind="report"))  # the records' summary read once
    with count_queries() as counted:
        facets = search.facets(search.SearchParams(year=2024, kind="report"))
    assert facets.authors == [(name, 1) for name in in_order]
    asked = [s for s in counted.statements if "names" in s and "ORDER BY" in s]
    assert bool(asked) != by_code_point


@pytest.mark.parametrize(
    ("database", "by_code_point"),
    [
        ({"datcollate": "C"}, True),  # PostgreSQL 14: libc, no provider column
        ({"datcollate": "en_US.UTF-8"}, False),
        ({"datlocprovider": "c", "datcollate": "C.UTF-8"}, True),
        ({"datlocprovider": "c", "datcollate": "POSIX"}, True),
        ({"datlocprovider": "c", "datcollate": "sl_SI.UTF-8"}, False),
        ({"datlocprovider": "i", "datcollate": "C", "daticulocale": "und"}, False),
        ({"datlocprovider": "b", "datcollate": "C", "datlocale": "C.UTF-8"}, True),
        ({"datlocprovider": "b", "datcollate": "en_US.UTF-8", "datlocale": "C"}, True),
    ],
)
def test_which_postgresql_locales_order_text_by_code_point(database, by_code_point):
    assert search._codepoint_locale(database) is by_code_point


def test_this_database_is_read_right(db):
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        collate, row = db.session.execute(
            sa.text(
                "SELECT datcollate, to_jsonb(d) FROM pg_database d"
                " WHERE datname = current_database()"
            )
        ).one()
        libc = row.get("datlocprovider", "c") == "c"
        expected = libc and collate in ("C", "POSIX", "C.UTF-8", "C.utf8")
    else:
        expected = True  # SQLite's BINARY collation
    assert search._codepoint_order(bind) is expected


def test_tied_authors_are_ordered_by_the_database_where_its_order_is_not_by_code_point(
    db, make_publication, monkeypatch, count_queries
):
    monkeypatch.setattr(search, "_codepoint_order", lambda _engine: False)
    for name in TRICKY_NAMES:
        make_publication(kind="report", authors=[name])
    table = search._value_table(TRICKY_NAMES, "names")
    in_order = list(db.session.scalars(sa.select(table.c.value).order_by(table.c.value)))
    search.facets(search.SearchParams(kind="report"))
    with count_queries() as counted:
        facets = search.facets(search.SearchParams(year=2024, kind="report"))
    assert facets.authors == [(name, 1) for name in in_order]
    assert [s for s in counted.statements if "names" in s and "ORDER BY" in s]


def test_a_query_of_punctuation_alone_counts_nothing(db, make_publication):
    make_records(make_publication)
    facets = search.facets(search.SearchParams.from_args({"q": "?!", "kind": "report"}))
    assert (facets.kinds, facets.years, facets.topics, facets.authors) == ([], [], [], [])


def test_the_list_without_words_runs_as_many_queries_for_many_records(client, db, make_publication):
    from tests.publications.test_search import count_queries

    def load():
        cache.clear()
        assert client.get("/publications/?kind=report").status_code == 200

    make_publication(kind="report", authors=["A", "B"], topics=["religion"])
    few = count_queries(db, load)
    for n in range(2, 16):
        make_publication(
            kind="report" if n % 2 else "working_paper",
            year=2000 + n,
            authors=[f"Author {n}", "A"],
            topics=["religion", "rule-of-law"],
        )
    assert count_queries(db, load) == few
