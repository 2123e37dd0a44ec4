"""The app's PostgreSQL connections (interacta/core/db.py): a request that only reads sends
its statements without BEGIN and ROLLBACK around them; anything that writes or locks runs
in a real transaction; a connection the server closed while it sat in the pool is replaced
before a request gets it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from psycopg import errors as pg_errors

from interacta.core.models import Topic
from interacta.extensions import db

pytestmark = pytest.mark.postgres_only


def _statuses(engine) -> tuple[list[tuple[str, str]], Callable[[], None]]:
    """A list of (statement start, psycopg transaction status) for each statement the
    engine runs, and the function that stops recording."""
    seen: list = []

    def record(conn, cursor, statement, *_args):
        seen.append((statement.split()[0], cursor.connection.info.transaction_status.name))

    sa.event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", record)


def _other_connection(app):
    return sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])


def test_pages_that_only_read_run_their_statements_outside_a_transaction(pg_app):
    with pg_app.app_context():
        db.session.add(Topic(slug="cimic-test", name="CIMIC test", position=1))
        db.session.commit()
        engine = db.engine
    seen, stop = _statuses(engine)
    try:
        client = pg_app.test_client()
        for path in ("/events/", "/publications/", "/publications/?q=cimic"):
            assert client.get(path).status_code == 200
    finally:
        stop()
    assert seen, "the pages ran no statement"
    assert [s for s in seen if s[1] != "IDLE"] == []


def test_a_write_that_fails_half_way_leaves_nothing_saved(pg_app):
    with pg_app.app_context():
        db.session.add(Topic(slug="first", name="First"))
        db.session.flush()
        db.session.add(Topic(slug="first", name="Second"))  # the same slug: refused
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.remove()
    other = _other_connection(pg_app)
    with other.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM topics WHERE slug = 'first'")) == 0
    other.dispose()


def test_a_locking_read_keeps_its_lock_until_the_commit(pg_app):
    with pg_app.app_context():
        db.session.add(Topic(slug="locked", name="Locked"))
        db.session.commit()
        db.session.remove()
        # The first statement of this transaction is the locking read itself.
        topic = db.session.scalars(
            sa.select(Topic).where(Topic.slug == "locked").with_for_update()
        ).one()
        other = _other_connection(pg_app)
        with other.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '200ms'")
            with pytest.raises(sa.exc.OperationalError) as refused:
                conn.execute(
                    sa.text("SELECT id FROM topics WHERE id = :id FOR UPDATE"), {"id": topic.id}
                )
            assert isinstance(refused.value.orig, pg_errors.LockNotAvailable)
            conn.rollback()
            db.session.commit()
            conn.execute(
                sa.text("SELECT id FROM topics WHERE id = :id FOR UPDATE"), {"id": topic.id}
            )
            conn.rollback()
        other.dispose()
        db.session.remove()


def test_savepoints_and_commits_behave_as_in_a_transaction(pg_app):
    with pg_app.app_context():
        db.session.add(Topic(slug="kept", name="Kept"))
        nested = db.session.begin_nested()
        db.session.add(Topic(slug="undone", name="Undone"))
        db.session.flush()
        nested.rollback()
        db.session.commit()
        db.session.remove()
        slugs = set(
            db.session.scalars(sa.select(Topic.slug).where(Topic.slug.in_(["kept", "undone"])))
        )
        db.session.remove()
    assert slugs == {"kept"}


def test_a_connection_the_server_closed_in_the_pool_is_replaced(pg_app):
    with pg_app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            pid = conn.scalar(sa.select(sa.func.pg_backend_pid()))
        other = _other_connection(pg_app)
        with other.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
            for _ in range(50):  # bounded: the backend is gone within milliseconds
                gone = not admin.scalar(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid},
                )
                admin.rollback()
                if gone:
                    break
                time.sleep(0.05)
        other.dispose()
        # The next request on this worker gets a working connection, not an error.
        response = pg_app.test_client().get("/events/")
        assert response.status_code == 200
        with engine.connect() as conn:
            assert conn.scalar(sa.select(sa.func.pg_backend_pid())) != pid


def test_a_connection_idle_for_a_while_is_pinged_when_checked_out_and_a_busy_one_is_not(
    pg_app, monkeypatch
):
    """A pooled connection checked out again at once is only checked for what the server
    sent meanwhile (no round trip); one idle longer than PING_AFTER_IDLE_SECONDS is pinged
    first (`SELECT 1`, seen as the backend's last statement), so a server gone silent is
    found before a request gets it."""
    from interacta.core import db as core_db

    with pg_app.app_context():
        engine = db.engine
        other = _other_connection(pg_app)

        def last_statement(pid: int) -> str:
            with other.connect() as admin:
                return admin.scalar(
                    sa.text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                )

        try:
            with engine.connect() as conn:
                conn.scalar(sa.text("SELECT 'busy'"))
            with engine.connect() as conn:  # at once: not pinged
                pid = conn.connection.dbapi_connection.info.backend_pid
                assert last_statement(pid) == "SELECT 'busy'"
                conn.scalar(sa.text("SELECT 'busy again'"))
            monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
            time.sleep(0.01)
            with engine.connect() as conn:  # idle longer than the (lowered) limit: pinged
                pid = conn.connection.dbapi_connection.info.backend_pid
                assert last_statement(pid) == "SELECT 1"
        finally:
            other.dispose()
