"""Records of a list page loaded only if a piece of the page needs them.

A list page (the events, the publications) shows each record as a piece of HTML kept until
the record changes (`core.cache.cached_fragment`, keyed by the record's id and
`updated_at`). On a page-cache miss most pieces are found kept, so loading each record as
an ORM object, with its authors, topics or translations, is work thrown away: the list
reads plain rows instead (the few columns a piece's key and the view need), and each row
stands in for its record. Reading any other attribute of a stand-in loads the real records
of its whole page in one call (`load`), so a piece not kept is built exactly as before,
with a fixed number of statements more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from interacta.extensions import db


class _Batch:
    """The records of one page, loaded together the first time one is needed."""

    __slots__ = ("ids", "load", "records")

    def __init__(self, ids: list[int], load: Callable[[list[int]], Iterable]):
        self.ids = ids
        self.load = load
        self.records: dict[int, object] | None = None

    def record(self, record_id: int):
        if self.records is None:
            self.records = {r.id: r for r in self.load(self.ids)}
        return self.records[record_id]


class Deferred:
    """A record of a list as its row (`id` and a few columns); any other attribute is
    read from the real record, loaded with the rest of its page on first need."""

    __slots__ = ("_values", "_batch", "_record")

    def __init__(self, values: dict, batch: _Batch):
        self._values = values
        self._batch = batch
        self._record = None

    def __getattr__(self, name: str):
        # Its own slots while unset (a copy being made), and the dunders copy, pickle and
        # Jinja probe for: not the record's.
        if name[:1] == "_" and (name[:2] == "__" or name in Deferred.__slots__):
            raise AttributeError(name)
        values = self._values
        if name in values:
            return values[name]
        record = self._record
        if record is None:
            record = self._record = self._batch.record(values["id"])
        return getattr(record, name)

    @property
    def record(self):
        """The real record (loaded with its page if not yet)."""
        if self._record is None:
            self._record = self._batch.record(self._values["id"])
        return self._record

    def __repr__(self) -> str:
        return f"<Deferred {self._values!r}>"


def deferred(rows: Sequence[Mapping], load: Callable[[list[int]], Iterable]) -> list[Deferred]:
    """Stand-ins for the records of `rows` (mappings, each with an `id`: `row._mapping`),
    in their order; `load(ids)` returns the real records of `ids` (any order) when one is
    first needed."""
    values = [dict(row) for row in rows]
    batch = _Batch([v["id"] for v in values], load)
    return [Deferred(v, batch) for v in values]


class DeferredPagination(Pagination):
    """`db.paginate` for a select of columns (the first named `id`): the items are
    `Deferred` stand-ins whose records come from `load`; the total is counted as
    `db.paginate` counts it (unless `count=False`)."""

    def _query_items(self) -> list:
        args = self._query_args
        return deferred(
            [row._mapping for row in db.session.execute(self._page_query(args["select"]))],
            args["load"],
        )

    def _page_query(self, select):
        """`select`'s rows of this page. Past the first page, the rows skipped are read for
        their ids alone, which an index holding the list's order and the id answers by
        itself, and only the page's rows are read whole (joined by id): an offset on the
        whole rows read every skipped record's row (14 ms for page 150 of the publications
        on PostgreSQL, where the id alone took under 2)."""
        offset = self._query_offset
        if not offset:
            return select.limit(self.per_page)
        key = select.selected_columns[0]
        page = select.with_only_columns(key).limit(self.per_page).offset(offset).subquery("page")
        return select.join(page, page.c[key.key] == key)

    def _query_count(self) -> int:
        sub = self._query_args["select"].order_by(None).subquery()
        return db.session.execute(sa.select(sa.func.count()).select_from(sub)).scalar()


def paginate_deferred(
    select, load: Callable[[list[int]], Iterable], *, page: int, per_page: int, count=True
) -> DeferredPagination:
    """One page of `select` (columns, the first `id`) as `Deferred` stand-ins."""
    return DeferredPagination(
        select=select, load=load, page=page, per_page=per_page, error_out=False, count=count
    )
