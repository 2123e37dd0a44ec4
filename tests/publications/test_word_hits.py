"""A search's matches kept for its words (interacta.publications.search `_word_hits`): the
same words' other pages and filters reuse them, a filter on kind, year or topic is
applied to them without a statement of its own while they are all there, and a change
to the records finds them again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from interacta.publications import search

from .test_search import titles_on


@pytest.fixture
def hits_statements(app):
    """The full-text statements (a search's matches) run while the test runs."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if "publications_fts MATCH" in statement or "walk" in statement:
            seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)


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
