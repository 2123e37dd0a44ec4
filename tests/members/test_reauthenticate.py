"""Changing the email address or password needs a fresh sign-in: the password typed in
this session within FRESH_LOGIN_MINUTES; a session restored from the remember-me cookie
is sent to /members/reauthenticate first, and nothing changes until the password is typed."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from flask import g

from interacta.members import services
from interacta.members.freshness import SESSION_KEY
from tests.fixtures.members import GOOD_PASSWORD, UNSAFE_NEXT_TARGETS

NEW_PASSWORD = "a brand new passphrase"
EMAIL_CHANGE = {"email-new_email": "new@example.org", "email-password": GOOD_PASSWORD}
PASSWORD_CHANGE = {"pw-current": GOOD_PASSWORD, "pw-new": NEW_PASSWORD}
REAUTH = "/members/reauthenticate"


def _get(client, url):
    g.pop("_login_user", None)  # each request loads the member again, as in production
    return client.get(url)


def _post(client, url, data=None):
    g.pop("_login_user", None)
    return client.post(url, data=data or {})


def _security_lines(caplog, event):
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "interacta.security" and f"event={event} " in r.getMessage() + " "
    ]


@pytest.fixture
def ana(make_member):
    return make_member(email="ana@example.org", password=GOOD_PASSWORD)


@pytest.fixture
def remembered(app, db, ana):
    """A browser that signed in with "keep me signed in" and was then closed: the session
    cookie is gone, the remember-me cookie restores the session on the next visit."""
    db.session.commit()
    browser = app.test_client()
    signed_in = _post(
        browser,
        "/members/login",
        {"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
    )
    assert signed_in.status_code == 302
    assert browser.get_cookie("remember_token") is not None
    browser.delete_cookie("session")
    page = _get(browser, "/members/me")
    assert page.status_code == 200  # signed in again, from the remember-me cookie
    return browser


def _move_password_time(client, seconds):
    with client.session_transaction() as sess:
        sess[SESSION_KEY] -= seconds


def _sent_to_reauth(response, next_path):
    assert response.status_code == 302
    assert response.headers["Location"] == f"{REAUTH}?next={quote(next_path, safe='')}"


# -- a session restored from the remember-me cookie ----------------------------------------


def test_remembered_session_is_sent_to_reauth_and_the_email_is_not_changed(remembered, ana, outbox):
    response = _post(remembered, "/members/me/email", EMAIL_CHANGE)
    _sent_to_reauth(response, "/members/me/email")
    assert ana.email == "ana@example.org"
    assert outbox(to="new@example.org") == []


def test_remembered_session_is_sent_to_reauth_and_the_password_is_not_changed(
    remembered, ana, outbox
):
    response = _post(remembered, "/members/me/password", PASSWORD_CHANGE)
    _sent_to_reauth(response, "/members/me/password")
    assert services.check_password(ana, GOOD_PASSWORD)
    assert not services.check_password(ana, NEW_PASSWORD)
    assert outbox(to="ana@example.org") == []


def test_remembered_session_cannot_sign_out_the_members_other_devices(remembered, ana):
    token = ana.session_token
    response = _post(remembered, "/members/me/sign-out-others")
    _sent_to_reauth(response, "/members/me/sign-out-others")
    assert ana.session_token == token


def test_account_page_says_the_password_will_be_asked_first(remembered, client, auth, ana):
    html = _get(remembered, "/members/me").get_data(as_text=True)
    assert "We will ask for your password first" in html
    assert f'href="{REAUTH}?next=/members/me%23email-title"' in html

    auth.login_as(ana)
    html = _get(client, "/members/me").get_data(as_text=True)
    assert "We will ask for your password first" not in html
    assert "without being asked for it first" in html


def test_after_reauth_the_member_comes_back_and_the_change_works(remembered, ana, outbox):
    sent = _post(remembered, "/members/me/email", EMAIL_CHANGE)
    page = _get(remembered, sent.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Confirm your password" in html
    assert "please enter your password again before this change" in html  # the flash

    confirmed = _post(remembered, sent.headers["Location"], {"password": GOOD_PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/members/me/email"
    back = _get(remembered, confirmed.headers["Location"])
    assert back.status_code == 302
    assert back.headers["Location"] == "/members/me#email-title"
    assert "Change email address" in _get(remembered, "/members/me").get_data(as_text=True)

    changed = _post(remembered, "/members/me/email", EMAIL_CHANGE)
    assert changed.status_code == 302
    assert changed.headers["Location"] == "/members/me"
    [mail] = outbox(to="new@example.org")
    assert mail.subject == "Interacta: confirm your new email address"

    moved = _post(remembered, "/members/me/password", PASSWORD_CHANGE)
    assert moved.status_code == 302 and moved.headers["Location"] == "/members/me"
    assert services.check_password(ana, NEW_PASSWORD)


# -- the 15-minute bound -------------------------------------------------------------------


def test_sign_in_with_the_password_is_fresh_for_fifteen_minutes_only(
    app, client, ana, login, outbox
):
    assert app.config["FRESH_LOGIN_MINUTES"] == 15
    login("ana@example.org")
    _move_password_time(client, 14 * 60)
    assert _post(client, "/members/me/email", EMAIL_CHANGE).headers["Location"] == "/members/me"
    assert len(outbox(to="new@example.org")) == 1

    _move_password_time(client, 2 * 60)  # 16 minutes now
    response = _post(client, "/members/me/email", EMAIL_CHANGE)
    _sent_to_reauth(response, "/members/me/email")
    assert len(outbox(to="new@example.org")) == 1  # no second mail
    response = _post(client, "/members/me/password", PASSWORD_CHANGE)
    _sent_to_reauth(response, "/members/me/password")
    assert services.check_password(ana, GOOD_PASSWORD)
    assert "We will ask for your password first" in _get(client, "/members/me").get_data(
        as_text=True
    )

    _post(client, f"{REAUTH}?next=/members/me", {"password": GOOD_PASSWORD})
    assert _post(client, "/members/me/password", PASSWORD_CHANGE).status_code == 302
    assert services.check_password(ana, NEW_PASSWORD)


def test_reauth_is_fresh_for_fifteen_minutes_only(remembered, ana):
    _post(remembered, REAUTH, {"password": GOOD_PASSWORD})
    _move_password_time(remembered, 16 * 60)
    response = _post(remembered, "/members/me/password", PASSWORD_CHANGE)
    _sent_to_reauth(response, "/members/me/password")
    assert services.check_password(ana, GOOD_PASSWORD)


def test_a_session_marked_fresh_without_a_typed_password_is_not_fresh(client, auth, ana):
    auth.login_as(ana)
    with client.session_transaction() as sess:
        del sess[SESSION_KEY]  # e.g. a session from before this rule
    response = _post(client, "/members/me/password", PASSWORD_CHANGE)
    _sent_to_reauth(response, "/members/me/password")
    assert services.check_password(ana, GOOD_PASSWORD)


def test_the_window_comes_from_the_configuration(app, client, auth, ana, monkeypatch):
    monkeypatch.setitem(app.config, "FRESH_LOGIN_MINUTES", 1)
    auth.login_as(ana)
    _move_password_time(client, 61)
    _sent_to_reauth(_post(client, "/members/me/password", PASSWORD_CHANGE), "/members/me/password")


def test_signing_out_elsewhere_keeps_the_window_but_does_not_extend_it(client, ana, login):
    login("ana@example.org")
    _move_password_time(client, 10 * 60)
    with client.session_transaction() as sess:
        typed_at = sess[SESSION_KEY]
    assert _post(client, "/members/me/sign-out-others").headers["Location"] == "/members/me"
    with client.session_transaction() as sess:
        assert sess[SESSION_KEY] == typed_at
    assert _post(client, "/members/me/password", PASSWORD_CHANGE).status_code == 302
    assert services.check_password(ana, NEW_PASSWORD)


# -- the re-authentication page ------------------------------------------------------------


def test_wrong_password_is_refused_clearly_and_logged(remembered, ana, caplog):
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        response = _post(remembered, REAUTH, {"password": "not my password at all"})
    assert response.status_code == 400
    assert "This password is not correct" in response.get_data(as_text=True)
    [line] = _security_lines(caplog, "reauth_failed")
    assert f"member={ana.id}:" in line and "reason='bad_password'" in line
    assert "not my password at all" not in "\n".join(r.getMessage() for r in caplog.records)
    # Still not fresh.
    _sent_to_reauth(
        _post(remembered, "/members/me/password", PASSWORD_CHANGE), "/members/me/password"
    )


def test_successful_reauth_and_the_request_for_it_are_logged(remembered, ana, caplog):
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        _post(remembered, "/members/me/email", EMAIL_CHANGE)
        _post(remembered, REAUTH, {"password": GOOD_PASSWORD})
    [asked] = _security_lines(caplog, "reauth_required")
    assert "path=/members/me/email" in asked and "method='POST'" in asked
    [ok] = _security_lines(caplog, "reauth_success")
    assert f"member={ana.id}:" in ok
    assert GOOD_PASSWORD not in ok


def test_too_many_wrong_passwords_get_429(remembered, ana):
    statuses = [
        _post(remembered, REAUTH, {"password": f"wrong password {i}"}).status_code for i in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    page = _post(remembered, REAUTH, {"password": GOOD_PASSWORD})  # even the right one waits
    assert page.status_code == 429
    assert "Too many sign-in attempts" in page.get_data(as_text=True)
    _sent_to_reauth(
        _post(remembered, "/members/me/password", PASSWORD_CHANGE), "/members/me/password"
    )


@pytest.mark.parametrize("target", UNSAFE_NEXT_TARGETS)
def test_next_to_another_host_is_ignored(remembered, target):
    response = _post(
        remembered, f"{REAUTH}?next={quote(target, safe='')}", {"password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/me"


def test_a_fresh_session_goes_straight_on(client, auth, ana):
    auth.login_as(ana)
    response = _get(client, f"{REAUTH}?next=/members/me%23password-title")
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/me#password-title"


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = _get(client, REAUTH)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/members/login?next=")


def test_the_data_export_needs_a_fresh_sign_in_too(remembered):
    _sent_to_reauth(_get(remembered, "/members/me/export"), "/members/me/export")
    _post(remembered, REAUTH + "?next=/members/me/export", {"password": GOOD_PASSWORD})
    export = _get(remembered, "/members/me/export")
    assert export.status_code == 200
    assert "ana@example.org" in export.get_data(as_text=True)
