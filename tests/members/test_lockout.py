"""Others cannot lock a member out: wrong passwords and reset requests from other clients
slow an account down but never refuse its owner."""

from __future__ import annotations

import pytest

from tests.fixtures.members import GOOD_PASSWORD
from tests.members.conftest import link_in

OWNER_IP = "198.51.100.7"


def _attempt(client, email, password, ip):
    return client.post(
        "/members/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


@pytest.fixture
def waits(monkeypatch):
    """The waits a sign-in made (instead of sleeping)."""
    recorded: list[float] = []
    monkeypatch.setattr("interacta.members.throttle._sleep", recorded.append, raising=False)
    return recorded


def test_wrong_passwords_from_other_clients_do_not_lock_the_owner_out(client, make_member, waits):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    # 40 wrong guesses from eight addresses: each stays under its own limits.
    for n in range(8):
        for i in range(5):
            response = _attempt(client, "ana@example.org", f"guess {n}-{i}", f"203.0.113.{n}")
            assert response.status_code == 400
    owner = _attempt(client, "ana@example.org", GOOD_PASSWORD, OWNER_IP)
    assert owner.status_code == 302 and owner.headers["Location"].endswith("/members/me")


def test_one_client_guessing_one_account_is_blocked(client, make_member, waits):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    statuses = [
        _attempt(client, "ana@example.org", f"guess {i}", "203.0.113.1").status_code
        for i in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    # ...while the owner, elsewhere, signs in.
    assert _attempt(client, "ana@example.org", GOOD_PASSWORD, OWNER_IP).status_code == 302


def test_an_account_guessed_at_from_many_clients_is_slowed_down(
    app, client, make_member, waits, monkeypatch
):
    monkeypatch.setitem(app.config, "SIGN_IN_SLOWDOWN_SECONDS", 2.0)
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    for n in range(10):
        _attempt(client, "ana@example.org", f"guess {n}", f"203.0.113.{n}")
    assert waits == []
    assert _attempt(client, "ana@example.org", "guess again", "203.0.113.99").status_code == 400
    assert waits == [2.0]
    # The owner waits too, and then is let in.
    assert _attempt(client, "ana@example.org", GOOD_PASSWORD, OWNER_IP).status_code == 302
    assert waits == [2.0, 2.0]
    # Another account is not slowed down.
    _attempt(client, "other@example.org", "whatever it is", "203.0.113.99")
    assert waits == [2.0, 2.0]


def test_reset_requests_from_other_clients_do_not_stop_the_owner_resetting(
    client, make_member, outbox
):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    for n in range(6):
        response = client.post(
            "/members/reset",
            data={"email": "ana@example.org"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
        )
        assert response.status_code == 200
    owner = client.post(
        "/members/reset", data={"email": "ana@example.org"}, environ_base={"REMOTE_ADDR": OWNER_IP}
    )
    assert owner.status_code == 200
    mails = outbox(to="ana@example.org")
    assert 1 <= len(mails) <= 3  # the mailbox is not flooded...
    link = link_in(mails[-1], "/members/reset/")  # ...and a link in it works
    done = client.post(
        link,
        data={"password": "the owner's new passphrase"},
        environ_base={"REMOTE_ADDR": OWNER_IP},
    )
    assert done.status_code == 302


def test_resend_requests_from_other_clients_do_not_stop_a_newcomer_confirming(
    client, make_member, outbox
):
    make_member(email="new@example.org", password=GOOD_PASSWORD, email_verified_at=None)
    for n in range(5):
        response = client.post(
            "/members/resend",
            data={"email": "new@example.org"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
        )
        assert response.status_code == 200
    owner = client.post(
        "/members/resend", data={"email": "new@example.org"}, environ_base={"REMOTE_ADDR": OWNER_IP}
    )
    assert owner.status_code == 200
    mails = outbox(to="new@example.org")
    assert 1 <= len(mails) <= 3
    confirmed = client.get(link_in(mails[-1], "/members/verify/"))
    assert confirmed.status_code == 302
