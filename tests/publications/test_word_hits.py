"""A search's matches kept for its words (interacta.publications.search `_word_hits`): the
same words' other pages and filters reuse them, a filter on kind, year or topic is
applied to them without a statement of its own while they are all there, and a change
to the records finds them again."""

from __future__ import annotations

import pytest

from interacta.publications import search

from .test_search import titles_on


@pytest.fixture
def hits_statements(app, sql_seen):
    """The full-text statements (a search's matches) run while the test runs."""
    return sql_seen(lambda s: "publications_fts MATCH" in s or "walk" in s)


@pytest.fixture
def records(make_publication):
    make_publication(title="Flood report one", kind="report", year=2024, topics=["rule-of-law"])
    make_publication(title="Flood paper", kind="working_paper", year=2024)
    make_publication(title="Flood report two", kind="report", year=2023)
    make_publication(title="Drought report", kind="report", year=2024, topics=["rule-of-law"])


def test_a_filter_on_the_same_words_is_applied_to_their_kept_matches(
    client, records, hits_statements
):
    everything = titles_on(client.get("/publications/?q=flood"))
    assert sorted(everything) == ["Flood paper", "Flood report one", "Flood report two"]
    assert len(hits_statements) == 1
    hits_statements.clear()
    cases = {
        "kind=report": ["Flood report one", "Flood report two"],
        "year=2024": ["Flood paper", "Flood report one"],
        "topic=rule-of-law": ["Flood report one"],
        "kind=report&year=2023": ["Flood report two"],
        "kind=working_paper&topic=rule-of-law": [],
        "topic=no-such-topic": [],
    }
    for query, expected in cases.items():
        response = client.get(f"/publications/?q=flood&{query}")
        assert response.status_code == 200
        assert sorted(titles_on(response)) == expected, query
    # Neither the pages nor their facets (each leaving its own filter out) asked again.
    assert hits_statements == []
    # The facets are counted among the words' matches as before: the kind facet of a
    # search filtered by kind still offers the working paper.
    html = client.get("/publications/?q=flood&kind=report&v=2").get_data(as_text=True)
    assert "kind=working_paper" in html


def test_an_author_filter_is_left_to_the_database(
    client, records, hits_statements, make_publication
):
    make_publication(title="Flood atlas", kind="report", authors=["Mira Novak"])
    assert len(titles_on(client.get("/publications/?q=flood"))) == 4
    hits_statements.clear()
    assert titles_on(client.get("/publications/?q=flood&author=Mira+Novak")) == ["Flood atlas"]
    assert hits_statements, "an author's name is matched by the database"


def test_with_more_matches_than_bound_a_filter_looks_among_all_of_them(
    client, records, hits_statements, monkeypatch
):
    # Only the newest BOUND matches are kept: the oldest "flood" record, the only report
    # of 2024, is not among them, and the filtered search finds it in the database.
    monkeypatch.setattr(search, "BOUND", 2)
    found = titles_on(client.get("/publications/?q=flood&kind=report&year=2024"))
    assert found == ["Flood report one"]
    # The words' matches, then the filtered search and its facets: in the database.
    assert len(hits_statements) >= 2


def test_the_kept_matches_follow_a_change_to_the_records(client, records, make_publication):
    assert sorted(titles_on(client.get("/publications/?q=flood&kind=report"))) == [
        "Flood report one",
        "Flood report two",
    ]
    make_publication(title="Flood report three", kind="report", year=2022)
    titles = titles_on(client.get("/publications/?q=flood&kind=report&v=2"))
    assert sorted(titles) == ["Flood report one", "Flood report three", "Flood report two"]


def test_the_same_words_in_another_order_reuse_the_kept_matches(client, records, hits_statements):
    assert sorted(titles_on(client.get("/publications/?q=flood+report"))) == [
        "Flood report one",
        "Flood report two",
    ]
    hits_statements.clear()
    assert titles_on(client.get("/publications/?q=report+flood&year=2023")) == ["Flood report two"]
    assert hits_statements == []


def test_a_filtered_search_beyond_the_bound_is_kept_for_the_same_words_and_filters(
    client, records, hits_statements, monkeypatch
):
    monkeypatch.setattr(search, "BOUND", 2)
    assert titles_on(client.get("/publications/?q=flood&kind=report&year=2024")) == [
        "Flood report one"
    ]
    assert hits_statements
    hits_statements.clear()
    # Another page of the same search (a distinct URL, not the page cache): nothing asked.
    assert titles_on(client.get("/publications/?q=flood&kind=report&year=2024&v=2")) == [
        "Flood report one"
    ]
    assert hits_statements == []
    # Another value of a filter is another search.
    assert titles_on(client.get("/publications/?q=flood&kind=report&year=2023")) == [
        "Flood report two"
    ]
    assert hits_statements


def test_the_kept_matches_keep_the_best_match_first(client, make_publication):
    # "flood" three times in the oldest record's title and abstract: the best match,
    # though the newest records come first by date.
    make_publication(title="Flood, flood, flood", abstract="Flood after flood.", year=2001)
    make_publication(title="A flood", abstract="Rain.", year=2024)
    make_publication(title="Roads", abstract="A flood once.", year=2025)
    first = titles_on(client.get("/publications/?q=flood"))
    assert first[0] == "Flood, flood, flood"
    # Read back from the kept matches, in the same order; by date, newest first.
    assert titles_on(client.get("/publications/?q=flood&v=2")) == first
    assert titles_on(client.get("/publications/?q=flood&sort=date")) == [
        "Roads",
        "A flood",
        "Flood, flood, flood",
    ]


def test_kept_matches_read_back_as_they_were_found():
    rows = [
        (900, 2024, 5, 0, "report"),
        (12, 1999, 0, 0, "working_paper"),
        (7, 2001, 12, 31, "book_chapter"),
    ]
    ranked = search.Hits(rows=rows, more=True, best=[rows[2], rows[0], rows[1]])
    assert search._unpack(search._pack(ranked)) == ranked
    unranked = search.Hits(rows=rows, more=False)
    assert search._unpack(search._pack(unranked)) == unranked
    empty = search.Hits(rows=[], more=False, best=[])
    assert search._unpack(search._pack(empty)) == empty
    # Eleven bytes a match, where JSON took about forty.
    assert len(search._pack(ranked)) <= 12 + 11 * len(rows)


def test_equal_matches_come_newest_first(client, make_publication):
    """Records matching equally well: the newest year, month and day first, then the one
    added last."""
    for title, year, month in (("A", 2020, 5), ("B", 2024, 1), ("C", 2020, 7), ("D", 2020, 7)):
        make_publication(title=f"Tidal basin {title}", abstract="", year=year, month=month)
    assert titles_on(client.get("/publications/?q=tidal")) == [
        "Tidal basin B",
        "Tidal basin D",
        "Tidal basin C",
        "Tidal basin A",
    ]
