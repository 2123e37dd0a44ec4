"""A live server on 127.0.0.1 with its own database, and Playwright driving the system
Chromium (never a downloaded browser)."""

from __future__ import annotations

import threading

import flask_migrate
import pytest
from werkzeug.serving import make_server

from config import TestConfig
from interacta import create_app
from interacta.extensions import db as _db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("live")
    app = create_app(
        TestConfig,
        instance_path=str(path),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path / 'live.db'}",
        WTF_CSRF_ENABLED=True,
        SERVER_BASE_URL="http://127.0.0.1",
    )
    with app.app_context():
        flask_migrate.upgrade()
        _db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, _buffered(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    live_app.config["SERVER_BASE_URL"] = base
    yield base
    server.shutdown()
    thread.join(timeout=10)


def _buffered(app):
    """The app with each response body read (and its file closed) before it is sent.

    Werkzeug's dev server closes a response's file only after draining the socket; when
    the browser drops the connection first (it does, for a favicon), the drain raises
    and the file is left to the garbage collector, whose ResourceWarning fails a test."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    # A test fails if any page asks for another host.
    context.route(
        lambda url: not url.startswith(("http://127.0.0.1", "data:", "about:")),
        lambda route: pytest.fail(f"request to a third party: {route.request.url}"),
    )
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]
