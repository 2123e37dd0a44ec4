"""Database engine settings that do not belong in configuration."""

from __future__ import annotations

import re
import select
import sqlite3
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from interacta.core.registry import schema_filters

_configured = False


def _sqlite_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself, so SAVEPOINT and BEGIN IMMEDIATE work as written.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def configure_sqlite() -> None:
    """Install the SQLite connection hooks once per process."""
    global _configured
    if _configured:
        return
    sa.event.listen(Engine, "connect", _sqlite_connect)
    sa.event.listen(Engine, "begin", _sqlite_begin)
    _configured = True


#: Marks the app's PostgreSQL engine, whose connections begin a transaction lazily.
LAZY_BEGIN = "interacta_lazy_begin"
#: A pooled PostgreSQL connection idle longer than this is pinged (one round trip) when it
#: is next checked out; a busier one is only checked for what the server sent meanwhile.
PING_AFTER_IDLE_SECONDS = 10.0
#: A statement that may run outside a transaction: a plain read (SELECT, or WITH ... SELECT
#: without a data-modifying part). A locking read, a transaction-scoped advisory lock and
#: anything else (writes, DDL, SAVEPOINT, SET) starts the transaction first. SQLAlchemy
#: writes keywords in capitals; a false alarm only costs a BEGIN.
_READ_START = ("SELECT", "WITH")
_NOT_A_PLAIN_READ = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b|pg_advisory_xact"
    r"|\b(?:INSERT|UPDATE|DELETE|MERGE)\b"
)


def postgres_engine_options(options: dict) -> dict:
    """The engine options for PostgreSQL: connections in autocommit mode, so that a
    request that only reads sends its statements alone, without the BEGIN and ROLLBACK
    round trips around them (each statement of a read-committed transaction sees a
    snapshot of its own anyway); `_begin_before_write` opens a real transaction before the
    first statement that writes or locks, and commit and rollback end it. SQLAlchemy's
    pre-ping (a SELECT 1 on every checkout) is replaced by `_check_on_checkout`."""
    options = dict(options)
    options.pop("pool_pre_ping", None)
    options["isolation_level"] = "AUTOCOMMIT"
    options["execution_options"] = {**options.get("execution_options", {}), LAZY_BEGIN: True}
    return options


def _reads_only(cursor, statement: str) -> bool:
    return (
        statement.startswith(_READ_START)
        and getattr(cursor, "name", None) is None  # a server-side cursor needs a transaction
        and _NOT_A_PLAIN_READ.search(statement) is None
    )


def _begin_before_write(conn, cursor, statement, parameters, context, executemany) -> None:
    options = conn.get_execution_options()
    if not options.get(LAZY_BEGIN) or "isolation_level" in options:
        return  # not the app's engine, or an isolation level asked for explicitly
    dbapi_connection = cursor.connection
    if dbapi_connection.info.transaction_status != _IDLE or _reads_only(cursor, statement):
        return
    dbapi_connection.execute("BEGIN")


#: psycopg's TransactionStatus.IDLE (an IntEnum): no transaction open on the connection.
_IDLE = 0


def _checked_in(dbapi_connection, record) -> None:
    record.info["interacta.checked_in"] = time.monotonic()


def _check_on_checkout(dbapi_connection, record, proxy) -> None:
    """Refuse (so the pool opens a new one) a connection the server closed while it sat in
    the pool: the server's last words, or the end of the stream, make its socket readable
    (found without a round trip); one idle for a while is pinged as well."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("connection closed")
    if dbapi_connection.info.transaction_status != _IDLE:
        raise DisconnectionError("connection returned inside a transaction")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise DisconnectionError("the server sent something to an idle connection")
    idle_since = record.info.get("interacta.checked_in")
    if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
        try:
            dbapi_connection.execute("SELECT 1")
        except Exception as error:
            raise DisconnectionError("ping failed") from error


def configure_postgres(engine: Engine) -> None:
    """Install the lazy BEGIN and the checkout check on the app's PostgreSQL engine
    (made with `postgres_engine_options`)."""
    if engine.dialect.name != "postgresql":
        return
    if not sa.event.contains(engine, "before_cursor_execute", _begin_before_write):
        sa.event.listen(engine, "before_cursor_execute", _begin_before_write)
        sa.event.listen(engine.pool, "checkin", _checked_in)
        sa.event.listen(engine.pool, "checkout", _check_on_checkout)


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: an object is compared unless a blueprint's schema filter
    (core.registry.register_schema_filter) leaves it out."""
    return all(keep(name, type_, parent_names) for keep in schema_filters())
