"""Fixtures of the consent tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from flask import g, request_started

from interacta.consent import gate
from interacta.consent.registry import CONSENT_COOKIE


def browser_record(client):
    """(choice, subject id) held in the client's consent cookie, or None."""
    cookie = client.get_cookie(CONSENT_COOKIE)
    return gate.decode_cookie(cookie.value if cookie else None)


def put_in_browser(client, choice, subject=None):
    """Make the client's consent cookie hold `choice` (as the site would have set it)."""
    client.set_cookie(CONSENT_COOKIE, gate.cookie_value(choice, subject))


@pytest.fixture
def age_session_choice():
    """age_session_choice(client, when): pretend the browser's choice was made at `when`."""

    def age(client, when: datetime):
        choice, subject = browser_record(client)
        put_in_browser(client, replace(choice, chosen_at=when), subject)

    return age


@pytest.fixture
def admin(make_member):
    return make_member(role="admin")


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """The `db` fixture keeps an app context pushed, so `g` (and Flask-Login's cached user in
    it) would outlive a request; in production every request has a fresh `g`."""

    def clear(sender, **_extra):
        for key in list(g):
            g.pop(key)

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)
