"""The consent log: append-only, purged for anonymous subjects, downloadable by admins; the
statistics page; CSRF on the consent forms without a cookie before the choice."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.consent import registry
from interacta.consent.models import ConsentLogEntry
from interacta.consent.services import append_log, make_choice
from interacta.core.models import utcnow
from interacta.extensions import db as _db


def count_log(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ConsentLogEntry))


def test_consent_log_is_only_ever_inserted_into(client, auth, make_member, db):
    statements = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement.upper())

    bind = db.session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", remember)
    try:
        client.post("/cookies/consent", data={"action": "accept_all"})
        client.post("/cookies/consent", data={"action": "custom", "performance": "on"})
        client.get("/", headers={"Sec-GPC": "1"})
        auth.login_as(make_member())
        client.post("/cookies/consent", data={"action": "reject_all"})
        client.post("/cookies/consent", data={"action": "accept_all"})
    finally:
        sa.event.remove(bind, "before_cursor_execute", remember)
    assert any(s.startswith("INSERT INTO CONSENT_LOG") for s in statements)
    assert not [s for s in statements if "UPDATE CONSENT_LOG" in s]
    assert count_log(db) == 4


def test_changing_a_log_entry_is_refused(client, db):
    client.post("/cookies/consent", data={"action": "accept_all"})
    entry = db.session.scalar(sa.select(ConsentLogEntry))
    entry.performance = False
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_log_entry_holds_no_ip_or_user_agent_but_the_policy_hash(app, client, db):
    client.post(
        "/cookies/consent",
        data={"action": "accept_all"},
        headers={"User-Agent": "Secret-Browser/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    entry = db.session.scalar(sa.select(ConsentLogEntry))
    values = " ".join(str(getattr(entry, c.key)) for c in ConsentLogEntry.__table__.columns)
    assert "203.0.113.9" not in values and "Secret-Browser" not in values
    assert entry.policy_hash == registry.policy_hash(
        app.config["COOKIE_POLICY_VERSION"], app.config["COOKIE_POLICY_DATE"]
    )
    assert len(entry.consent_id) == 36


def test_purge_deletes_only_old_anonymous_entries(app, runner, db, make_member):
    member = make_member()
    choice = make_choice({}, "reject_all", 1)
    retention = app.config["ANONYMOUS_CONSENT_RETENTION_DAYS"]
    old = utcnow() - timedelta(days=retention + 1)
    for subject, member_id, when in [
        ("old-anon", None, old),
        ("new-anon", None, utcnow() - timedelta(days=retention - 1)),
        (None, member.id, old),
    ]:
        append_log(choice, member_id=member_id, subject_id=subject, policy_hash="h" * 64, now=when)
    db.session.commit()
    result = runner.invoke(args=["consent", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 anonymous consent log entries" in result.output
    left = db.session.execute(sa.select(ConsentLogEntry.subject_id, ConsentLogEntry.member_id))
    assert sorted(left.all(), key=str) == sorted([("new-anon", None), (None, member.id)], key=str)


def test_purge_also_removes_old_entries_of_erased_accounts(runner, db, make_member):
    erased = make_member(email=None, is_active=False)
    append_log(
        make_choice({}, "reject_all", 1),
        member_id=erased.id,
        subject_id=None,
        policy_hash="h" * 64,
        now=utcnow() - timedelta(days=1000),
    )
    db.session.commit()
    assert "deleted 1" in runner.invoke(args=["consent", "purge"]).output
    assert count_log(db) == 0


def test_admin_downloads_the_consent_log_as_csv(client, auth, make_member, admin, db):
    client.post("/cookies/consent", data={"action": "accept_all"})
    client.post("/cookies/consent", data={"action": "reject_all"})
    auth.login_as(admin)
    response = client.get("/cookies/admin/log.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["accept_all", "reject_all"]
    assert rows[0]["performance"] == "True" and rows[1]["performance"] == "False"
    assert rows[0]["subject_id"] == rows[1]["subject_id"] != ""


@pytest.mark.parametrize("path", ["/cookies/admin/log.csv", "/cookies/admin/stats"])
def test_admin_pages_are_closed_to_others(client, auth, make_member, path):
    visitor = client.get(path)  # sent to sign in, as for every other admin page
    assert visitor.status_code == 302 and "/members/login" in visitor.headers["Location"]
    auth.login_as(make_member(role="organizer"))
    assert client.get(path).status_code == 403


def test_admin_sees_thirty_days_of_visits_as_an_svg_chart(client, auth, admin, db):
    client.post("/cookies/consent", data={"action": "accept_all"})
    client.get("/about")
    client.get("/about")
    auth.login_as(admin)
    response = client.get("/cookies/admin/stats")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg viewBox="0 0 720 240"' in html and 'role="img"' in html
    assert html.count('class="chart-bar"') == 30
    assert "<code>/about</code></td><td>2</td>" in html
    assert "<script" not in html.split("<main", 1)[1]


# CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_with_csrf_on_a_fresh_visitor_still_gets_no_cookie(csrf_app):
    response = csrf_app.test_client().get("/")
    assert response.headers.getlist("Set-Cookie") == []
    assert 'name="csrf_token"' not in response.get_data(as_text=True)


def test_with_csrf_on_the_banner_works_from_this_site(csrf_app):
    client = csrf_app.test_client()
    response = client.post(
        "/cookies/consent",
        data={"action": "reject_all", "next": "/"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 303
    assert b'id="consent-banner"' not in client.get("/").data


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}]
)
def test_with_csrf_on_a_forged_consent_is_refused(csrf_app, headers):
    client = csrf_app.test_client()
    response = client.post("/cookies/consent", data={"action": "accept_all"}, headers=headers)
    assert response.status_code == 400
    assert response.headers.getlist("Set-Cookie") == []
    with csrf_app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(ConsentLogEntry)) == 0


def test_with_csrf_on_a_form_token_is_checked(csrf_app):
    client = csrf_app.test_client()
    response = client.post(
        "/cookies/consent",
        data={"action": "accept_all", "csrf_token": "forged"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 400


def test_demo_seeder_fills_a_month_of_statistics_once(runner, db):
    from interacta.consent.models import PageView

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    count = sa.select(sa.func.count()).select_from(PageView)
    seeded = db.session.scalar(count)
    assert seeded == 150
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(count) == seeded
