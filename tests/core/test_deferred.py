"""Stand-ins for a list's records (interacta.core.deferred)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from interacta.core.deferred import deferred


def test_stand_ins_read_their_row_and_load_the_whole_page_once_for_anything_else():
    loads = []

    def load(ids):
        loads.append(list(ids))
        return [SimpleNamespace(id=i, title=f"Record {i}") for i in ids]

    items = deferred([{"id": 1, "updated_at": "t1"}, {"id": 2, "updated_at": "t2"}], load)
    assert [(i.id, i.updated_at) for i in items] == [(1, "t1"), (2, "t2")]
    assert loads == []  # the row is enough for the kept piece's key
    assert [i.title for i in items] == ["Record 1", "Record 2"]
    assert items[0].record.title == "Record 1"
    assert loads == [[1, 2]]  # one load for the page
    with pytest.raises(AttributeError):
        items[0].missing  # noqa: B018
    assert copy.copy(items[1]).id == 2  # no probe of the record for copy's dunders
    assert loads == [[1, 2]]


def test_every_page_holds_the_lists_rows_in_order_and_skips_rows_by_their_ids_alone(
    db, make_publication, count_queries
):
    """Pages of a list of stand-ins, ties in its order included (the same date, broken by
    id): together the whole list, each row once, in its order. Past the first page the
    rows skipped are chosen by id in a subquery (an index holding the order and the id
    answers it alone) and only the page's own rows are read whole: one statement still."""
    import sqlalchemy as sa

    from interacta.core.deferred import paginate_deferred
    from interacta.publications.models import Publication, date_order

    for n in range(13):
        make_publication(title=f"Record {n}", year=2020 + n % 3, month=(n % 2) or None)
    query = (
        sa.select(Publication.id, Publication.updated_at, Publication.title)
        .where(Publication.status == "published")
        .order_by(*date_order())
    )
    everything = [row.title for row in db.session.execute(query)]
    pages = []
    for page in (1, 2, 3, 4):
        with count_queries() as counted:
            pagination = paginate_deferred(query, lambda ids: [], page=page, per_page=4,
                                           count=False)  # fmt: skip
        pages.append([item.title for item in pagination.items])
        (statement,) = counted.statements
        skipped = " ".join(statement.split())
        if page == 1:
            assert "AS page" not in skipped  # nothing skipped: the rows read at once
        else:
            # The offset applies to a subquery of the ids alone.
            inner = skipped[skipped.index("(SELECT") : skipped.index(") AS page")]
            assert inner.startswith("(SELECT publications.id AS id FROM publications")
            assert "OFFSET" in inner and "updated_at" not in inner and "title" not in inner
    assert pages == [everything[0:4], everything[4:8], everything[8:12], everything[12:]]
    assert sorted(sum(pages, [])) == sorted(f"Record {n}" for n in range(13))
