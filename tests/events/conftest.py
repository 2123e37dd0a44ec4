"""Fixtures of the events tests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def organizer(make_member):
    return make_member(role="organizer", name="Olga Organizer")


@pytest.fixture
def admin(make_member):
    return make_member(role="admin", name="Ada Admin")


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    """with count_queries() as counter: ...; counter.count is the SQL statements run."""
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
def switch_user(auth):
    """switch_user(member or None): sign another member in (or out) between requests.

    The test's app context outlives requests, so Flask-Login's per-context cache of the
    current user is dropped too.
    """

    def switch(member):
        from flask import g

        g.pop("_login_user", None)
        if member is None:
            auth.logout()
            return None
        return auth.login_as(member)

    return switch
