"""A request for a static file never restores a session from the remember-me cookie: with
several tabs after a browser restart, each would set its own session and the last one
set would win, dropping a page's CSRF token."""

from __future__ import annotations

from tests.fixtures.members import GOOD_PASSWORD


def test_static_files_leave_the_remembered_session_alone(app, db, make_member):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    db.session.commit()
    browser = app.test_client()
    browser.post(
        "/members/login",
        data={"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
    )
    assert browser.get_cookie("remember_token") is not None
    browser.delete_cookie("session")  # the browser was closed
    for path in ("/static/css/site.css", "/static/js/site.js", "/static/favicon.svg"):
        with browser.get(path) as response:
            assert response.status_code == 200
            assert response.headers.getlist("Set-Cookie") == [], path
    assert browser.get_cookie("session") is None
    assert browser.get("/members/me").status_code == 200  # the page itself restores it
