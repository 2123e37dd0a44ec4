"""No-store on signed-in pages and session-setting responses; `__Host-` cookies in production."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from interacta.consent import registry
from interacta.extensions import db as _db
from interacta.members import services
from interacta.members.models import Member
from tests.fixtures.members import GOOD_PASSWORD


def test_pages_behind_sign_in_are_not_stored(client, auth, make_member):
    auth.login_as(make_member())
    for path in ("/members/me", "/events/my", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_public_pages_for_a_visitor_may_be_cached(client):
    response = client.get("/events/")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_sign_in_response_that_sets_the_session_is_not_stored(client, make_member):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = client.post(
        "/members/login",
        data={"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    assert any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    assert response.headers["Cache-Control"] == "no-store"


def test_the_sign_out_response_that_rewrites_the_session_is_not_stored(client, auth, make_member):
    auth.login_as(make_member())
    response = client.post("/members/logout")
    assert response.status_code == 302
    assert any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    assert response.headers["Cache-Control"] == "no-store"


def test_production_config_uses_host_prefixed_secure_cookies():
    if not ProductionConfig.SESSION_COOKIE_SECURE:  # pragma: no cover - env override
        pytest.skip("SESSION_COOKIE_SECURE is switched off in this environment")
    assert ProductionConfig.SESSION_COOKIE_NAME == "__Host-session"
    assert ProductionConfig.REMEMBER_COOKIE_NAME == "__Host-remember_token"
    assert ProductionConfig.CONSENT_COOKIE_NAME == "__Host-ia_consent"
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_DOMAIN is None
    assert ProductionConfig.REMEMBER_COOKIE_DOMAIN is None


def test_host_prefixed_names_are_declared_in_the_cookie_registry():
    assert registry.cookie("__Host-session") is registry.cookie(registry.SESSION_COOKIE)
    assert registry.cookie("__Host-remember_token") is registry.cookie(registry.REMEMBER_COOKIE)
    assert registry.cookie("__Host-session").category == registry.NECESSARY
    assert registry.cookie("__Host-ia_consent") is registry.cookie(registry.CONSENT_COOKIE)
    assert registry.cookie("ia_consent").category == registry.NECESSARY


def test_production_like_sign_in_over_https_sets_host_cookies(make_app):
    app = make_app(
        CONSENT_COOKIE_NAME=ProductionConfig.CONSENT_COOKIE_NAME,
        SESSION_COOKIE_NAME=ProductionConfig.SESSION_COOKIE_NAME,
        REMEMBER_COOKIE_NAME=ProductionConfig.REMEMBER_COOKIE_NAME,
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        SESSION_COOKIE_PATH="/",
        REMEMBER_COOKIE_PATH="/",
        HSTS_ENABLED=True,
    )
    with app.app_context():
        member = Member(
            email="ana@example.org",
            name="Ana",
            role="member",
            is_active=True,
            email_verified_at=sa.func.now(),
        )
        services.set_password(member, GOOD_PASSWORD)
        _db.session.add(member)
        _db.session.commit()
    client = app.test_client()
    chosen = client.post(
        "/cookies/consent",
        data={"action": "reject_all"},
        base_url="https://interacta.example",
        headers={"Origin": "https://interacta.example"},
    )
    cookies = {h.split("=", 1)[0]: h for h in chosen.headers.getlist("Set-Cookie")}
    assert "__Host-ia_consent" in cookies and "ia_consent" not in cookies
    response = client.post(
        "/members/login",
        data={"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
        base_url="https://interacta.example",
    )
    assert response.status_code == 302
    cookies.update({h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")})
    assert "__Host-session" in cookies and "__Host-remember_token" in cookies
    assert "session" not in cookies and "remember_token" not in cookies
    for name in ("__Host-session", "__Host-remember_token", "__Host-ia_consent"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in attributes and "httponly" in attributes, name
        assert "path=/" in attributes, name
        assert not any(a.startswith("domain=") for a in attributes), name
        assert "samesite=lax" in attributes, name
    assert response.headers["Cache-Control"] == "no-store"
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    # The guard kept the session: the member is signed in on the next request.
    page = client.get("/members/me", base_url="https://interacta.example")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
