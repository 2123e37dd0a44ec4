"""Every public page: reachable, in the layout, with the security headers, and nothing
loaded from another host."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

PAGES = [
    "/",
    "/about",
    "/imprint",
    "/privacy",
    "/events/",
    "/publications/",
    "/members/join",
    "/cookies",
    "/cookies/preferences",
]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Assets(HTMLParser):
    """Collects every URL a page would load: scripts, styles, fonts, images, frames."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed"):
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            elif tag == "script" and attrs.get("type") != "application/ld+json":
                self.inline_scripts += 1
        if tag == "link" and attrs.get("href"):
            rel = attrs.get("rel", "")
            if any(r in rel for r in ("stylesheet", "icon", "preload", "font", "manifest")):
                self.urls.append(attrs["href"])
        if tag == "object" and attrs.get("data"):
            self.urls.append(attrs["data"])
        if "style" in attrs and "url(" in attrs["style"]:
            self.urls.extend(re.findall(r"url\(([^)]+)\)", attrs["style"]))


def parse(html: str) -> Assets:
    parser = Assets()
    parser.feed(html)
    return parser


def assert_no_third_party(html: str) -> None:
    assets = parse(html)
    for url in assets.urls:
        assert not re.match(r"^(https?:)?//", url), f"page loads {url} from another host"
    assert assets.inline_scripts == 0, "inline script found (the CSP forbids it)"


@pytest.mark.parametrize("path", PAGES)
def test_public_page_renders_in_the_layout_with_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assets = parse(html)
    assert {"header", "nav", "main", "footer"} <= assets.tags
    assert 'href="#main"' in html, "skip link missing"
    assert "Cookie Management" in html
    assert "managed by Interacta Global d.o.o." in html
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "Permissions-Policy" in response.headers
    assert_no_third_party(html)


@pytest.mark.parametrize("path", PAGES)
def test_public_page_sets_no_cookie_before_any_choice(client, path):
    response = client.get(path)
    assert response.headers.getlist("Set-Cookie") == []


def test_stylesheet_and_script_are_served_by_the_app(client):
    for path, kind in (("/static/css/site.css", "text/css"), ("/static/js/site.js", "javascript")):
        with client.get(path) as response:
            assert response.status_code == 200
            assert kind in response.content_type


def test_unknown_url_gets_the_404_page_in_the_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "<main" in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_wrong_method_gets_405_with_allow_header(client):
    response = client.post("/about")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Method not allowed" in response.get_data(as_text=True)


def test_error_pages_answer_json_to_json_clients(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_home_names_the_purpose_and_the_areas_of_focus(client):
    html = client.get("/").get_data(as_text=True)
    assert "Unity of aim between civil and military actors" in html
    assert "Protection of civilians" in html and "Rule of law" in html


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_and_pages_report_503_when_the_database_is_unreachable(make_app):
    app = make_app(
        migrate=False, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    page = client.get("/dev/mailbox")  # a page that reads the database
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Temporarily unavailable" in html and "Traceback" not in html


def test_server_error_shows_the_500_page_without_a_trace(make_app):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_server_error_rolls_the_session_back(make_app):
    from interacta.core.models import Topic
    from interacta.extensions import db

    app = make_app()

    @app.get("/half")
    def half():
        db.session.add(Topic(slug="half-saved", name="Half saved", position=99))
        db.session.flush()
        raise RuntimeError("after the flush")

    app.test_client().get("/half")
    with app.app_context():
        assert db.session.scalar(sa.select(Topic).where(Topic.slug == "half-saved")) is None


def test_dev_mailbox_is_hidden_outside_debug_and_testing(make_app):
    from config import ProductionConfig  # noqa: F401

    app = make_app(TESTING=False, DEBUG=False)
    assert app.test_client().get("/dev/mailbox").status_code == 404


def test_dev_mailbox_lists_queued_mail(app, client, db):
    from interacta.core.mail import queue_mail

    with app.test_request_context():
        queue_mail("hal@example.org", "Mailbox check", "core/mail/test_message")
    db.session.flush()
    html = client.get("/dev/mailbox").get_data(as_text=True)
    assert "Mailbox check" in html and "hal@example.org" in html


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    code = "from interacta import create_app; create_app()"
    env = {"INTERACTA_ENV": "production", "PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_sends_hsts_and_secure_cookies_over_https(make_app):
    from config import ProductionConfig

    app = make_app(
        HSTS_ENABLED=ProductionConfig.HSTS_ENABLED,
        SESSION_COOKIE_SECURE=ProductionConfig.SESSION_COOKIE_SECURE,
    )

    @app.get("/set-session")
    def set_session():
        from flask import session

        session["x"] = 1
        return "ok"

    client = app.test_client()
    response = client.get("/set-session", base_url="https://localhost")
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    plain = client.get("/", base_url="http://localhost")
    assert "Strict-Transport-Security" not in plain.headers


@pytest.mark.parametrize(
    ("code", "title"),
    [(400, "Bad request"), (403, "Access denied"), (409, "Conflict"), (429, "Too many requests")],
)
def test_error_pages_render_in_the_layout(make_app, code, title):
    from flask import abort

    app = make_app()

    @app.get("/fail")
    def fail():
        abort(code)

    response = app.test_client().get("/fail")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert title in html and "<main" in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_oversized_upload_gets_the_413_page(make_app):
    from flask import request

    app = make_app(MAX_CONTENT_LENGTH=1024)

    @app.post("/upload")
    def upload():
        return str(len(request.form))

    response = app.test_client().post("/upload", data={"x": "y" * 5000})
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_csrf_failure_gets_a_clear_400_page(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.post("/form")
    def form():
        return "saved"

    response = app.test_client().post("/form", data={"x": "1"})
    assert response.status_code == 400
    assert "The form expired or did not come from this site" in response.get_data(as_text=True)


def test_pages_without_a_form_set_no_cookie_with_csrf_on(
    app, client, monkeypatch, make_event, make_publication
):
    # The test configuration turns CSRF off; with it on (as in production) a form built
    # but not shown would put a token in a new session and set a cookie before any choice.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    event = make_event()
    pub = make_publication()
    paths = [
        "/",
        "/events/",
        "/events/past",
        "/events/calendar",
        f"/events/{event.slug}",
        "/events/feed.ics",
        "/publications/",
        "/publications/?q=water",
        f"/publications/{pub.slug}",
        "/publications/feed.atom",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.getlist("Set-Cookie") == [], path


@pytest.mark.parametrize("path", ["/", "/imprint"])
def test_the_operator_sentence_ends_with_one_full_stop(client, make_app, path):
    html = client.get(path).get_data(as_text=True)
    assert "This site is managed by Interacta Global d.o.o. " in html.replace("<", " <")
    assert "d.o.o.." not in html
    other = make_app(OPERATOR_NAME="Example Networks GmbH").test_client()
    html = other.get(path).get_data(as_text=True)
    assert "This site is managed by Example Networks GmbH." in html
