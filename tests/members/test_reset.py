"""Password reset: the same answer for every address, links valid one hour and once."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner

from interacta.members import services
from tests.fixtures.members import GOOD_PASSWORD
from tests.members.conftest import link_in

NEW_PASSWORD = "a brand new passphrase"


def _request(client, outbox, email="ana@example.org"):
    client.post("/members/reset", data={"email": email})
    return link_in(outbox(to=email)[-1], "/members/reset/")


def test_reset_link_sets_a_new_password_and_the_member_is_told(client, make_member, outbox, login):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = client.post("/members/reset", data={"email": "ana@example.org"})
    assert response.status_code == 200
    assert "If that address has an account" in response.get_data(as_text=True)
    [mail] = outbox(to="ana@example.org")
    assert mail.subject == "Interacta: reset your password"
    assert "one hour" in mail.text_body
    link = link_in(mail, "/members/reset/")

    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/members/login")
    assert services.check_password(member, NEW_PASSWORD)

    changed = outbox(to="ana@example.org")[-1]
    assert changed.subject == "Interacta: your password was changed"

    assert login("ana@example.org", GOOD_PASSWORD).status_code == 400
    assert login("ana@example.org", NEW_PASSWORD).status_code == 302


def test_reset_answers_the_same_for_unknown_addresses_and_mails_nobody(client, make_member, outbox):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    known = client.post("/members/reset", data={"email": "ana@example.org"})
    unknown = client.post("/members/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert outbox(to="nobody@example.org") == []
    assert len(outbox(to="ana@example.org")) == 1


def test_reset_link_works_only_once(client, make_member, outbox):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    link = _request(client, outbox)
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302
    again = client.post(link, data={"password": "yet another passphrase"})
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 400


def test_reset_link_dies_when_the_password_changes_otherwise(client, db, make_member, outbox):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    link = _request(client, outbox)
    services.change_password(member, GOOD_PASSWORD, NEW_PASSWORD)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 400
    assert "password has changed" in response.get_data(as_text=True)


def test_reset_link_expires_after_one_hour(client, make_member, outbox, monkeypatch):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3700)
    link = _request(client, outbox)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert services.check_password(member, GOOD_PASSWORD)


def test_tampered_reset_link_is_refused(client, make_member, outbox):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    link = _request(client, outbox)
    response = client.get(link.replace("/reset/", "/reset/x"))
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)


def test_a_verification_link_is_not_a_reset_link(client, db, make_member, outbox):
    from interacta.members import tokens

    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    token = tokens.make_token(tokens.VERIFY, {"m": member.id, "e": member.email})
    assert client.get(f"/members/reset/{token}").status_code == 400


def test_reset_rejects_a_weak_new_password(client, make_member, outbox):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    link = _request(client, outbox)
    response = client.post(link, data={"password": "1q2w3e4r5t6y"})
    assert response.status_code == 400
    assert "most common" in response.get_data(as_text=True)


def test_too_many_reset_requests_for_one_address_get_429(client, db):
    statuses = [
        client.post("/members/reset", data={"email": "ana@example.org"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
