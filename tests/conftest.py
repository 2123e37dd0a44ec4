"""Shared fixtures: the app (schema built once by the migrations), a per-test transaction
that is rolled back, the test client, the CLI runner, and factories.

Backends: SQLite always; PostgreSQL when INTERACTA_TEST_DB=postgres and TEST_DATABASE_URL
is set (`make test` runs the suite a second time that way). REQUIRE_POSTGRES=1 and
REQUIRE_BROWSER=1 (set in CI) turn a missing database or browser into a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask_login import FlaskLoginClient
from flask_login.utils import _create_identifier

from config import TestConfig
from interacta import create_app, register_migrations
from interacta.core.cache import clear_texts
from interacta.core.models import OutboxMessage
from interacta.extensions import cache, limiter
from interacta.extensions import db as _db
from interacta.members import freshness, sessions
from tools import translations

# Each blueprint keeps the factories other blueprints' tests need in tests/fixtures/<bp>.py.
pytest_plugins = [
    "tests.fixtures.members",
    "tests.fixtures.events",
    "tests.fixtures.publications",
    "tests.fixtures.consent",
    "tests.fixtures.calls",
]

BACKEND = os.environ.get("INTERACTA_TEST_DB", "sqlite")
CHROMIUM = "/usr/bin/chromium"


def _required(name: str) -> bool:
    return os.environ.get(name) == "1"


#: Under pytest-xdist (`make test` runs `pytest -n 2`), this process's worker ("gw0", ...);
#: empty in a plain `pytest` run and in xdist's controller.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_configure(config):
    if not WORKER:  # once, before any worker starts: workers would write the same files
        translations.compile_all()  # the .mo files, as `make install` builds them
    # Here rather than at collection, which xdist's controller leaves to the workers.
    if not os.environ.get("TEST_DATABASE_URL"):
        if BACKEND == "postgres":
            raise pytest.UsageError("INTERACTA_TEST_DB=postgres needs TEST_DATABASE_URL")
        if _required("REQUIRE_POSTGRES"):
            raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (`--dist loadgroup`)
def pytest_collection_modifyitems(config, items):
    """Tests of one backend's own machinery are deselected on the other (each runs in its
    own pass: SQLite always, PostgreSQL where TEST_DATABASE_URL is set); `one_pass` tests
    run in the SQLite pass only. Under xdist, the tests of `pg_app` run one at a time, in
    one worker: each opens up to 60 connections, and two at once would pass PostgreSQL's
    default limit of 100."""
    keep, drop = [], []
    other = "sqlite_only" if BACKEND == "postgres" else "postgres_only"
    for item in items:
        if "pg_app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("pg_app"))
        # A test whose outcome cannot depend on the database runs once, in the SQLite pass.
        once_done = BACKEND == "postgres" and item.get_closest_marker("one_pass")
        if item.get_closest_marker(other) or once_done:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if not _has_browser() and not _required("REQUIRE_BROWSER"):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)


def _has_browser() -> bool:
    return bool(shutil.which("chromium") or os.path.exists(CHROMIUM))


def pytest_runtest_setup(item):
    # Each browser test fails, saying why (a UsageError raised at collection would lose
    # its message in an xdist worker).
    if item.get_closest_marker("browser") and _required("REQUIRE_BROWSER") and not _has_browser():
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def fresh_postgres_database(url: str) -> None:
    """Drop and create the database of `url`, through the server's `postgres` database."""
    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The database of this test process: TEST_DATABASE_URL's, or under xdist one per
    worker beside it (`<name>_gw0`, `<name>_gw1`, ...), made afresh by the worker itself;
    SQLite: a file in the session's temporary folder (one per worker under xdist)."""
    if BACKEND == "postgres":
        url = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        if not WORKER:
            reset_postgres(url)
            return url
        parsed = sa.make_url(url)
        url = parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(
            hide_password=False
        )
        fresh_postgres_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        TestConfig,
        instance_path=str(tmp_path_factory.mktemp("instance")),
        SQLALCHEMY_DATABASE_URI=database_url,
    )
    app.test_client_class = FlaskLoginClient
    # The test's app context outlives each request, so Flask-Login's cached user (and
    # Flask-WTF's token) in `g` would carry over from one request to the next.
    request_started.connect(_forget_cached_user, app)
    with app.app_context():
        flask_migrate.upgrade()
        _db.session.remove()
        # Sessions join the per-test outer transaction through savepoints.
        _db.session.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        _db.engine.dispose()


def _forget_cached_user(sender, **_extra):
    # Flask-Login's user, Flask-WTF's token and every per-request value (consent state,
    # CSP frame hosts), as a new app context would.
    for key in list(g):
        g.pop(key)


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back when the test ends."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        limiter.reset()
        # Rolled-back rows can come back with the same ids and counts: start each test
        # with no cached pages.
        cache.clear()
        clear_texts()
        try:
            yield _db
        finally:
            _db.session.remove()
            if transaction.is_active:
                transaction.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


_seq = itertools.count(1)


@pytest.fixture
def make_member(db):
    """make_member(**overrides) -> a saved, verified Member."""
    from interacta.core.models import utcnow
    from interacta.members.models import Member

    def make(**overrides):
        n = next(_seq)
        values = {
            "email": f"member{n}@example.org",
            "name": f"Member {n}",
            "role": "member",
            "email_verified_at": utcnow(),
        }
        password = overrides.pop("password", None)
        values.update(overrides)
        member = Member(**values)
        if password is not None:
            from interacta.members import services as member_services

            member_services.set_password(member, password)
        db.session.add(member)
        db.session.flush()
        return member

    return make


class Auth:
    """Sign a member in on the test client (flaskr's AuthActions)."""

    def __init__(self, client):
        self.client = client

    def login_as(self, member, *, fresh: bool = True):
        """A session as after signing in with the password just now; `fresh=False`: as
        one restored from the remember-me cookie (changing email or password asks again)."""
        app = self.client.application
        with app.test_request_context(environ_base=self.client.environ_base):
            identifier = _create_identifier()  # what "strong" session protection checks
        with self.client.session_transaction() as sess:
            sess["_user_id"] = member.get_id()
            sess["_fresh"] = fresh
            sess["_id"] = identifier
            sess[sessions.SIGNED_IN_AT] = sess[sessions.SEEN_AT] = int(time.time())
            if fresh:
                sess[freshness.SESSION_KEY] = int(time.time())
            else:
                sess.pop(freshness.SESSION_KEY, None)
        return member

    def logout(self):
        with self.client.session_transaction() as sess:
            sess.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def outbox(db):
    """outbox() -> the mail queued so far in this test, oldest first."""

    def read(to: str | None = None):
        query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_addr == to)
        return list(db.session.scalars(query))

    return read


@pytest.fixture
def make_app(tmp_path):
    """make_app(**config) -> a separate app on its own migrated SQLite file (committed data)."""
    apps = []

    def make(migrate: bool = True, **overrides):
        path = tmp_path / f"app{len(apps)}"
        path.mkdir()
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{path / 'app.db'}")
        new = create_app(TestConfig, instance_path=str(path), **overrides)
        if "migrate" not in new.extensions:  # TESTING=False: set up as on the command line
            register_migrations(new)
        if migrate:
            with new.app_context():
                flask_migrate.upgrade()
                _db.session.remove()
        apps.append(new)
        return new

    yield make
    for made in apps:
        with made.app_context():
            _db.engine.dispose()


class QueryCounter:
    """A before_cursor_execute listener keeping the statements the app ran (not the test
    transaction's own SAVEPOINT, RELEASE and ROLLBACK)."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_seen():
    """`sql_seen(keep=None)`: a list that fills with the SQL statements run from then until
    the test ends (only those `keep(statement)` accepts, if given)."""
    listeners = []

    def start(keep=None) -> list[str]:
        seen: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            if keep is None or keep(statement):
                seen.append(statement)

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
        listeners.append(before)
        return seen

    yield start
    for before in listeners:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries(db):
    """with count_queries() as counter: ...; counter.count is the SQL statements run,
    counter.statements their text."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        bind = db.session.get_bind()
        sa.event.listen(bind, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(bind, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def sqlite_statistics(db):
    """SQLite: `sqlite_statistics(table, {index: stat})` runs ANALYZE, then gives `table` the
    planner statistics `stats` (sqlite_stat1 rows, as a bench database has them) and makes
    the connection read them, for this test alone.

    When the test ends the statistics are put back as they were, rows and what the
    connection loaded: the test's rollback restores the rows but not the statistics the
    connection read from them, and later tests' plans would follow this test's data."""
    connection = db.engines[None]  # the test's connection (see `db`)
    saved = None

    def give(table: str, stats: dict[str, str]) -> None:
        nonlocal saved
        if saved is None:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).first()
            saved = list(connection.exec_driver_sql("SELECT * FROM sqlite_stat1")) if exists else []
            connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = ?", (table,))
        for index, stat in stats.items():
            connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", (table, index, stat)
            )
        connection.exec_driver_sql("ANALYZE sqlite_schema")  # reads them again

    yield give
    if saved is not None:
        connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        for row in saved:
            connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", tuple(row))
        connection.exec_driver_sql("ANALYZE sqlite_schema")
