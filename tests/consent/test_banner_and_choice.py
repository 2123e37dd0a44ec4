"""Asking for consent: the banner, the consent endpoint (form and fetch), how long a choice
lasts, policy version changes and the Global Privacy Control signal."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from interacta.consent.models import ConsentLogEntry
from interacta.core.models import utcnow
from tests.fixtures.consent import set_cookie_names
from tests.fixtures.members import GOOD_PASSWORD

BANNER = b'id="consent-banner"'


def log_entries(db):
    return list(db.session.scalars(sa.select(ConsentLogEntry).order_by(ConsentLogEntry.id)))


def test_fresh_visitor_gets_no_cookie_and_sees_the_banner(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []
    assert BANNER in response.data
    html = response.get_data(as_text=True)
    assert "Accept all" in html and "Reject all" in html and "Choose" in html
    assert 'href="/cookies"' in html
    assert 'aria-labelledby="consent-banner-title"' in html


def test_banner_buttons_share_one_style(client):
    html = client.get("/about").get_data(as_text=True)
    banner = html[html.index(BANNER.decode()) : html.index("</section>")]
    assert banner.count('class="consent-button"') == 3
    assert "checked" not in banner  # nothing preticked


def test_every_page_shows_the_banner_until_a_choice(client):
    for path in ("/", "/about", "/privacy", "/cookies", "/cookies/preferences", "/nope"):
        assert BANNER in client.get(path).data, path


def test_reject_all_without_javascript_redirects_back_and_hides_the_banner(client, db):
    response = client.post("/cookies/consent", data={"action": "reject_all", "next": "/about?x=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/about?x=1"
    # The choice in its own cookie; the session only carries the "saved" message.
    assert sorted(set_cookie_names(response)) == ["ia_consent", "session"]
    page = client.get("/about")
    assert BANNER not in page.data
    assert "Your cookie choice was saved." in page.get_data(as_text=True)
    # Browsing on sets nothing: no new cookie, not even a refreshed session cookie.
    assert client.get("/privacy").headers.getlist("Set-Cookie") == []
    [entry] = log_entries(db)
    assert (entry.performance, entry.functionality, entry.targeting) == (False, False, False)
    assert entry.action == "reject_all"
    assert entry.member_id is None and entry.subject_id


def test_fetch_call_gets_json_and_no_redirect(client):
    response = client.post(
        "/cookies/consent",
        data={"action": "accept_all", "next": "/"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json["ok"] is True
    assert response.json["choice"] == {
        "performance": True,
        "functionality": True,
        "targeting": True,
    }


def test_return_path_must_be_on_this_site(client):
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        response = client.post("/cookies/consent", data={"action": "reject_all", "next": bad})
        assert response.status_code == 303
        assert response.headers["Location"] == "/cookies/preferences", bad


def test_unknown_action_is_refused(client):
    assert client.post("/cookies/consent", data={"action": "everything"}).status_code == 400


def test_the_choice_cookie_lasts_as_long_as_the_choice_and_the_session_ends_with_the_browser(
    client,
):
    accepted = client.post("/cookies/consent", data={"action": "accept_all"})
    assert "ia_consent" in set_cookie_names(accepted)
    days = (client.get_cookie("ia_consent").expires - utcnow()).days
    assert 363 <= days <= 365
    assert client.get_cookie("session").expires is None  # a browser-session cookie
    client.post("/cookies/consent", data={"action": "reject_all"})
    days = (client.get_cookie("ia_consent").expires - utcnow()).days
    assert 181 <= days <= 183
    assert client.get_cookie("session").expires is None
    # Closing the browser drops the session; the choice stays.
    client.delete_cookie("session")
    assert BANNER not in client.get("/").data


def test_a_forged_choice_cookie_is_ignored(client):
    client.set_cookie("ia_consent", "eyJjIjp7InAiOnRydWV9fQ.forged")
    assert BANNER in client.get("/").data


def test_acceptance_expires_after_twelve_months(client, age_session_choice):
    client.post("/cookies/consent", data={"action": "accept_all"})
    age_session_choice(client, utcnow() - timedelta(days=300))
    assert BANNER not in client.get("/").data
    assert client.get_cookie("ia_visitor") is not None
    age_session_choice(client, utcnow() - timedelta(days=366))
    assert BANNER in client.get("/").data
    # The expired acceptance no longer covers the visitor cookie: it is deleted.
    assert client.get_cookie("ia_visitor") is None


def test_refusal_is_not_asked_again_for_six_months(client, age_session_choice):
    client.post("/cookies/consent", data={"action": "reject_all"})
    age_session_choice(client, utcnow() - timedelta(days=150))
    assert BANNER not in client.get("/").data
    age_session_choice(client, utcnow() - timedelta(days=190))
    assert BANNER in client.get("/").data


def test_new_policy_version_asks_again_after_acceptance_with_choice_preselected(
    app, client, monkeypatch
):
    client.post("/cookies/consent", data={"action": "custom", "performance": "on"})
    monkeypatch.setitem(app.config, "COOKIE_POLICY_VERSION", 2)
    assert BANNER in client.get("/").data
    html = client.get("/cookies/preferences").get_data(as_text=True)
    assert "has expired or our cookie policy has changed" in html
    assert 'name="performance" value="on" aria-describedby="cat-performance-desc" checked' in html
    assert 'name="targeting" value="on" aria-describedby="cat-targeting-desc">' in html


def test_new_policy_version_keeps_a_refusal(app, client, monkeypatch):
    client.post("/cookies/consent", data={"action": "reject_all"})
    monkeypatch.setitem(app.config, "COOKIE_POLICY_VERSION", 2)
    assert BANNER not in client.get("/").data


def test_gpc_signal_is_honoured_on_every_request_without_writing_anything(client, db):
    for path in ("/", "/about", "/healthz", "/cookies/preferences"):
        page = client.get(path, headers={"Sec-GPC": "1"})
        assert page.headers.getlist("Set-Cookie") == [], path
    assert BANNER not in client.get("/", headers={"Sec-GPC": "1"}).data
    prefs = client.get("/cookies/preferences", headers={"Sec-GPC": "1"}).get_data(as_text=True)
    assert "Global Privacy Control signal, and we honoured it" in prefs
    # A cookieless visitor has no session to attach a record to: nothing is logged.
    assert log_entries(db) == []
    # Without the signal the visitor is asked.
    assert BANNER in client.get("/").data


def test_twenty_cookieless_gpc_requests_write_no_consent_log_row(client, db):
    for _ in range(20):
        client.get("/healthz", headers={"Sec-GPC": "1"})
        client.get("/about", headers={"Sec-GPC": "1"})
    assert log_entries(db) == []


def test_gpc_refusal_is_recorded_once_when_a_member_signs_in(client, db, make_member):
    member = make_member(email="gpc@example.org", password=GOOD_PASSWORD)
    signed_in = client.post(
        "/members/login",
        data={"email": "gpc@example.org", "password": GOOD_PASSWORD},
        headers={"Sec-GPC": "1"},
    )
    assert signed_in.status_code == 302
    for path in ("/", "/about", "/members/me"):
        client.get(path, headers={"Sec-GPC": "1"})
    [entry] = log_entries(db)
    assert (entry.action, entry.member_id) == ("gpc", member.id)
    assert (entry.performance, entry.functionality, entry.targeting) == (False, False, False)


def test_explicit_opt_in_overrides_the_gpc_signal(client, db):
    client.get("/", headers={"Sec-GPC": "1"})
    client.post(
        "/cookies/consent",
        data={"action": "custom", "performance": "on"},
        headers={"Sec-GPC": "1"},
    )
    page = client.get("/about", headers={"Sec-GPC": "1"})
    assert "ia_visitor" in set_cookie_names(page)
    assert [e.action for e in log_entries(db)] == ["custom"]


def test_preferences_page_shows_every_category_with_its_cookies(client):
    html = client.get("/cookies/preferences").get_data(as_text=True)
    assert "<h1>Cookie Management</h1>" in html
    assert "Always on" in html
    for key in ("performance", "functionality", "targeting"):
        assert f'role="switch" id="consent-{key}"' in html
    assert "ia_visitor" in html and "ia_prefs" in html and "session" in html
    assert "Save my choices" in html
    assert 'aria-current="page">Cookie Management' in html


def test_preferences_save_withdraws_a_category_and_logs_withdraw(client, db):
    client.post("/cookies/consent", data={"action": "accept_all"})
    response = client.post(
        "/cookies/consent",
        data={"action": "custom", "functionality": "on", "next": "/cookies/preferences"},
    )
    assert response.headers["Location"] == "/cookies/preferences"
    html = client.get("/cookies/preferences").get_data(as_text=True)
    assert "Your cookie choice was saved." in html
    assert 'id="consent-functionality" name="functionality" value="on"' in html
    assert [e.action for e in log_entries(db)] == ["accept_all", "withdraw"]


def test_policy_page_is_generated_from_the_registry(app, client):
    html = client.get("/cookies").get_data(as_text=True)
    assert "<h1>Cookie policy</h1>" in html
    assert f"Version {app.config['COOKIE_POLICY_VERSION']}" in html
    assert app.config["COOKIE_POLICY_DATE"] in html
    for name in ("session", "remember_token", "ia_visitor", "ia_prefs"):
        assert f"<code>{name}</code>" in html
    for title in ("Strictly necessary", "Performance", "Functionality", "Targeting"):
        assert title in html
    assert "Managing cookies in your browser" in html
