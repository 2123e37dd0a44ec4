"""Database engine settings that do not belong in configuration."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import Engine

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


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: an object is compared unless a blueprint's schema filter
    (core.registry.register_schema_filter) leaves it out."""
    return all(keep(name, type_, parent_names) for keep in schema_filters())
