"""GDPR: the member's export and erasure."""

from __future__ import annotations

import json

import sqlalchemy as sa

from interacta.core.models import Topic
from interacta.core.registry import PersonalDataProvider, register_personal_data
from interacta.members.models import AuditLog, Member
from tests.fixtures.members import GOOD_PASSWORD
from tests.members.conftest import link_in


def test_export_downloads_the_profile_as_json(client, db, auth, make_member):
    topic = db.session.scalar(sa.select(Topic).order_by(Topic.position).limit(1))
    member = auth.login_as(
        make_member(
            email="ana@example.org",
            name="Ana",
            affiliation="OSCE",
            country="AT",
            sector="government",
            orcid="0000-0002-1825-0097",
            interests=[topic],
        )
    )
    response = client.get("/members/me/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["member_id"] == member.id
    profile = data["profile"]
    assert profile["email"] == "ana@example.org" and profile["name"] == "Ana"
    assert profile["affiliation"] == "OSCE" and profile["country"] == "AT"
    assert profile["country_name"] == "Austria" and profile["sector"] == "Government"
    assert profile["interests"] == [topic.name]
    assert profile["orcid"] == "0000-0002-1825-0097"
    assert "password_hash" not in profile and "$argon2" not in response.get_data(as_text=True)


def test_export_needs_sign_in(client, db):
    assert client.get("/members/me/export").status_code == 302


def test_erasure_needs_the_password(client, auth, make_member):
    member = auth.login_as(make_member(password=GOOD_PASSWORD))
    response = client.post("/members/me/delete", data={"password": "not my password"})
    assert response.status_code == 400
    assert member.is_active and member.email


def test_erasure_anonymises_the_account_mails_a_last_time_and_allows_joining_again(
    app, client, db, auth, make_member, outbox, login
):
    topic = db.session.scalar(sa.select(Topic).order_by(Topic.position).limit(1))
    member = auth.login_as(
        make_member(
            email="ana@example.org",
            name="Ana Kovač",
            password=GOOD_PASSWORD,
            affiliation="OSCE",
            country="AT",
            bio="Hello",
            interests=[topic],
            show_in_directory=True,
        )
    )
    member_id = member.id
    page = client.get("/members/me/delete")
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)

    response = client.post("/members/me/delete", data={"password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/members/deleted")

    erased = db.session.get(Member, member_id)
    assert erased.email is None and erased.password_hash is None
    assert erased.name == "Former member"
    assert erased.affiliation is None and erased.country is None and erased.bio is None
    assert erased.interests == [] and erased.show_in_directory is False
    assert erased.is_active is False and erased.erased_at is not None

    [last] = outbox(to="ana@example.org")
    assert last.subject == "Interacta: your account has been deleted"
    assert "Ana Kovač" in last.text_body

    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.target_id == member_id)).all()
    assert [e.action for e in audit] == ["erase"]

    # Signed out, cannot sign in, and the address can join again.
    assert client.get("/members/me").status_code == 302
    assert login("ana@example.org").status_code == 400
    client.post(
        "/members/join",
        data={
            "name": "Ana again",
            "email": "ana@example.org",
            "password": GOOD_PASSWORD,
            "accept_privacy": "y",
        },
    )
    again = outbox(to="ana@example.org")[-1]
    assert again.template == "members/mail/verify"
    assert client.get(link_in(again, "/members/verify/")).status_code == 302


def test_erasure_calls_every_registered_provider(app, client, db, auth, make_member):
    seen = []
    provider = PersonalDataProvider(
        "test-provider", export=lambda m: {"x": 1}, erase=lambda m: seen.append(m.email)
    )
    register_personal_data(app, provider)
    try:
        member = auth.login_as(make_member(email="ana@example.org", password=GOOD_PASSWORD))
        data = json.loads(client.get("/members/me/export").get_data(as_text=True))
        assert data["test-provider"] == {"x": 1}
        client.post("/members/me/delete", data={"password": GOOD_PASSWORD})
        # Providers run before the row is anonymised, so they still see the member.
        assert seen == ["ana@example.org"]
        assert member.email is None
    finally:
        app.extensions["interacta.registry"]["personal_data"].remove(provider)
