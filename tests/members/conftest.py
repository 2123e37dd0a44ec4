"""Helpers for the members tests: joining through the form, reading links from mails."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.fixtures.members import GOOD_PASSWORD, mail_links


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_in(message, fragment: str) -> str:
    """The path of the first link in `message` that contains `fragment`."""
    for url in mail_links(message):
        if fragment in url:
            return path_of(url)
    raise AssertionError(f"no link with {fragment!r} in: {message.text_body}")


@pytest.fixture
def join_form():
    def data(**overrides):
        values = {
            "name": "Nadia Novak",
            "email": "nadia@example.org",
            "password": GOOD_PASSWORD,
            "affiliation": "Red Cross Slovenia",
            "sector": "civil_society",
            "country": "SI",
            "accept_privacy": "y",
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    return data


@pytest.fixture
def login(client):
    def post(email, password=GOOD_PASSWORD, **extra):
        return client.post("/members/login", data={"email": email, "password": password, **extra})

    return post


@pytest.fixture
def auth(auth):
    """The root `auth`, also forgetting the user Flask-Login cached in `g`.

    The test's app context outlives each request, so after a request as a visitor
    `g._login_user` would still say "anonymous" when the test signs someone in.
    """
    from flask import g

    login_as, logout = auth.login_as, auth.logout

    def uncached_login_as(member, **kwargs):
        g.pop("_login_user", None)
        return login_as(member, **kwargs)

    def uncached_logout():
        g.pop("_login_user", None)
        return logout()

    auth.login_as, auth.logout = uncached_login_as, uncached_logout
    return auth
