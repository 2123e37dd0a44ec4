"""Signing in and out: one generic message, rate limits, session rotation, safe `next`."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from interacta.extensions import db as _db
from interacta.members import services
from interacta.members.models import Member
from tests.fixtures.members import GOOD_PASSWORD, UNSAFE_NEXT_TARGETS


def test_member_signs_in_and_lands_on_their_account(client, make_member, login):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = login("ANA@example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/me"
    page = client.get("/members/me").get_data(as_text=True)
    assert "My account" in page and "ana@example.org" in page
    assert member.last_login_at is not None


@pytest.mark.parametrize(
    "email, password",
    [
        ("ana@example.org", "wrong password here"),
        ("nobody@example.org", GOOD_PASSWORD),
        ("off@example.org", GOOD_PASSWORD),
    ],
    ids=["wrong-password", "unknown-address", "deactivated"],
)
def test_failed_sign_in_gives_one_generic_message(client, make_member, login, email, password):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    make_member(email="off@example.org", password=GOOD_PASSWORD, is_active=False)
    response = login(email, password)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The email address or the password is not correct." in html
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_sign_in_starts_a_fresh_session_but_keeps_the_cookie_choice(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    client.post("/cookies/consent", data={"action": "reject_all"})
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login("ana@example.org")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"]
    assert client.get_cookie("ia_consent") is not None
    assert b'id="consent-banner"' not in client.get("/").data


def test_sign_in_fires_flask_logins_signal(client, make_member, login):
    from flask_login import user_logged_in

    seen = []

    def record(sender, user, **extra):
        seen.append(user.email)

    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    with user_logged_in.connected_to(record):
        login("ana@example.org")
    assert seen == [member.email]


def test_remember_me_sets_a_long_lived_cookie(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = login("ana@example.org", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_remember_me_keeps_the_member_signed_in_after_the_browser_restarts(
    client, make_member, login
):
    from flask import g

    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org", remember="y")
    client.delete_cookie("session")  # the browser was closed: only the remember cookie is left
    statuses = []
    for _ in range(3):  # page after page, not only the first
        g.pop("_login_user", None)
        statuses.append(client.get("/members/me").status_code)
    assert statuses == [200, 200, 200]
    assert client.get_cookie("remember_token") is not None


def test_a_restored_session_is_still_bound_to_its_browser(app, client, make_member, login):
    """Strong session protection: the restored session cookie does not work elsewhere."""
    from flask import g

    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org", remember="y")
    client.delete_cookie("session")
    g.pop("_login_user", None)
    assert client.get("/members/me").status_code == 200
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    g.pop("_login_user", None)
    response = thief.get("/members/me", environ_base={"REMOTE_ADDR": "203.0.113.99"})
    assert response.status_code == 302


def test_without_remember_me_there_is_no_remember_cookie(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = login("ana@example.org")
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_next_path_on_this_site_is_followed(client, make_member):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = client.post(
        "/members/login?next=/members/%3Fsector%3Dmilitary",
        data={"email": "ana@example.org", "password": GOOD_PASSWORD},
    )
    assert response.headers["Location"] == "/members/?sector=military"


@pytest.mark.parametrize("target", UNSAFE_NEXT_TARGETS)
def test_next_to_another_host_is_refused(client, make_member, target):
    from urllib.parse import quote

    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = client.post(
        f"/members/login?next={quote(target, safe='')}",
        data={"email": "ana@example.org", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/me"


def test_visitor_sent_to_sign_in_comes_back_after_it(client, make_member):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    redirect = client.get("/members/")
    assert redirect.status_code == 302
    login_url = redirect.headers["Location"]
    assert login_url.startswith("/members/login?next=")
    response = client.post(login_url, data={"email": "ana@example.org", "password": GOOD_PASSWORD})
    assert response.headers["Location"] == "/members/"


def test_logout_is_a_post_and_ends_the_session(client, auth, make_member):
    auth.login_as(make_member())
    assert client.get("/members/logout").status_code == 405
    response = client.post("/members/logout")
    assert response.status_code == 302
    assert client.get("/members/me").status_code == 302  # back to sign in


def test_nav_shows_account_and_sign_out_for_members_and_admin_link_for_admins(
    client, auth, make_member
):
    from flask import g

    visitor = client.get("/").get_data(as_text=True)
    assert "Members / Join" in visitor and "Sign out" not in visitor
    # The test's app context outlives requests, and Flask-Login caches the user in `g`.
    g.pop("_login_user", None)
    auth.login_as(make_member())
    html = client.get("/").get_data(as_text=True)
    assert 'href="/members/me"' in html and "Sign out" in html
    assert 'action="/members/logout"' in html
    assert 'href="/members/admin"' not in html
    g.pop("_login_user", None)
    auth.login_as(make_member(role="admin"))
    assert 'href="/members/admin"' in client.get("/").get_data(as_text=True)


def test_too_many_attempts_on_one_account_get_429(client, make_member, login):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    statuses = [login("ana@example.org", f"wrong password {i}").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    page = login("ana@example.org")  # even the right password waits now
    assert page.status_code == 429
    assert "Too many sign-in attempts" in page.get_data(as_text=True)
    # Another account from the same address is not blocked yet.
    assert login("other@example.org", "whatever it is").status_code == 400


def test_too_many_attempts_from_one_ip_get_429(client, db):
    statuses = [
        client.post(
            "/members/login", data={"email": f"u{i}@example.org", "password": "x" * 12}
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_password_hash_is_upgraded_at_sign_in_when_parameters_change(app, client, make_member):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    old_hash = member.password_hash
    app.config["PASSWORD_HASH_TIME_COST"] = 2
    try:
        response = client.post(
            "/members/login", data={"email": "ana@example.org", "password": GOOD_PASSWORD}
        )
        assert response.status_code == 302
        _db.session.refresh(member)
        assert member.password_hash != old_hash
        assert ",t=2," in member.password_hash
        assert services.check_password(member, GOOD_PASSWORD)
    finally:
        app.config["PASSWORD_HASH_TIME_COST"] = 1


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)


def test_real_login_and_join_forms_enforce_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        member = Member(email="ana@example.org", name="Ana")
        services.set_password(member, GOOD_PASSWORD)
        member.email_verified_at = sa.func.now()
        _db.session.add(member)
        _db.session.commit()
    client = app.test_client()
    data = {"email": "ana@example.org", "password": GOOD_PASSWORD}
    refused = client.post("/members/login", data=data)
    assert refused.status_code == 400
    assert "did not come from this site" in refused.get_data(as_text=True)
    token = _csrf(client.get("/members/login").get_data(as_text=True))
    assert client.post("/members/login", data={**data, "csrf_token": token}).status_code == 302
    # Signing out needs the token too.
    assert client.post("/members/logout").status_code == 400
    me = client.get("/members/me").get_data(as_text=True)
    assert client.post("/members/logout", data={"csrf_token": _csrf(me)}).status_code == 302

    join = {"name": "B", "email": "b@example.org", "password": GOOD_PASSWORD, "accept_privacy": "y"}
    assert client.post("/members/join", data=join).status_code == 400
    token = _csrf(client.get("/members/join").get_data(as_text=True))
    assert client.post("/members/join", data={**join, "csrf_token": token}).status_code == 302
