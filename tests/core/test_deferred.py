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
