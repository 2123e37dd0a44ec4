"""A member's choice lives on the account, follows them to every device, and is merged with
the browser's choice at sign-in (the newest valid one wins)."""

from __future__ import annotations

from datetime import timedelta

import flask_login
import pytest
import sqlalchemy as sa

from interacta.consent import gate
from interacta.consent.models import ConsentChoice, ConsentLogEntry
from interacta.consent.services import Choice, make_choice, save_member_choice
from interacta.core.models import utcnow
from interacta.core.registry import erase_member_data, export_member_data
from tests.consent.conftest import browser_record

BANNER = b'id="consent-banner"'


def test_member_choice_is_kept_on_the_account_and_in_force_on_another_device(
    app, client, auth, make_member, db
):
    member = auth.login_as(make_member())
    assert BANNER in client.get("/").data
    client.post("/cookies/consent", data={"action": "accept_all"})
    row = db.session.get(ConsentChoice, member.id)
    assert (row.performance, row.functionality, row.targeting) == (True, True, True)
    entry = db.session.scalar(sa.select(ConsentLogEntry))
    assert entry.member_id == member.id and entry.subject_id is None

    other_device = app.test_client()
    from tests.conftest import Auth

    Auth(other_device).login_as(member)
    page = other_device.get("/about")
    assert BANNER not in page.data
    assert other_device.get_cookie("ia_visitor") is not None


def test_browser_keeps_the_members_choice_after_sign_out(client, auth, make_member):
    auth.login_as(make_member())
    client.post("/cookies/consent", data={"action": "reject_all"})
    with client.session_transaction() as sess:
        for key in ("_user_id", "_fresh", "_id"):
            sess.pop(key, None)
    assert BANNER not in client.get("/").data


def test_choice_changed_on_another_device_reaches_this_browser(app, client, auth, make_member):
    member = auth.login_as(make_member())
    client.post("/cookies/consent", data={"action": "reject_all"})
    save_member_choice(member.id, make_choice({"performance": True}, "custom", 1))
    client.get("/about")
    choice, _ = browser_record(client)
    assert choice.performance is True


def sign_in(app, member, browser_choice: Choice | None):
    """Sign `member` in (as the members blueprint does) in a browser holding `browser_choice`;
    return the choice the browser holds afterwards."""
    headers = {}
    if browser_choice is not None:
        with app.test_request_context():
            headers["Cookie"] = f"ia_consent={gate.cookie_value(browser_choice, None)}"
    with app.test_request_context("/members/login", method="POST", headers=headers):
        flask_login.login_user(member)
        return gate.browser_choice()


def test_anonymous_choice_becomes_the_members_choice_at_sign_in(app, db, make_member):
    member = make_member()
    chosen = make_choice({"performance": True}, "custom", 1, utcnow() - timedelta(days=2))
    sign_in(app, member, chosen)
    row = db.session.get(ConsentChoice, member.id)
    assert (row.performance, row.functionality, row.targeting) == (True, False, False)
    assert row.chosen_at == chosen.chosen_at
    entry = db.session.scalar(sa.select(ConsentLogEntry))
    assert (entry.action, entry.member_id) == ("signin_merge", member.id)


def test_newer_account_choice_wins_over_older_browser_choice(app, db, make_member):
    member = make_member()
    save_member_choice(member.id, make_choice({}, "reject_all", 1, utcnow() - timedelta(days=1)))
    older = make_choice({"performance": True}, "accept_all", 1, utcnow() - timedelta(days=5))
    after = sign_in(app, member, older)
    assert db.session.get(ConsentChoice, member.id).performance is False
    assert after.performance is False  # the browser now follows the account
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentLogEntry)) == 0


def test_old_acceptance_on_the_account_never_overrides_a_refusal(app, db, make_member, monkeypatch):
    member = make_member()
    # An acceptance under policy version 1, newer than the browser's refusal...
    save_member_choice(
        member.id, make_choice(dict.fromkeys(("performance",), True), "accept_all", 1)
    )
    refusal = make_choice({}, "reject_all", 1, utcnow() - timedelta(days=3))
    # ...but the policy is now at version 2: the acceptance no longer counts.
    monkeypatch.setitem(app.config, "COOKIE_POLICY_VERSION", 2)
    sign_in(app, member, refusal)
    row = db.session.get(ConsentChoice, member.id)
    assert row.performance is False
    assert row.action == "signin_merge"


def test_sign_in_through_http_merges_the_anonymous_choice(make_app):
    app = make_app()

    @app.post("/test/sign-in/<int:member_id>")
    def test_sign_in(member_id):
        from interacta.extensions import db
        from interacta.members.models import Member

        flask_login.login_user(db.session.get(Member, member_id))
        db.session.commit()  # the sign-in view commits the merged choice
        return "signed in"

    from interacta.extensions import db
    from interacta.members.models import Member

    with app.app_context():
        member = Member(email="merge@example.org", name="Merge", email_verified_at=utcnow())
        db.session.add(member)
        db.session.commit()
        member_id = member.id
    laptop = app.test_client()
    laptop.post("/cookies/consent", data={"action": "custom", "functionality": "on"})
    assert laptop.post(f"/test/sign-in/{member_id}").status_code == 200
    phone = app.test_client()
    phone.post(f"/test/sign-in/{member_id}")
    assert BANNER not in phone.get("/").data
    with app.app_context():
        row = db.session.get(ConsentChoice, member_id)
        assert (row.performance, row.functionality, row.targeting) == (False, True, False)


@pytest.fixture
def member_with_history(client, auth, make_member):
    member = auth.login_as(make_member())
    client.post("/cookies/consent", data={"action": "accept_all"})
    client.post("/cookies/consent", data={"action": "reject_all"})
    return member


def test_members_data_export_holds_their_consent_history(member_with_history, db):
    data = export_member_data(member_with_history)["cookie_consent"]
    assert [h["action"] for h in data["history"]] == ["accept_all", "reject_all"]
    assert data["current_choice"]["performance"] is False
    assert set(data["history"][0]) >= {"consent_id", "policy_version", "policy_hash"}


def test_erasure_forgets_the_choice_but_keeps_the_proof_of_consent(member_with_history, db):
    erase_member_data(member_with_history)
    assert db.session.get(ConsentChoice, member_with_history.id) is None
    count = sa.select(sa.func.count()).select_from(ConsentLogEntry)
    assert db.session.scalar(count) == 2


def test_member_browsing_on_sets_no_cookie(client, auth, make_member):
    auth.login_as(make_member())
    client.post("/cookies/consent", data={"action": "reject_all"})
    client.get("/")  # shows the "saved" message
    client.get("/about")
    assert client.get("/privacy").headers.getlist("Set-Cookie") == []


def test_members_acceptance_expires_after_twelve_months_on_every_device(
    client, auth, make_member, db
):
    member = auth.login_as(make_member())
    client.post("/cookies/consent", data={"action": "accept_all"})
    row = db.session.get(ConsentChoice, member.id)
    row.chosen_at = utcnow() - timedelta(days=364)
    db.session.commit()
    assert BANNER not in client.get("/").data
    row.chosen_at = utcnow() - timedelta(days=366)
    db.session.commit()
    assert BANNER in client.get("/").data
    assert client.get_cookie("ia_visitor") is None
