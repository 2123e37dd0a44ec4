"""Fixtures of the events tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def organizer(make_member):
    return make_member(role="organizer", name="Olga Organizer")


@pytest.fixture
def admin(make_member):
    return make_member(role="admin", name="Ada Admin")


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
