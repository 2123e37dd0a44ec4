"""Roles: the admin page, the audit log, and the `flask members` commands."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.members import services
from interacta.members.models import AuditLog, Member
from tests.fixtures.members import GOOD_PASSWORD


def _log(db):
    return list(db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)))


def test_admin_page_is_for_admins_only(client, db, auth, make_member):
    assert client.get("/members/admin").status_code == 302  # visitor: sign in first
    auth.login_as(make_member(role="organizer"))
    assert client.get("/members/admin").status_code == 403


def test_admin_lists_and_searches_accounts(client, auth, make_admin, make_member):
    make_member(name="Zora Zupan", email="zora@example.org")
    make_member(name="Ivan Horvat", email="ivan@example.org")
    auth.login_as(make_admin())
    html = client.get("/members/admin").get_data(as_text=True)
    assert "Zora Zupan" in html and "Ivan Horvat" in html
    found = client.get("/members/admin?q=zora").get_data(as_text=True)
    assert "Zora Zupan" in found and "Ivan Horvat" not in found


def test_admin_changes_a_role_and_the_audit_log_records_it(
    client, db, auth, make_admin, make_member
):
    target = make_member(name="Olga Org")
    admin = auth.login_as(make_admin(name="Adam Admin"))
    response = client.post(f"/members/admin/{target.id}/role", data={"role": "organizer"})
    assert response.status_code == 302
    assert target.role == "organizer" and target.is_organizer
    [entry] = _log(db)
    assert (entry.actor_id, entry.target_id, entry.action) == (admin.id, target.id, "role")
    assert entry.detail == "member -> organizer"
    assert entry.created_at is not None
    html = client.get("/members/admin").get_data(as_text=True)
    assert "Adam Admin" in html and "member -&gt; organizer" in html


def test_admin_deactivates_and_reactivates_an_account(
    client, db, auth, make_admin, make_member, login
):
    target = make_member(email="t@example.org", password=GOOD_PASSWORD)
    auth.login_as(make_admin())
    client.post(f"/members/admin/{target.id}/active", data={"active": "0"})
    assert target.is_active is False
    auth.logout()
    assert login("t@example.org").status_code == 400
    assert [e.action for e in _log(db)] == ["deactivate"]
    # A deactivated member's existing session ends too.
    client.post(f"/members/admin/{target.id}/active", data={"active": "1"})


def test_deactivated_member_session_stops_working(client, db, auth, make_member):
    member = auth.login_as(make_member())
    assert client.get("/members/me").status_code == 200
    services.set_active(member, False)
    db.session.commit()
    from flask import g

    g.pop("_login_user", None)
    assert client.get("/members/me").status_code == 302


def test_admin_cannot_demote_or_deactivate_themselves(client, auth, make_admin, db):
    admin = auth.login_as(make_admin())
    db.session.commit()  # a refused change rolls the request's transaction back
    assert (
        client.post(f"/members/admin/{admin.id}/role", data={"role": "member"}).status_code == 409
    )
    assert client.post(f"/members/admin/{admin.id}/active", data={"active": "0"}).status_code == 409
    assert admin.role == "admin" and admin.is_active


def test_cli_set_role_changes_the_role_and_logs_it(runner, db, make_member):
    member = make_member(email="olu@example.org")
    result = runner.invoke(args=["members", "set-role", "OLU@example.org", "organizer"])
    assert result.exit_code == 0, result.output
    assert "member -> organizer" in result.output
    assert member.role == "organizer"
    [entry] = _log(db)
    assert entry.via == "cli" and entry.actor_id is None and entry.target_id == member.id


def test_cli_set_role_refuses_unknown_accounts_and_roles(runner, db, make_member):
    make_member(email="olu@example.org")
    assert runner.invoke(args=["members", "set-role", "no@example.org", "admin"]).exit_code != 0
    assert runner.invoke(args=["members", "set-role", "olu@example.org", "king"]).exit_code != 0


def test_cli_create_admin_asks_for_the_password_and_the_admin_can_sign_in(runner, db, client):
    result = runner.invoke(
        args=["members", "create-admin", "boss@example.org"],
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    member = db.session.scalar(sa.select(Member).where(Member.email == "boss@example.org"))
    assert member.is_admin and member.email_verified_at is not None
    response = client.post(
        "/members/login", data={"email": "boss@example.org", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert [e.action for e in _log(db)] == ["create-admin", "role"]


def test_cli_create_admin_refuses_a_weak_password(runner, db):
    result = runner.invoke(
        args=["members", "create-admin", "boss@example.org"], input="password\npassword\n"
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_seed_demo_creates_the_demo_accounts_once(runner, db):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@interacta.example" in first.output and "demo-password-2026" in first.output
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    assert count >= 23
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == count
    roles = dict(
        db.session.execute(
            sa.select(Member.email, Member.role).where(Member.email.like("%@interacta.example"))
        ).all()
    )
    assert roles["admin@interacta.example"] == "admin"
    assert roles["organizer@interacta.example"] == "organizer"
    assert roles["member@interacta.example"] == "member"
    listed = db.session.scalar(sa.select(sa.func.count()).where(Member.show_in_directory.is_(True)))
    assert listed >= 10
