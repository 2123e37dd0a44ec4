"""A publication's related records: the most shared topics first, newest first among
equals, chosen among the most recently added records of each of its topics."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from interacta.publications import services
from interacta.publications.models import Publication


@pytest.fixture
def rankings(sql_seen):
    """The related rankings' statements run while the test runs."""
    return sql_seen(lambda s: "publication_topics" in s and "count(*)" in s)


def _titles(pub) -> list[str]:
    return [p.title for p in services.related_publications(pub)]


def test_most_shared_topics_first_then_newest_and_never_drafts_or_itself(db, make_publication):
    pub = make_publication(title="Subject", topics=["religion", "rule-of-law"])
    make_publication(title="One topic, 2025", topics=["religion"], year=2025)
    make_publication(title="Both topics, 2020", topics=["religion", "rule-of-law"], year=2020)
    make_publication(title="Both topics, 2023", topics=["rule-of-law", "religion"], year=2023)
    make_publication(title="Draft", topics=["religion", "rule-of-law"], status="draft")
    make_publication(title="Another topic", topics=["disaster-management"])
    assert _titles(pub) == ["Both topics, 2023", "Both topics, 2020", "One topic, 2025"]


def test_candidates_are_the_newest_records_of_each_topic(db, make_publication, monkeypatch):
    """An old record sharing both topics is not suggested once each of its topics has
    RELATED_PER_TOPIC records added after it: the page reads a bounded number of records
    however many share a topic."""
    monkeypatch.setattr(services, "RELATED_PER_TOPIC", 3)
    pub = make_publication(title="Subject", topics=["religion", "rule-of-law"])
    make_publication(title="Old, both topics", topics=["religion", "rule-of-law"], year=2025)
    for n in range(3):
        make_publication(title=f"Newer religion {n}", topics=["religion"], year=2001 + n)
        make_publication(title=f"Newer law {n}", topics=["rule-of-law"], year=2011 + n)
    related = _titles(pub)
    assert "Old, both topics" not in related
    assert related == [
        "Newer law 2",
        "Newer law 1",
        "Newer law 0",
        "Newer religion 2",
        "Newer religion 1",
    ]


def test_shared_topics_are_counted_in_full_for_a_record_in_one_topics_window(
    db, make_publication, monkeypatch
):
    """A candidate from one topic's window that also has the other topic (outside that
    topic's window) counts both, and so ranks above newer records sharing one."""
    monkeypatch.setattr(services, "RELATED_PER_TOPIC", 2)
    pub = make_publication(title="Subject", topics=["religion", "rule-of-law"])
    make_publication(title="Both topics, 2001", topics=["religion", "rule-of-law"], year=2001)
    make_publication(title="Religion, 2020", topics=["religion"], year=2020)
    for n in range(2):
        make_publication(title=f"Law, 202{n + 1}", topics=["rule-of-law"], year=2021 + n)
    assert _titles(pub) == ["Both topics, 2001", "Law, 2022", "Law, 2021", "Religion, 2020"]


def test_related_records_are_ranked_in_one_statement_and_loaded_only_if_needed(
    db, make_publication
):
    """The ranked records' ids in one statement, however many candidates there are; their
    records as a list shows them (`items.list_items`: their columns; their authors and
    translated titles) in two more only when one is read (a piece of the page not kept as
    HTML): the page's statement count stays flat."""
    pub = make_publication(title="Subject", topics=["religion", "rule-of-law"])
    for n in range(6):
        make_publication(title=f"Related {n}", topics=["religion"], year=2001 + n)
    assert len(pub.topics) == 2  # as the page has them, loaded with the record
    db.session.expunge_all()
    pub = db.session.get(Publication, pub.id)
    pub.topics  # noqa: B018 - loaded, as the page has them
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        related = services.related_publications(pub)
        ranked = len(seen)
        titles = [p.title for p in related]
        authors = [len(p.authors) for p in related]  # loaded with them: no statement more
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    # The records' fingerprint (what the ranking is kept under), then the ranking.
    assert ranked == 2
    assert "max(publications.updated_at)" in seen[0]
    assert "publication_topics" in seen[1]
    assert titles == [f"Related {n}" for n in (5, 4, 3, 2, 1)]
    assert len(authors) == 5
    assert len(seen) == 4
    assert "publication_authors" in seen[3] and "publication_translations" in seen[3]


def test_the_ranking_is_kept_until_a_record_changes(client, db, make_publication, rankings):
    """A record's page built again (another URL, another language) reads its related
    records back without ranking again; a new record sharing its topics is found."""
    pub = make_publication(title="Subject", topics=["religion"])
    for n in range(3):
        make_publication(title=f"Related {n}", topics=["religion"], year=2001 + n)
    path = f"/publications/{pub.slug}"
    assert "Related 2" in client.get(path).get_data(as_text=True)
    assert len(rankings) == 1
    assert "Related 2" in client.get(f"{path}?v=1").get_data(as_text=True)
    assert "Related 2" in client.get(f"/fr{path}").get_data(as_text=True)
    assert len(rankings) == 1
    make_publication(title="Related newest", topics=["religion"], year=2024)
    assert "Related newest" in client.get(f"{path}?v=2").get_data(as_text=True)
    assert len(rankings) == 2


def test_a_record_page_rebuilt_with_its_related_items_kept_does_not_load_them(
    client, db, make_publication, count_queries
):
    """On a page-cache miss, the related records whose items are kept as HTML are not
    loaded (their records; their authors and translated titles: two statements), nor
    ranked again."""
    from interacta.core.cache import clear_texts

    pub = make_publication(title="Subject", topics=["religion"])
    for n in range(6):
        make_publication(title=f"Related {n}", topics=["religion"], year=2001 + n)
    path = f"/publications/{pub.slug}"
    client.get(path)
    clear_texts()
    with count_queries() as cold:
        page = client.get(f"{path}?v=1").get_data(as_text=True)
    with count_queries() as warm:
        again = client.get(f"{path}?v=2").get_data(as_text=True)
    assert "Related 5" in page and "Related 1" in page and "Related 0" not in page
    assert again.replace("v=2", "v=1") == page
    # Neither their records (two statements) nor their ranking (kept too) read again.
    assert warm.count == cold.count - 3, warm.statements
    assert not any(
        "publication_authors" in s and "publication_translations" in s for s in warm.statements
    )


def test_records_with_the_same_topics_share_one_ranking(db, make_publication, rankings):
    """The ranking depends on the topics alone: made once for the records with the same
    topics (in any order), each leaving itself out and still showing five; the newest
    record, inside its topic's window, is left out of its own list too."""
    older = make_publication(title="Older", topics=["religion", "rule-of-law"], year=2001)
    for n in range(6):
        make_publication(title=f"Law {n}", topics=["rule-of-law"], year=2010 + n)
    newest = make_publication(title="Newest", topics=["rule-of-law", "religion"], year=2002)
    assert _titles(older) == ["Newest", "Law 5", "Law 4", "Law 3", "Law 2"]
    assert _titles(newest) == ["Older", "Law 5", "Law 4", "Law 3", "Law 2"]
    assert len(rankings) == 1
    law = db.session.scalar(sa.select(Publication).where(Publication.title == "Law 5"))
    assert _titles(law) == ["Law 4", "Law 3", "Law 2", "Law 1", "Law 0"]  # one topic shared
    assert len(rankings) == 2
