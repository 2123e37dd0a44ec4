"""Fixtures of the consent tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from interacta.consent.gate import SESSION_KEY


@pytest.fixture
def age_session_choice():
    """age_session_choice(client, when): pretend the browser's choice was made at `when`."""

    def age(client, when: datetime):
        with client.session_transaction() as sess:
            data = dict(sess[SESSION_KEY])
            data["at"] = when.isoformat()
            sess[SESSION_KEY] = data

    return age


@pytest.fixture
def admin(make_member):
    return make_member(role="admin")


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """The `db` fixture keeps an app context pushed, so `g` (and Flask-Login's cached user in
    it) would outlive a request; in production every request has a fresh `g`."""
    from flask import g, request_started

    def clear(sender, **_extra):
        for key in list(g):
            g.pop(key)

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)
