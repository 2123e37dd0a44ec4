"""What every request needs that stays the same from one request to the next is made once:
the Babel locale of each language, the session's signing serializer, the default CSP.
The answers stay the same: the language of each page, sessions signed with the current
key, the security headers (a view's own value kept)."""

from __future__ import annotations

import pytest
from flask import make_response
from flask_babel import get_locale
from itsdangerous import BadSignature

from interacta.core import security


def test_each_language_has_one_locale_object(app):
    seen = {}
    for language, name in (("en", "en_GB"), ("fr", "fr"), ("en", "en_GB"), ("fr", "fr")):
        # As the language middleware (core.i18n.LanguagePrefix) marks a request.
        with app.test_request_context("/", environ_base={"interacta.language": language}):
            locale = get_locale()
        assert str(locale) == name
        assert seen.setdefault(name, locale) is locale  # not parsed again


def test_the_page_language_still_follows_the_url(client):
    assert b'<html lang="fr">' in client.get("/fr/about").data
    assert b'<html lang="en">' in client.get("/about").data
    assert b'<html lang="sl">' in client.get("/sl/about").data


def test_the_session_serializer_is_made_once_and_follows_the_key(make_app):
    app = make_app(migrate=False)
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    with app.test_request_context():
        signed = first.dumps({"a": 1})
    app.secret_key = "another-key-" + "x" * 32
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    assert rotated.loads(rotated.dumps({"b": 2})) == {"b": 2}
    with pytest.raises(BadSignature):  # a cookie signed with the old key
        rotated.loads(signed)
    app.config["SECRET_KEY_FALLBACKS"] = [first.secret_keys[-1]]
    assert interface.get_signing_serializer(app).loads(signed) == {"a": 1}


def test_the_default_csp_is_made_once(client):
    assert security.build_csp() is security.build_csp([])
    framed = security.build_csp(["https://www.youtube-nocookie.com"])
    assert "frame-src https://www.youtube-nocookie.com;" in framed
    assert framed.replace("https://www.youtube-nocookie.com", "'none'") == security.build_csp()
    response = client.get("/about")
    assert response.headers["Content-Security-Policy"] == security.build_csp()


def test_a_view_keeps_its_own_security_headers(app):
    with app.test_request_context("/"):
        response = make_response("x")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["content-security-policy"] = "default-src 'self'"
        security.set_security_headers(response, app)
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'self'"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    names = [name for name, _value in response.headers.items()]
    assert names[-5:] == [
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
    ]
