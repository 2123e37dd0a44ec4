"""Fixtures shared by the core tests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def statements(app):
    """The SQL statements run while the test runs (cleared by the test)."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
