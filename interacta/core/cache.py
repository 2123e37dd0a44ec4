"""Built pages and counts, cached under a fingerprint of the data they were built from.

Nothing here expires by time alone: every key carries a *fingerprint* of the tables the
page shows (newest `updated_at` and highest id of each, and when a row of them was last
deleted, read in one query from indexes: its cost does not grow with the data), so a
change anywhere in them gives new keys and the old entries just age out. A per-process
cache (the default: `core.cache_store.BoundedCache`, bounded in bytes) is therefore never
stale, and CACHE_REDIS_URL shares the entries between processes.

For that to hold, every change must move `updated_at`: `touch_changed` (a before_flush
hook) sets it on any changed row, also when only a collection changed, and on the parent
a child row names in `cache_parent` (an agenda session's event, an author's publication);
a deletion, through the session or a bulk DELETE, is marked in `cache_deletions`.

`cached_page` caches a whole view response, keyed also by everything else a page can
depend on: the path and query, who is signed in (and their CSRF token, which signed-in
pages embed), the template set, and what the blueprints registered as cache-key
contributors (consent: the cookie choice, the remembered preferences, the GPC signal).
It never stores a response that sets a cookie, one built while the session had flash
messages, or one that created a CSRF token (that token belongs to one visitor).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, has_request_context, make_response, request, session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from interacta.core import security
from interacta.core.i18n import current_language, offered_language
from interacta.core.models import CacheDeletion, KeptText, TimestampMixin, utcnow
from interacta.core.registry import cache_key_parts
from interacta.extensions import cache, db

T = TypeVar("T")
logger = logging.getLogger(__name__)
#: The session key in which Flask-WTF keeps the raw CSRF token.
CSRF_SESSION_KEY = "csrf_token"
#: Headers of a view's response worth replaying from the cache.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Cache-Control")
#: How finely a page that depends on the clock is rebuilt.
_CLOCKS = {"minute": "%Y-%m-%dT%H:%M", "day": "%Y-%m-%d"}


# --- fingerprints ----------------------------------------------------------------------


#: Where a GET request keeps the fingerprints it read (in its WSGI environ): the page's key
#: and the counts and pieces it keeps under the same tables read them once a request.
_FINGERPRINTS = "interacta.fingerprints"
#: The tables of the `cached_page` a GET request builds without a key (an argument no page
#: declares): the first fingerprint it reads reads theirs too, as its key would have.
_PAGE_MODELS = "interacta.page_models"


def fingerprint(*models) -> str:
    """Newest `updated_at` and highest id of each model's table, and its last deletion,
    in one query that reads only index ends (no count: it would grow with the table).

    A GET request keeps what it read of each model: a later fingerprint of those models,
    or of some of them, is made without a statement (the home page's key and its charts'
    read the members' once). Any write through the session in that request (a flush, a
    bulk statement, a commit or a rollback) has them read again."""
    memo = None
    if has_request_context() and request.method in ("GET", "HEAD"):
        memo = request.environ.setdefault(_FINGERPRINTS, {})
        found = memo.get(models)
        if found is not None:
            return found
        # The tables of the page being built (`cached_page`), read with the first asked for.
        wanted = (*models, *request.environ.get(_PAGE_MODELS, ()))
        missing = tuple(dict.fromkeys(m for m in wanted if m not in memo))
    else:
        memo, missing = {}, tuple(dict.fromkeys(models))
    if missing:
        bind = db.session.get_bind()
        sql = _fingerprint_sql(missing, bind.dialect)
        row = db.session.connection().exec_driver_sql(sql).one()
        for n, model in enumerate(missing):
            memo[model] = tuple(str(value) for value in row[3 * n : 3 * n + 3])
    value = _digest(tuple(memo[model] for model in models))
    memo[models] = value
    return value


def _forget_fingerprints(*_args) -> None:
    if has_request_context():
        request.environ.pop(_FINGERPRINTS, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget_fingerprints)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state) -> None:
    """An UPDATE or DELETE run through the session (no flush) changes what it read."""
    if not state.is_select:
        _forget_fingerprints()


@functools.lru_cache(maxsize=128)
def _fingerprint_sql(models: tuple, dialect) -> str:
    """The fingerprint's statement for these models: three columns per model, in their
    order (compiled once per process and dialect; building and compiling it again took
    most of its time: several per page)."""
    columns = []
    for model in models:
        columns.append(sa.select(sa.func.max(model.updated_at)).scalar_subquery())
        columns.append(sa.select(sa.func.max(model.id)).scalar_subquery())
        columns.append(
            sa.select(CacheDeletion.deleted_at)
            .where(CacheDeletion.table_name == model.__tablename__)
            .scalar_subquery()
        )
    statement = sa.select(*columns)
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _digest(parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def cached(name: str, parts, version: str, build: Callable[[], T]) -> T:
    """`build()`, or what it returned before for the same name, parts and version."""
    value = kept(name, parts, version)
    if value is None:
        value = build()
        keep(name, parts, version, value)
    return value


def kept(name: str, parts, version: str):
    """What `keep` stored for the same name, parts and version, or None: for a value
    worked out by a statement that also reads something else (a page of a list and its
    count), so that `cached`'s build cannot be the statement."""
    return _get(_key(name, parts, version))


def keep(name: str, parts, version: str, value) -> None:
    """Store `value` (not None) for `kept`."""
    _set(_key(name, parts, version), value)


def _key(name: str, parts, version: str) -> str:
    return f"{name}:{_digest((parts, version))}"


def cached_each(name: str, parts: Sequence, version: str, build: Callable[[list], dict]) -> dict:
    """`cached` for many values at once: part -> the value of each of `parts`; those not
    kept are built together, `build(missing parts)` returning part -> value. Read and
    written in one call each (one round trip each with Redis)."""
    keys = {part: _key(name, part, version) for part in parts}
    values = _get_many(list(keys.values()))
    found = {part: v for part, v in zip(keys, values, strict=True) if v is not None}
    missing = [part for part in keys if part not in found]
    if missing:
        built = build(missing)
        found.update((part, built[part]) for part in missing)
        _set_many({keys[part]: built[part] for part in missing})
    return found


def cached_until(
    name: str, parts, version: str, build: Callable[[], tuple[T, datetime | None]]
) -> T:
    """As `cached`, for a value that also changes with the time: `build()` returns it with
    the moment it stops being true (None: never), and once that moment has passed it is
    built again (a count of the events to come, true until the first of them ends)."""
    found = kept(name, parts, version)
    if found is None or (found[1] is not None and utcnow() >= found[1]):
        found = build()
        keep(name, parts, version, found)
    return found[0]


class ByteBoundedLRU:
    """A per-process store of byte strings bounded by their total size, not their number:
    the least recently used go first. For many small texts (one VEVENT per event) that an
    entry-counted cache (SimpleCache's CACHE_THRESHOLD) would keep evicting."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._items[key] = value
            self.size += len(value)
            while self.size > self.max_bytes:
                _key, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


#: The per-process store of `cached_texts` (when no CACHE_REDIS_URL is set).
_texts: ByteBoundedLRU | None = None


def clear_texts() -> None:
    """Empty this process's stores of `cached_texts` and `cached_recent` (tests; the
    bench's build timings)."""
    for store in (_texts, _recent):
        if store is not None:
            store.clear()


def cached_fragment(name: str, version, *parts, caller) -> Markup:
    """A piece of a list page (one event, one publication), kept as the HTML it rendered
    to, in this process's store of texts (bounded in bytes, CACHE_TEXT_BYTES):

        {% call cached_fragment("event-item", event.updated_at, event.id, left) %}...{% endcall %}

    `version` moves whenever what the piece shows changes (a record's `updated_at`, which a
    change to its translations, authors or topics moves too: `touch_changed`), and `parts`
    name everything else it depends on (the record, a seat count, a heading level); the
    page's language and URL prefix are added here. A page missing the page cache (a new
    search, another page of a list) so builds only the pieces not shown before. Never for
    anything that differs between visitors."""
    key = "fragment:" + _digest(
        (name, str(version), parts, current_language(), request.script_root)
    )
    store = _text_store()
    found = store.get(key)
    if found is not None:
        # The HTML the autoescaping template rendered for these same values.
        return Markup(found.decode())  # noqa: S704  # nosec B704
    html = caller()
    store.set(key, str(html).encode())
    return html


def _text_store() -> ByteBoundedLRU:
    global _texts
    limit = current_app.config.get("CACHE_TEXT_BYTES", 32 * 1024 * 1024)
    if _texts is None or _texts.max_bytes != limit:
        _texts = ByteBoundedLRU(limit)
    return _texts


def _shared_cache() -> bool:
    """Whether the cache is one every process shares (Redis, CACHE_REDIS_URL)."""
    return "redis" in str(current_app.config.get("CACHE_TYPE", "")).lower()


#: This process's store of `cached_recent` values (CACHE_RECENT_BYTES).
_recent: ByteBoundedLRU | None = None


def cached_recent(name: str, parts, version: str, build: Callable[[], bytes]) -> bytes:
    """`cached` for a value (bytes) that many requests make and few reuse soon after (a
    search's matches, read again by its next pages and filters; a publication's related
    records; a calendar month's grid): with a Redis cache, kept
    there as `cached` keeps values; otherwise in a small store of their own per process
    (CACHE_RECENT_BYTES, least recently used first), so that a crawler's thousands of
    distinct searches never push built pages out of the page cache (CACHE_BYTES)."""
    if _shared_cache():
        return cached(name, parts, version, build)
    global _recent
    limit = current_app.config.get("CACHE_RECENT_BYTES", 4 * 1024 * 1024)
    if _recent is None or _recent.max_bytes != limit:
        _recent = ByteBoundedLRU(limit)
    key = _key(name, parts, version)
    found = _recent.get(key)
    if found is None:
        found = build()
        _recent.set(key, found)
    return found


#: Texts looked up in the shared store, built and kept at a time by `cached_texts`.
TEXTS_AT_ONCE = 500


def cached_texts(
    name: str, items: list[tuple], build: Callable[[list], list[bytes]], *, in_table: bool = False
) -> list[bytes]:
    """Many small texts at once: for each `(parts, version, item)`, the text built before
    for the same name, parts and version; the others from `build(items)` (a list of the
    items missing, answered by their texts in the same order).

    Kept where every process finds them: with a Redis cache (CACHE_REDIS_URL) there, read
    and written with get_many/set_many; otherwise in the `kept_texts` table (a row per
    name and parts, replaced by a new version), and in this process too, bounded in bytes
    (CACHE_TEXT_BYTES), so a thousand texts fit where a thousand entries would not.

    The table is read and written only when the caller says `in_table=True`: a view answering
    a GET, which writes nothing after. The rows are written at once in a transaction of
    their own, and on SQLite a transaction that has read cannot write any more once
    another connection has written (a mail rendered with its calendar file, then marked
    sent, would fail): such callers keep their texts in the process only.

    The texts missing are looked up, built and kept TEXTS_AT_ONCE at a time, from a chunk
    chosen at random: processes asked for the same texts at once (every worker's first
    feed of 12,500 events) find in each chunk what the others have kept meanwhile and
    share the work instead of each doing all of it, and each keeps what it built as it
    goes (a request that fails half way loses only its last chunk)."""
    keys = [_key(name, parts, version) for parts, version, _item in items]
    if _shared_cache():
        found: list = [None] * len(items)

        def look(indexes: list[int]) -> dict[int, bytes]:
            return dict(zip(indexes, _get_many([keys[i] for i in indexes]), strict=True))

        def keep(texts: dict[int, bytes]) -> None:
            _set_many({keys[i]: text for i, text in texts.items()})

    else:
        store = _text_store()
        found = [store.get(key) for key in keys]
        names = {i: f"{name}:{_digest(items[i][0])}" for i, text in enumerate(found)
                 if text is None and in_table}  # fmt: skip

        def look(indexes: list[int]) -> dict[int, bytes]:
            if not in_table:
                return {}
            texts = _kept_rows({names[i]: (i, items[i][1]) for i in indexes})
            for i, text in texts.items():
                store.set(keys[i], text)
            return texts

        def keep(texts: dict[int, bytes]) -> None:
            for i, text in texts.items():
                store.set(keys[i], text)
            if in_table:
                _keep_rows({names[i]: (items[i][1], text) for i, text in texts.items()})

    missing = [i for i, text in enumerate(found) if text is None]
    chunks = [missing[n : n + TEXTS_AT_ONCE] for n in range(0, len(missing), TEXTS_AT_ONCE)]
    first = secrets.randbelow(len(chunks)) if chunks else 0
    for chunk in chunks[first:] + chunks[:first]:
        texts = {i: text for i, text in look(chunk).items() if text is not None}
        todo = [i for i in chunk if i not in texts]
        if todo:
            built = dict(zip(todo, build([items[i][2] for i in todo]), strict=True))
            keep(built)
            texts.update(built)
        for i, text in texts.items():
            found[i] = text
    return found


def _kept_rows(wanted: dict[str, tuple[int, str]]) -> dict[int, bytes]:
    """The texts of the `kept_texts` rows named (key -> (index, version)) whose version
    is the one wanted, by index; read in the request's own transaction."""
    rows = db.session.execute(
        sa.select(KeptText.key, KeptText.version, KeptText.text).where(
            KeptText.key.in_(list(wanted))
        )
    )
    return {wanted[key][0]: text for key, version, text in rows if wanted[key][1] == version}


def _keep_rows(texts: dict[str, tuple[str, bytes]]) -> None:
    """Write `kept_texts` rows (key -> (version, text)), replacing the older versions, in
    a transaction of their own, committed at once: the request's own transaction may be
    read-only or rolled back, and the texts are for every process. A text not kept is
    only built again: a failure is logged, never raised."""
    now = utcnow()
    try:
        with Session(bind=db.engine, join_transaction_mode="create_savepoint") as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(KeptText).values(
                [
                    {"key": key, "version": version, "text": text, "kept_at": now}
                    for key, (version, text) in texts.items()
                ]
            )
            statement = statement.on_conflict_do_update(
                index_elements=[KeptText.key],
                set_={
                    "version": statement.excluded.version,
                    "text": statement.excluded.text,
                    "kept_at": statement.excluded.kept_at,
                },
            )
            session.execute(statement)
            session.commit()
    except sa.exc.SQLAlchemyError:
        logger.warning("%d built texts not kept for other processes", len(texts), exc_info=True)


def _get(key: str):
    """The cached value, or None; a cache that cannot be reached (Redis down) is a miss."""
    try:
        return cache.get(key)
    except Exception:  # the page is built as if nothing were cached
        logger.warning("the cache is unavailable; building without it", exc_info=True)
        return None


def _set(key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("the cache is unavailable; not storing", exc_info=True)


def _get_many(keys: list[str]) -> list:
    """The cached values of `keys` (None for each one missing), in one call."""
    if not keys:
        return []
    try:
        return list(cache.get_many(*keys))
    except Exception:  # as `_get`: built as if nothing were cached
        logger.warning("the cache is unavailable; building without it", exc_info=True)
        return [None] * len(keys)


def _set_many(values: dict) -> None:
    try:
        cache.set_many(values)
    except Exception:
        logger.warning("the cache is unavailable; not storing", exc_info=True)


# --- keeping updated_at honest ---------------------------------------------------------


@event.listens_for(Session, "before_flush")
def touch_changed(session: Session, _context, _instances) -> None:
    now = utcnow()
    for name in {o.__tablename__ for o in session.deleted if isinstance(o, TimestampMixin)}:
        _mark_deleted(session, name, now)
    touched = set()
    for obj in session.dirty:
        if isinstance(obj, TimestampMixin) and session.is_modified(obj):
            touched.add(obj)
    for obj in (*session.new, *session.dirty, *session.deleted):
        parent = getattr(obj, "cache_parent", None)
        if parent is not None and parent not in session.deleted and parent not in session.new:
            touched.add(parent)
    for obj in touched:
        obj.updated_at = now


@event.listens_for(Session, "do_orm_execute")
def _bulk_delete(state) -> None:
    """session.execute(sa.delete(Model)...) bypasses the flush: mark it here."""
    mapper = state.bind_mapper
    if state.is_delete and mapper is not None and issubclass(mapper.class_, TimestampMixin):
        _mark_deleted(state.session, mapper.class_.__tablename__, utcnow())


def _mark_deleted(session: Session, table: str, now: datetime) -> None:
    marked = session.execute(
        sa.update(CacheDeletion).where(CacheDeletion.table_name == table).values(deleted_at=now),
        execution_options={"synchronize_session": False},
    )
    if marked.rowcount == 0:  # a table the migration did not seed
        session.execute(sa.insert(CacheDeletion).values(table_name=table, deleted_at=now))


# --- whole pages -----------------------------------------------------------------------


@functools.cache
def _release_digest() -> str:
    """Changes when any template or module does: a shared cache never serves a page of an
    older release."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for pattern in ("*.html", "*.xml", "*.py", "*.po"):
        for path in sorted(root.rglob(pattern)):
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _viewer() -> tuple | None:
    if not current_user.is_authenticated:
        return None
    changed = getattr(current_user, "updated_at", None)
    return (current_user.get_id(), changed.isoformat() if isinstance(changed, datetime) else None)


def _models(entries) -> tuple:
    """The models of `cached_page(...)`: classes, or callables that return classes (read
    per request from a registry, e.g. the models the home sections declare)."""
    models: dict = {}
    for entry in entries:
        for model in entry() if callable(entry) and not isinstance(entry, type) else (entry,):
            models.setdefault(model, None)
    return tuple(models)


def _page_key(models, clock: str | None, params: frozenset[str]) -> str | None:
    if request.method != "GET" or "_flashes" in session:
        return None
    if not params.issuperset(request.args):
        # An unknown parameter: built, never stored (it cannot fill the cache); the
        # fingerprints the page reads while built are read together all the same.
        request.environ[_PAGE_MODELS] = _models(models)
        return None
    parts = (
        _release_digest(),
        request.script_root,  # the language prefix (/fr, /de, /sl) is part of the page
        offered_language(),  # an unprefixed page offers the browser's language
        request.path,
        sorted(request.args.items(multi=True)),
        _viewer(),
        session.get(CSRF_SESSION_KEY),
        cache_key_parts(),
        utcnow().strftime(_CLOCKS[clock]) if clock else None,
        fingerprint(*_models(models)),
    )
    return f"page:{request.endpoint}:{_digest(parts)}"


def cached_page(*models, clock: str | None = None, params: tuple[str, ...] = ()):
    """Serve the view's response from the cache while `models` (and the viewer) are
    unchanged. A model may be given as a callable returning models, read per request
    (`core.registry.home_models`). `clock` ("minute" or "day"): the page also depends on
    the time (upcoming or past, registration open or closed), so it is rebuilt at least
    that often.
    `params`: the query parameters the view reads; a request with any other is not cached.

    Entries live CACHE_PAGE_SECONDS at most: that bounds how long a page can be stale in
    the one case the fingerprint cannot see, a transaction that commits after a later one
    whose change already moved the newest updated_at (or a host whose clock runs ahead)."""
    if clock is not None and clock not in _CLOCKS:
        raise ValueError(f"clock must be one of {sorted(_CLOCKS)}")
    known = frozenset(params)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = _page_key(models, clock, known)
            if key is None:
                return view(*args, **kwargs)
            hit = _get(key)
            if hit is not None:
                body, status, headers, frame_src = hit
                if frame_src:  # the video hosts the page embeds, for its CSP (consent/embed.py)
                    security.allow_frame_src(*frame_src)
                response = current_app.response_class(body, status=status, headers=headers)
                return response.make_conditional(request)
            csrf_before = session.get(CSRF_SESSION_KEY)
            response = make_response(view(*args, **kwargs))
            if (
                response.status_code == 200
                and not response.direct_passthrough
                and "Set-Cookie" not in response.headers
                and session.get(CSRF_SESSION_KEY) == csrf_before
            ):
                response.add_etag()
                headers = [(k, v) for k, v in response.headers if k in _KEPT_HEADERS]
                headers.append(("ETag", response.headers["ETag"]))
                frame_src = security.frame_src() or None
                entry = (response.get_data(), response.status_code, headers, frame_src)
                _set(key, entry, timeout=current_app.config["CACHE_PAGE_SECONDS"])
                return response.make_conditional(request)
            return response

        return wrapper

    return decorator
