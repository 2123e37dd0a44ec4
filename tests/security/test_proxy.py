"""Behind the documented reverse proxy (docs/deploy.md), per-IP limits count per client.

TRUSTED_PROXIES=N applies Werkzeug's ProxyFix for N proxies: the client's address comes
from the last N entries of X-Forwarded-For. With 0 (the default, no proxy) the header is
ignored, so a client cannot pick its own address by sending one."""

from __future__ import annotations

import pytest
from flask import request

from interacta.extensions import limiter

PROXY = "127.0.0.1"  # where gunicorn sees every request come from, behind the proxy
ALICE, BOB = "203.0.113.7", "198.51.100.23"
JOIN_LIMIT = 10  # sign-ups an hour from one address (members/views.py)


@pytest.fixture
def behind_proxy(make_app):
    """make(trusted) -> a test client of an app with TRUSTED_PROXIES=trusted, whose
    requests all come from the proxy's address; `client.ip(forwarded_for)` shows the
    address the app sees."""

    def make(trusted: int):
        app = make_app(TRUSTED_PROXIES=trusted)
        app.add_url_rule("/_test/ip", "test_ip", lambda: request.remote_addr or "")
        limiter.reset()
        return app.test_client()

    return make


def _join(client, forwarded_for: str) -> int:
    """A sign-up attempt (an empty form: 400, but it counts) from `forwarded_for`."""
    headers = {"X-Forwarded-For": forwarded_for}
    return client.post(
        "/members/join", data={}, headers=headers, environ_base={"REMOTE_ADDR": PROXY}
    ).status_code


def _seen_as(client, forwarded_for: str) -> str:
    headers = {"X-Forwarded-For": forwarded_for}
    response = client.get("/_test/ip", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    return response.get_data(as_text=True)


def test_behind_one_proxy_two_clients_have_their_own_limits(behind_proxy):
    client = behind_proxy(1)
    assert _seen_as(client, ALICE) == ALICE
    # A client's own X-Forwarded-For is kept by the proxy, which appends the real address.
    assert _seen_as(client, f"10.9.9.9, {BOB}") == BOB
    statuses = [_join(client, ALICE) for _ in range(JOIN_LIMIT + 1)]
    assert 429 not in statuses[:JOIN_LIMIT] and statuses[JOIN_LIMIT] == 429
    assert _join(client, BOB) == 400  # the form's answer: Alice's limit is not Bob's
    assert _join(client, f"{BOB}, {ALICE}") == 429  # Bob cannot pass himself off as Alice's


def test_without_trusted_proxies_x_forwarded_for_is_ignored(behind_proxy):
    client = behind_proxy(0)
    assert _seen_as(client, ALICE) == PROXY
    statuses = [_join(client, f"192.0.2.{n}") for n in range(JOIN_LIMIT + 1)]
    # A made-up header does not give a client a fresh limit for each request.
    assert 429 not in statuses[:JOIN_LIMIT] and statuses[JOIN_LIMIT] == 429


def test_trusted_proxies_defaults_to_none(app):
    assert app.config["TRUSTED_PROXIES"] == 0
