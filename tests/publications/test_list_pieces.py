"""The list without words reads its records only for the pieces not kept as HTML
(interacta.core.deferred): the same page either way, fewer statements when kept."""

from __future__ import annotations

import sqlalchemy as sa


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# `v` is no parameter of the list: such a request is built, never served from the page
# cache, while the pieces of the list stay kept (as on a crawler's walk).
PATH = "/publications/?kind=journal_article&v=1"


def test_list_with_its_pieces_kept_shows_the_same_page_without_loading_records(
    client, make_publication, count_queries
):
    make_publication(title="Kept record", authors=["Ann Author", "Bo Author"], topics=["religion"])
    make_publication(title="Other record", authors=["Cy Author"])
    first = _page(client, PATH)
    with count_queries() as warm:
        again = _page(client, PATH)
    assert again == first
    assert "Ann Author" in first and "Other record" in first
    assert not [
        s for s in warm.statements if "publication_authors" in s or "publication_topics" in s
    ]


def test_a_record_not_kept_beside_kept_ones_is_shown_in_full(client, db, make_publication):
    make_publication(title="First record", authors=["Ann Author"])
    _page(client, PATH)
    make_publication(title="Second record", authors=["Dee Author"], topics=["religion"])
    html = _page(client, PATH)
    assert "First record" in html and "Ann Author" in html
    assert "Second record" in html and "Dee Author" in html


def test_a_piece_not_kept_loads_its_authors_but_not_the_topics_no_piece_shows(
    client, make_publication, count_queries
):
    make_publication(title="Fresh record", authors=["Ann Author"], topics=["religion"])
    with count_queries() as cold:
        html = _page(client, PATH)
    assert "Fresh record" in html and "Ann Author" in html
    assert [s for s in cold.statements if "FROM publication_authors" in s]
    assert not [s for s in cold.statements if "publication_topics.publication_id IN" in s]


def test_list_without_words_runs_a_fixed_number_of_queries(client, make_publication, count_queries):
    def load():
        _page(client, "/publications/?sort=title&v=1")

    make_publication(title="Record 1", authors=["A", "B"], topics=["religion"])
    load()
    with count_queries() as few:
        load()
    for n in range(2, 16):
        make_publication(title=f"Record {n}", authors=[f"Author {n}", "A"], topics=["religion"])
    load()
    with count_queries() as many:
        load()
    assert many.count == few.count


def test_feed_with_its_entries_kept_is_the_same_without_loading_records(
    client, make_publication, count_queries
):
    make_publication(title="Fed record", authors=["Ann Author"], topics=["religion"])
    make_publication(title="Other fed record", authors=["Bo Author"])
    first = client.get("/publications/feed.atom?v=1").get_data(as_text=True)
    with count_queries() as warm:
        again = client.get("/publications/feed.atom?v=1").get_data(as_text=True)
    assert again == first
    assert "<name>Ann Author</name>" in first and "Other fed record" in first
    assert not [s for s in warm.statements if "publication_authors" in s]


def test_feed_entry_follows_a_renamed_topic(client, db, make_publication):
    from interacta.core.models import Topic

    make_publication(title="Fed record", topics=["religion"])
    client.get("/publications/feed.atom?v=1")
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "religion"))
    topic.name = "Faith and belief"
    db.session.flush()
    body = client.get("/publications/feed.atom?v=1").get_data(as_text=True)
    assert 'label="Faith and belief"' in body


def test_a_search_by_title_reads_its_records_only_for_the_pieces_not_kept(
    client, make_publication, count_queries
):
    # Sorted by title, a search's page comes from the query in that order (not from the
    # ranked matches): its records are stand-ins as on the list without words.
    make_publication(title="Beta floods", authors=["Bo Author"], topics=["religion"])
    make_publication(title="Alpha floods", authors=["Ann Author"], topics=["religion"])
    path = "/publications/?q=floods&sort=title&v="
    with count_queries() as cold:
        first = _page(client, path + "1")
    assert first.index("Alpha floods") < first.index("Beta floods")
    assert "Ann Author" in first and "Bo Author" in first
    assert [s for s in cold.statements if "FROM publication_authors" in s]
    assert not [s for s in cold.statements if "publication_topics.publication_id IN" in s]
    with count_queries() as warm:
        again = _page(client, path + "2")
    assert again.replace("v=2", "v=1") == first
    assert not [s for s in warm.statements if "publication_authors" in s]
