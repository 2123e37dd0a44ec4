"""Fixtures shared by the core tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def statements(app, sql_seen):
    """The SQL statements run while the test runs (cleared by the test)."""
    return sql_seen()
