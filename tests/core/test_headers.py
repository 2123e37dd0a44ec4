"""Response headers scored the way the Mozilla HTTP Observatory scores them (A+ >= 100)."""

from __future__ import annotations

import pytest


def parse_csp(value: str) -> dict[str, list[str]]:
    policy = {}
    for part in value.split(";"):
        tokens = part.split()
        if tokens:
            policy[tokens[0].lower()] = tokens[1:]
    return policy


def observatory_score(headers, cookies: list[str]) -> tuple[int, list[str]]:
    """The Observatory's rules for the headers it scores, as modifiers on a base of 100."""
    score, notes = 100, []
    csp = parse_csp(headers.get("Content-Security-Policy", ""))
    if not csp:
        score -= 25
        notes.append("no CSP")
    else:
        unsafe = [
            d
            for d, sources in csp.items()
            if d in ("default-src", "script-src", "style-src", "object-src")
            and any(
                s in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:")
                for s in sources
            )
        ]
        if unsafe:
            score -= 20
            notes.append(f"unsafe CSP sources in {unsafe}")
        elif csp.get("default-src") == ["'none'"]:
            score += 10  # csp-implemented-with-no-unsafe-default-src-none
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = int(hsts.split("max-age=")[1].split(";")[0]) if "max-age=" in hsts else 0
    if max_age < 15768000:
        score -= 20
        notes.append("HSTS missing or under six months")
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        score -= 5
        notes.append("no nosniff")
    if csp.get("frame-ancestors") == ["'none'"]:
        score += 5  # x-frame-options-implemented-via-csp
    elif headers.get("X-Frame-Options", "").upper() not in ("DENY", "SAMEORIGIN"):
        score -= 20
        notes.append("no framing protection")
    if headers.get("Referrer-Policy", "") in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ):
        score += 5
    for cookie in cookies:
        flags = cookie.lower()
        if "secure" not in flags or "httponly" not in flags:
            score -= 40
            notes.append(f"session cookie without Secure/HttpOnly: {cookie[:30]}")
    if cookies and all("samesite" in c.lower() for c in cookies):
        score += 5
    return score, notes


@pytest.fixture
def production_like(make_app):
    from config import ProductionConfig

    app = make_app(
        HSTS_ENABLED=True,
        SESSION_COOKIE_SECURE=ProductionConfig.SESSION_COOKIE_SECURE,
        REMEMBER_COOKIE_SECURE=ProductionConfig.REMEMBER_COOKIE_SECURE,
    )

    @app.get("/with-session")
    def with_session():
        from flask import session

        session["seen"] = True
        return "ok"

    return app.test_client()


@pytest.mark.parametrize("path", ["/", "/about", "/no-such-page", "/with-session"])
def test_headers_score_a_plus_on_the_observatory_scale(production_like, path):
    response = production_like.get(path, base_url="https://interacta.example")
    cookies = response.headers.getlist("Set-Cookie")
    score, notes = observatory_score(response.headers, cookies)
    assert score >= 100, notes
    csp = parse_csp(response.headers["Content-Security-Policy"])
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_scorer_punishes_a_weak_policy():
    score, notes = observatory_score(
        {"Content-Security-Policy": "default-src * 'unsafe-inline'"}, ["session=x; Path=/"]
    )
    assert score < 50 and notes
