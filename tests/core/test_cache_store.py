"""The per-process cache (interacta/core/cache_store.py): bounded in bytes, least recently
used first, so many small kept values never push the built pages out."""

from __future__ import annotations

import time

import sqlalchemy as sa

from interacta.core.cache import keep, kept
from interacta.core.cache_store import ENTRY_OVERHEAD, BoundedCache
from interacta.extensions import cache


def _weight(key: str, value) -> int:
    return len(key) + len(BoundedCache.serializer.dumps(value)) + ENTRY_OVERHEAD


def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used():
    one = _weight("a", "x" * 1000)
    store = BoundedCache(max_bytes=3 * one)
    for key in "abc":
        assert store.set(key, "x" * 1000)
    assert store.size == 3 * one
    assert store.get("a") == "x" * 1000  # now the most recently used
    store.set("d", "x" * 1000)  # one too many: "b", the least recently used, goes
    assert store.get("b") is None
    assert [store.get(k) is not None for k in "acd"] == [True, True, True]
    assert store.size == 3 * one
    # Tiny values are not free: each costs its key, its value and the entry itself.
    for n in range(50):
        store.set(f"count-{n}", n)
    assert store.size <= store.max_bytes
    assert store.get("count-49") == 49 and store.get("a") is None
    # Larger than the whole bound: never kept, and nothing else is dropped for it.
    before = store.size
    assert store.set("huge", "x" * (4 * one)) is False
    assert store.get("huge") is None and store.size == before
    # Replacing a value counts the new one alone.
    store.set("count-49", "y" * 100)
    assert store.get("count-49") == "y" * 100 and store.size <= store.max_bytes
    assert store.clear() and store.size == 0 and store.get("count-49") is None


def test_an_entry_past_its_time_is_not_served_and_is_dropped_first(monkeypatch):
    store = BoundedCache(max_bytes=10_000)
    store.set("page", "body", timeout=60)
    store.set("count", 7, timeout=0)  # no end
    assert store.add("page", "other") is False and store.get("page") == "body"
    now = time.time()
    monkeypatch.setattr("interacta.core.cache_store.time", lambda: now + 61)
    monkeypatch.setattr("cachelib.simple.time", lambda: now + 61)
    assert store.get("page") is None  # gone, and its bytes with it
    assert store.size == _weight("count", 7)
    assert store.add("page", "new", timeout=60) is True and store.get("page") == "new"
    assert store.inc("count") == 8 and store.get("count") == 8
    assert store.delete("count") is True and store.delete("count") is False


def test_the_app_keeps_its_cache_bounded_by_cache_bytes(app):
    with app.app_context():
        assert isinstance(cache.cache, BoundedCache)
        assert cache.cache.max_bytes == app.config["CACHE_BYTES"] == 32 * 1024 * 1024


def test_a_built_page_stays_cached_while_many_small_values_are_kept(app, client, make_publication):
    """A crawler's new searches each keep a few small values (a count, a word's lookup):
    entry-counted (SimpleCache, 500 entries), they pushed out the built pages first (the
    pages expire soonest); counted in bytes, a thousand of them weigh a few hundred
    kilobytes and the page is still served from the cache."""
    make_publication(title="Civil-military coordination in floods")
    first = client.get("/publications/")
    assert first.status_code == 200
    with app.test_request_context():
        for n in range(1000):
            keep("sole-term", (f"word{n}",), "v1", (f"word{n}", None))
        assert kept("sole-term", ("word999",), "v1") == (f"word{999}", None)
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        second = client.get("/publications/")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    assert second.data == first.data
    # Served from the cache: the fingerprint's statement alone.
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1


def test_a_full_cache_drops_entries_past_their_time_before_live_ones(monkeypatch):
    one = _weight("a", "x" * 1000)
    store = BoundedCache(max_bytes=3 * one)
    now = time.time()
    monkeypatch.setattr("interacta.core.cache_store.time", lambda: now)
    store.set("a", "x" * 1000, timeout=0)
    store.set("b", "x" * 1000, timeout=60)
    store.set("c", "x" * 1000, timeout=0)
    monkeypatch.setattr("interacta.core.cache_store.time", lambda: now + 61)
    store.set("d", "x" * 1000)  # full: "b", past its time, goes; "a", the oldest, stays
    assert store.get("a") is not None and store.get("b") is None
    assert store.size == 3 * one
