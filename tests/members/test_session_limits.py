"""How long a sign-in lasts: the browser session without "keep me signed in" (whatever the
cookie choice), and the server's idle and age limits."""

from __future__ import annotations

import logging

from tests.fixtures.members import GOOD_PASSWORD

BANNER = b'id="consent-banner"'


def _age(client, *, idle_seconds=0, signed_in_seconds_ago=0):
    with client.session_transaction() as sess:
        sess["seen_at"] -= idle_seconds
        sess["signed_in_at"] -= signed_in_seconds_ago


def test_sign_in_without_keep_me_signed_in_ends_with_the_browser_after_a_cookie_choice(
    client, make_member, login
):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    client.post("/cookies/consent", data={"action": "accept_all"})
    assert login("ana@example.org").status_code == 302
    assert client.get_cookie("session").expires is None  # not a six-month cookie
    assert client.get_cookie("remember_token") is None
    assert client.get("/members/me").status_code == 200
    client.delete_cookie("session")  # the browser was closed
    assert client.get("/members/me").status_code == 302  # signed out
    assert BANNER not in client.get("/").data  # the cookie choice survived


def test_sign_in_after_a_refusal_is_a_browser_session_too(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    client.post("/cookies/consent", data={"action": "reject_all"})
    login("ana@example.org")
    assert client.get_cookie("session").expires is None
    client.get("/about")
    assert client.get_cookie("session").expires is None


def test_session_idle_past_the_limit_is_refused(client, make_member, login, caplog):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org")
    _age(client, idle_seconds=13 * 3600)
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        response = client.get("/members/me")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]
    assert "event=session_expired" in caplog.text and "reason='idle'" in caplog.text
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_session_in_use_stays_and_is_marked_seen(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org")
    _age(client, idle_seconds=11 * 3600)
    assert client.get("/members/me").status_code == 200
    with client.session_transaction() as sess:
        seen = sess["seen_at"]
    _age(client, idle_seconds=11 * 3600)
    with client.session_transaction() as sess:
        assert sess["seen_at"] == seen - 11 * 3600
    assert client.get("/members/me").status_code == 200  # 11 h since last seen, not 22


def test_session_signed_in_longer_ago_than_the_limit_is_refused(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org")
    _age(client, signed_in_seconds_ago=29 * 86400)
    assert client.get("/members/me").status_code == 200
    _age(client, signed_in_seconds_ago=2 * 86400)
    assert client.get("/members/me").status_code == 302


def test_limits_come_from_the_configuration(app, client, make_member, login, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_HOURS", 1)
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org")
    _age(client, idle_seconds=2 * 3600)
    assert client.get("/members/me").status_code == 302


def test_keep_me_signed_in_starts_a_new_session_after_an_idle_one(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org", remember="y")
    _age(client, idle_seconds=13 * 3600)
    assert client.get("/members/me").status_code == 200  # restored from the remember-me cookie
    with client.session_transaction() as sess:
        assert sess["_fresh"] is False  # a restored session: sensitive changes ask again


def test_static_files_never_rewrite_the_session(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org")
    _age(client, idle_seconds=600)
    asset = client.get("/static/css/site.css")
    asset.close()
    assert asset.status_code == 200
    assert asset.headers.getlist("Set-Cookie") == []
    page = client.get("/members/me")  # a page marks the session seen
    assert "session" in [h.split("=", 1)[0] for h in page.headers.getlist("Set-Cookie")]
