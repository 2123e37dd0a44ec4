"""Request hooks: what they may write, and the order their effects show in a response."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.consent.models import PageView
from interacta.core.models import Topic
from interacta.extensions import db


def test_counting_a_page_view_never_commits_the_views_unfinished_work(make_app):
    app = make_app()

    @app.get("/test/done")
    def done():
        db.session.add(Topic(slug="done", name="Done", position=98))
        db.session.commit()
        return "<p>done</p>"

    @app.get("/test/half-done")
    def half_done():
        db.session.add(Topic(slug="half-done", name="Half done", position=99))
        db.session.flush()  # a view that changed something and did not commit it
        return "<p>half done</p>"

    client = app.test_client()
    client.post("/cookies/consent", data={"action": "accept_all"})
    assert client.get("/test/done").status_code == 200
    assert client.get("/test/half-done").status_code == 200
    with app.app_context():
        views = dict(db.session.execute(sa.select(PageView.path, PageView.views)).all())
        # The view was counted, in a transaction of its own...
        assert views.get("/test/done") == 1
        assert db.session.scalar(sa.select(Topic.name).where(Topic.slug == "done")) == "Done"
        # ...and the hook committed nothing a view left unfinished (nor counted it).
        assert db.session.scalar(sa.select(Topic).where(Topic.slug == "half-done")) is None
        assert "/test/half-done" not in views


def test_the_cookie_guard_sees_the_remember_me_cookie_and_no_store_follows_it(client, make_member):
    from tests.fixtures.members import GOOD_PASSWORD

    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    response = client.post(
        "/members/login",
        data={"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
    )
    names = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    assert "remember_token" in names and "session" in names
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
