"""The site keeps its word on the server: the Set-Cookie guard, page-view counting only with
consent, the functionality cookie, and third-party videos only with targeting consent."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import make_response, render_template_string

from interacta import consent
from interacta.consent import gate, registry
from interacta.consent.models import PageView, VisitorDay
from interacta.consent.services import make_choice
from interacta.core import security
from interacta.core.models import utcnow
from tests.fixtures.consent import set_cookie_names


@pytest.fixture
def guard_log(caplog, monkeypatch):
    """The guard's error log (re-enabled: Alembic's fileConfig disables existing loggers)."""
    monkeypatch.setattr(logging.getLogger("interacta.consent.gate"), "disabled", False)
    caplog.set_level(logging.ERROR, logger="interacta.consent.gate")
    return caplog


@pytest.fixture
def cookie_app(make_app):
    """An app with a view that tries to set cookies the way careless code would."""
    app = make_app()

    @app.get("/test/cookies")
    def set_cookies():
        response = make_response("ok")
        response.set_cookie("tracker", "1")
        response.set_cookie(registry.VISITOR_COOKIE, "abc.2020-01-01")
        response.set_cookie(registry.PREFERENCES_COOKIE, "x")
        return response

    return app


def test_guard_drops_an_unregistered_cookie_and_logs_an_error(cookie_app, guard_log):
    client = cookie_app.test_client()
    client.post("/cookies/consent", data={"action": "accept_all"})
    response = client.get("/test/cookies")
    names = set_cookie_names(response)
    assert "tracker" not in names
    assert registry.VISITOR_COOKIE in names and registry.PREFERENCES_COOKIE in names
    assert any("unregistered cookie 'tracker'" in r.getMessage() for r in guard_log.records)
    assert all(r.levelno == logging.ERROR for r in guard_log.records)


def test_guard_drops_registered_cookies_the_visitor_did_not_allow(cookie_app, guard_log):
    client = cookie_app.test_client()
    before_choice = client.get("/test/cookies")
    assert before_choice.headers.getlist("Set-Cookie") == []
    messages = [r.getMessage() for r in guard_log.records]
    assert any("'ia_visitor' (performance not allowed)" in m for m in messages)
    client.post("/cookies/consent", data={"action": "custom", "functionality": "on"})
    response = client.get("/test/cookies")
    # (the session cookie is rewritten here because the page showed the "saved" message)
    assert set(set_cookie_names(response)) - {"session"} == {registry.PREFERENCES_COOKIE}


def test_nothing_is_counted_without_performance_consent(client, db):
    client.get("/")
    client.post("/cookies/consent", data={"action": "custom", "functionality": "on"})
    client.get("/about")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PageView)) == 0
    assert client.get_cookie(registry.VISITOR_COOKIE) is None


def test_accepted_performance_counts_views_and_unique_visitors(client, db):
    client.post("/cookies/consent", data={"action": "accept_all"})
    first = client.get("/about")
    assert registry.VISITOR_COOKIE in set_cookie_names(first)
    second = client.get("/about")
    # The visitor was counted today already: the cookie is not set again.
    assert registry.VISITOR_COOKIE not in set_cookie_names(second)
    client.get("/")
    client.get("/static/css/site.css").close()
    today = utcnow().date()
    views = dict(db.session.execute(sa.select(PageView.path, PageView.views)).all())
    assert views == {"/about": 2, "/": 1}
    assert db.session.get(VisitorDay, today).visitors == 1
    other = client.application.test_client()
    other.post("/cookies/consent", data={"action": "accept_all"})
    other.get("/")
    db.session.expire_all()
    assert db.session.get(VisitorDay, today).visitors == 2


def test_withdrawing_performance_deletes_the_visitor_cookie_on_the_next_response(client):
    client.post("/cookies/consent", data={"action": "accept_all"})
    client.get("/")
    assert client.get_cookie(registry.VISITOR_COOKIE) is not None
    response = client.post(
        "/cookies/consent", data={"action": "custom", "functionality": "on", "targeting": "on"}
    )
    assert registry.VISITOR_COOKIE in set_cookie_names(response)
    assert client.get_cookie(registry.VISITOR_COOKIE) is None
    client.get("/about")
    assert client.get_cookie(registry.VISITOR_COOKIE) is None


def test_time_zone_is_remembered_only_with_functionality_consent(client):
    client.post("/cookies/consent", data={"action": "reject_all"})
    refused = client.post("/cookies/preferences/timezone", data={"timezone": "Asia/Tokyo"})
    assert refused.status_code == 303
    assert client.get_cookie(registry.PREFERENCES_COOKIE) is None
    html = client.get("/cookies/preferences").get_data(as_text=True)
    assert "allow functionality cookies above" in html

    client.post("/cookies/consent", data={"action": "custom", "functionality": "on"})
    client.post("/cookies/preferences/timezone", data={"timezone": "Asia/Tokyo"})
    assert client.get_cookie(registry.PREFERENCES_COOKIE) is not None
    html = client.get("/cookies/preferences").get_data(as_text=True)
    assert '<option value="Asia/Tokyo" selected>' in html

    client.post("/cookies/consent", data={"action": "reject_all"})
    assert client.get_cookie(registry.PREFERENCES_COOKIE) is None


def test_invalid_time_zone_is_refused(client):
    assert client.post("/cookies/preferences/timezone", data={"timezone": "Mars/Base"}).status_code
    assert client.get_cookie(registry.PREFERENCES_COOKIE) is None


def test_member_time_zone_is_kept_on_the_account(client, auth, make_member, db):
    member = auth.login_as(make_member())
    client.post("/cookies/preferences/timezone", data={"timezone": "America/Bogota"})
    db.session.refresh(member)
    assert member.timezone == "America/Bogota"
    assert client.get_cookie(registry.PREFERENCES_COOKIE) is None


def _with_choice(app, **values):
    """A request context in which the visitor's choice is `values`."""
    from flask import g

    ctx = app.test_request_context("/events/x")
    ctx.push()
    choice = make_choice(values, "custom", app.config["COOKIE_POLICY_VERSION"])
    g.consent_state = gate.ConsentState(choice, choice, False)
    return ctx


def test_preference_helpers_keep_the_events_view_only_with_consent(app, db):
    ctx = _with_choice(app, functionality=True)
    try:
        response = make_response("")
        assert consent.remember_preference(response, "view", "calendar") is True
        assert consent.preference("view") == "calendar"
        assert registry.PREFERENCES_COOKIE in set_cookie_names(response)
        with pytest.raises(ValueError):
            consent.remember_preference(response, "view", "grid")
    finally:
        ctx.pop()
    ctx = _with_choice(app, functionality=False)
    try:
        response = make_response("")
        assert consent.remember_preference(response, "view", "calendar") is False
        assert consent.preference("view") is None
        assert set_cookie_names(response) == []
    finally:
        ctx.pop()


VIDEO = "{{ embed_video('https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'Seminar recording') }}"


def test_video_placeholder_without_targeting_consent_loads_nothing(app, db):
    ctx = _with_choice(app, targeting=False)
    try:
        html = render_template_string(VIDEO)
        assert security.frame_src() == []
    finally:
        ctx.pop()
    assert "<iframe" not in html
    assert "hosted by YouTube" in html and "Google may set targeting cookies" in html
    assert 'name="category" value="targeting"' in html
    assert "Allow targeting cookies and show the video" in html
    assert 'value="/events/x"' in html


def test_video_plays_from_youtube_nocookie_with_targeting_consent(app, db):
    ctx = _with_choice(app, targeting=True)
    try:
        html = render_template_string(VIDEO)
        assert security.frame_src() == ["https://www.youtube-nocookie.com"]
    finally:
        ctx.pop()
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'title="Seminar recording"' in html


def test_vimeo_and_unknown_video_urls(app, db):
    ctx = _with_choice(app, targeting=True)
    try:
        vimeo = render_template_string("{{ embed_video('https://vimeo.com/76979871', 'Talk') }}")
        other = render_template_string("{{ embed_video('https://example.org/v.mp4', 'Talk') }}")
    finally:
        ctx.pop()
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in vimeo
    assert "<iframe" not in other and 'href="https://example.org/v.mp4"' in other


def test_allow_button_switches_targeting_on_and_keeps_the_rest(client):
    client.post("/cookies/consent", data={"action": "custom", "functionality": "on"})
    response = client.post(
        "/cookies/consent",
        data={"action": "allow", "category": "targeting", "next": "/events/x"},
        headers={"Accept": "application/json"},
    )
    assert response.json["choice"] == {
        "performance": False,
        "functionality": True,
        "targeting": True,
    }


def test_video_frame_widens_the_response_csp(cookie_app):
    @cookie_app.get("/test/video")
    def video():
        return render_template_string(VIDEO)

    client = cookie_app.test_client()
    assert "frame-src 'none'" in client.get("/test/video").headers["Content-Security-Policy"]
    client.post("/cookies/consent", data={"action": "accept_all"})
    response = client.get("/test/video")
    assert (
        "frame-src https://www.youtube-nocookie.com" in response.headers["Content-Security-Policy"]
    )


def test_allows_is_a_template_global(client):
    client.post("/cookies/consent", data={"action": "custom", "targeting": "on"})
    html = client.get("/cookies/preferences").get_data(as_text=True)
    assert 'id="consent-targeting" name="targeting" value="on"' in html
    assert "allow functionality cookies above" in html  # consent.allows('functionality') False
