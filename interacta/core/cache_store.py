"""The per-process cache (the default when no CACHE_REDIS_URL is set): Flask-Caching's
SimpleCache bounded by the bytes it holds (CACHE_BYTES), not by its number of entries.

SimpleCache counts entries (CACHE_THRESHOLD) and, once over, drops those that expire
soonest: the built pages, kept for a minute, went first, and a crawler asking many new
searches (each keeping a few small values: a count, a word's lookup) emptied the pages
out of it. Here every entry costs what it weighs (its pickled value and key), the least
recently used go first, and an entry past its time is never served.
"""

from __future__ import annotations

from collections import OrderedDict
from time import time
from typing import Any

from flask_caching.backends.simplecache import SimpleCache

#: What an entry costs besides its key and value (the dict slot, the tuple, the object
#: headers): so that many tiny entries are not counted as free.
ENTRY_OVERHEAD = 200
#: How often, at most, a full cache looks through all its entries for those past their
#: time (otherwise the least recently used go, and one past its time is dropped when read).
SWEEP_SECONDS = 10.0


class BoundedCache(SimpleCache):
    """SimpleCache bounded by `max_bytes` (its values pickled, as SimpleCache keeps them,
    and their keys), least recently used first; a value larger than the whole bound is not
    kept."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024, default_timeout: int = 300, **kw):
        super().__init__(default_timeout=default_timeout, **kw)
        self.max_bytes = max_bytes
        self.size = 0
        self._swept = 0.0
        self._cache: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    @classmethod
    def factory(cls, app, config: dict[str, Any], args: list, kwargs: dict) -> BoundedCache:
        kwargs = {**kwargs, "max_bytes": config.get("CACHE_BYTES", 32 * 1024 * 1024)}
        return cls(*args, **kwargs)

    @staticmethod
    def _weight(key: str, data: bytes) -> int:
        return len(key) + len(data) + ENTRY_OVERHEAD

    def _drop(self, key: str) -> bool:
        item = self._cache.pop(key, None)
        if item is None:
            return False
        self.size -= self._weight(key, item[1])
        return True

    def _store(self, key: str, expires: float, data: bytes) -> bool:
        self._drop(key)
        weight = self._weight(key, data)
        if weight > self.max_bytes:
            return False
        self._cache[key] = (expires, data)
        self.size += weight
        if self.size > self.max_bytes:
            now = time()
            # Entries past their time go before live ones, but the walk over every entry
            # is made at most once per SWEEP_SECONDS: a full cache is written to often.
            if now - self._swept >= SWEEP_SECONDS:
                self._swept = now
                for old in [k for k, (until, _) in self._cache.items() if until and until <= now]:
                    self._drop(old)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._cache)))
        return True

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._cache.get(key)
            if item is None:
                return None
            expires, data = item
            if expires and expires <= time():
                self._drop(key)
                return None
            self._cache.move_to_end(key)
            return self.serializer.loads(data)

    def set(self, key: str, value: Any, timeout=None) -> bool:
        with self._lock:
            expires = self._normalize_timeout(timeout)
            return self._store(key, expires, self.serializer.dumps(value))

    def add(self, key: str, value: Any, timeout=None) -> bool:
        with self._lock:
            if self.has(key):
                return False
            return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._drop(key)

    def clear(self) -> bool:
        with self._lock:
            self._cache.clear()
            self.size = 0
            return True
