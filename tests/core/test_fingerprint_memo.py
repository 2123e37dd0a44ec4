"""A GET request reads each table's fingerprint once (the page's cache key and the counts
and pieces kept under the same tables used to read it again), and reads it again after any
write of its own."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from interacta.core.cache import fingerprint
from interacta.publications.models import Publication


def _fingerprints(counter) -> Counter:
    return Counter(s for s in counter.statements if "cache_deletions" in s)


def test_a_list_page_reads_each_fingerprint_once(client, db, make_publication, count_queries):
    for n in range(3):
        make_publication(title=f"Record {n}", kind="report")
    db.session.commit()
    for path in ("/publications/?v=1", "/publications/?kind=report&v=1", "/events/?v=1"):
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        read = _fingerprints(counter)
        assert read, path
        assert max(read.values()) == 1, (path, read)


def test_a_write_in_the_request_has_the_fingerprint_read_again(app, db, make_publication):
    publication = make_publication(title="Before")
    db.session.commit()
    with app.test_request_context("/publications/"):
        first = fingerprint(Publication)
        assert fingerprint(Publication) == first
        publication.title = "After"
        db.session.flush()
        flushed = fingerprint(Publication)
        assert flushed != first
        db.session.execute(sa.delete(Publication).where(Publication.id == publication.id))
        assert fingerprint(Publication) != flushed  # a bulk delete, no flush


def test_a_post_reads_the_fingerprint_each_time(app, db, make_publication, count_queries):
    make_publication()
    db.session.commit()
    with app.test_request_context("/publications/", method="POST"), count_queries() as counter:
        fingerprint(Publication)
        fingerprint(Publication)
    assert sum(_fingerprints(counter).values()) == 2


def test_a_fingerprint_of_tables_already_read_takes_no_statement(
    app, db, make_publication, make_member, count_queries
):
    """The home page's key covers every table it shows; its charts' members and the
    longest event's events are then known without reading them again, and each value is
    the one a request reading that table alone gets."""
    from interacta.events.models import Event
    from interacta.members.models import Member

    make_publication()
    make_member()
    db.session.commit()
    with app.test_request_context("/"):
        alone = {model: fingerprint(model) for model in (Member, Event, Publication)}
    with app.test_request_context("/"), count_queries() as counter:
        fingerprint(Publication, Member)
        assert fingerprint(Member) == alone[Member]
        assert fingerprint(Publication) == alone[Publication]
        fingerprint(Event, Member)  # reads the events' alone
        assert fingerprint(Event) == alone[Event]
    assert sum(_fingerprints(counter).values()) == 2


def test_a_page_built_for_an_undeclared_argument_reads_its_fingerprints_at_once(
    client, db, make_publication, make_member, count_queries
):
    """`?v=1` is no argument of the home page: it is built and not kept, without a key.
    The fingerprints its parts read (the longest event's, the charts' members') are read
    in one statement with the page's other tables, as its key would have."""
    make_publication()
    make_member()
    db.session.commit()
    client.get("/")
    with count_queries() as counter:
        assert client.get("/?v=1").status_code == 200
    assert sum(_fingerprints(counter).values()) == 1, counter.statements
