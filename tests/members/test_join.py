"""Joining, double opt-in verification and the resend link, through the test client."""

from __future__ import annotations

import time

import sqlalchemy as sa
from itsdangerous import TimestampSigner

from interacta.core.models import Topic
from interacta.members.models import Member
from tests.fixtures.members import GOOD_PASSWORD
from tests.members.conftest import link_in


def member_by_email(db, email):
    return db.session.scalar(sa.select(Member).where(Member.email == email))


def test_join_creates_an_unverified_member_and_mails_a_link_that_verifies_once(
    client, db, outbox, join_form, login
):
    topic_ids = list(db.session.scalars(sa.select(Topic.id).order_by(Topic.position).limit(2)))
    response = client.post(
        "/members/join",
        data=join_form(email="Nadia@Example.org", interests=topic_ids, show_in_directory="y"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/members/join/sent")
    member = member_by_email(db, "nadia@example.org")
    assert member.email_verified_at is None
    assert member.password_hash.startswith("$argon2id$")
    assert member.country == "SI" and member.sector == "civil_society"
    assert [t.id for t in member.interests] == topic_ids
    assert member.show_in_directory is True

    # Unverified: signing in is refused with directions to a new link.
    refused = login("nadia@example.org")
    assert refused.status_code == 400
    assert "confirm your email address first" in refused.get_data(as_text=True)
    assert "/members/resend" in refused.get_data(as_text=True)

    [mail] = outbox(to="nadia@example.org")
    assert mail.subject == "Interacta: please confirm your email address"
    assert "Nadia Novak" in mail.text_body and "48 hours" in mail.text_body
    link = link_in(mail, "/members/verify/")
    assert mail.text_body.count("http://127.0.0.1:5000/members/verify/") == 1

    verified = client.get(link)
    assert verified.status_code == 302 and verified.headers["Location"].endswith("/members/login")
    assert member.email_verified_at is not None

    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)

    assert login("nadia@example.org").status_code == 302


def test_join_page_lists_every_field_with_privacy_link(client, db):
    html = client.get("/members/join").get_data(as_text=True)
    for label in ("Name", "Email address", "Password", "Organisation", "Sector", "Country"):
        assert f">{label}</label>" in html
    assert "Civil society / NGO" in html and "Military" in html
    assert ">Slovenia</option>" in html
    assert "Protection of civilians" in html
    assert 'href="/privacy"' in html
    # Directory visibility is off by default.
    assert 'id="show_in_directory" name="show_in_directory" type="checkbox" value="y">' in html


def test_join_requires_the_privacy_notice_and_a_strong_password(client, db):
    response = client.post(
        "/members/join", data={"name": "X", "email": "x@example.org", "password": "short"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please confirm that you have read the privacy notice." in html
    assert "Use at least 12 characters." in html
    assert member_by_email(db, "x@example.org") is None


def test_join_rejects_a_common_password(client, db, join_form):
    response = client.post("/members/join", data=join_form(password="qwerty123456"))
    assert response.status_code == 400
    assert "one of the most common" in response.get_data(as_text=True)
    assert member_by_email(db, "nadia@example.org") is None


def test_join_with_an_existing_address_looks_identical_and_mails_the_owner(
    client, db, outbox, make_member, join_form
):
    make_member(email="taken@example.org", name="Tina Taken")
    new = client.post("/members/join", data=join_form(email="fresh@example.org"))
    existing = client.post("/members/join", data=join_form(email="taken@example.org"))
    assert new.status_code == existing.status_code == 302
    assert new.headers["Location"] == existing.headers["Location"]
    assert new.get_data() == existing.get_data()
    assert (
        client.get(new.headers["Location"]).get_data()
        == client.get(existing.headers["Location"]).get_data()
    )

    [mail] = outbox(to="taken@example.org")
    assert mail.subject == "Interacta: you already have an account"
    assert "/members/reset" in mail.text_body
    # The existing account is untouched.
    assert member_by_email(db, "taken@example.org").name == "Tina Taken"


def test_honeypot_filled_in_creates_nothing_but_looks_the_same(client, db, outbox, join_form):
    response = client.post("/members/join", data=join_form(website="http://spam.example"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/members/join/sent")
    assert member_by_email(db, "nadia@example.org") is None
    assert outbox() == []


def _post_join_and_get_link(client, outbox, join_form, **kw):
    client.post("/members/join", data=join_form(**kw))
    return link_in(outbox()[-1], "/members/verify/")


def test_tampered_verification_link_is_refused_with_a_clear_page(client, db, outbox, join_form):
    link = _post_join_and_get_link(client, outbox, join_form)
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    assert member_by_email(db, "nadia@example.org").email_verified_at is None


def test_verification_link_expires_after_48_hours(client, db, outbox, join_form, monkeypatch):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 49 * 3600)
    link = _post_join_and_get_link(client, outbox, join_form)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    response = client.get(link)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "expired" in html and "/members/resend" in html
    assert member_by_email(db, "nadia@example.org").email_verified_at is None


def test_verification_link_is_still_good_after_47_hours(client, db, outbox, join_form, monkeypatch):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 47 * 3600)
    link = _post_join_and_get_link(client, outbox, join_form)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    assert client.get(link).status_code == 302
    assert member_by_email(db, "nadia@example.org").email_verified_at is not None


def test_resend_mails_a_new_link_only_to_unverified_accounts_and_answers_the_same(
    client, db, outbox, join_form, make_member
):
    client.post("/members/join", data=join_form())
    make_member(email="done@example.org")
    answers = [
        client.post("/members/resend", data={"email": email}).get_data()
        for email in ("nadia@example.org", "done@example.org", "nobody@example.org")
    ]
    assert answers[0] == answers[1] == answers[2]
    assert len(outbox(to="nadia@example.org")) == 2
    assert outbox(to="done@example.org") == []
    assert outbox(to="nobody@example.org") == []
    # The new link works.
    assert client.get(link_in(outbox(to="nadia@example.org")[-1], "/verify/")).status_code == 302


def test_joining_again_unverified_sends_a_fresh_verification_link(client, db, outbox, join_form):
    client.post("/members/join", data=join_form())
    client.post("/members/join", data=join_form(password="another good passphrase"))
    mails = outbox(to="nadia@example.org")
    assert [m.template for m in mails] == ["members/mail/verify", "members/mail/verify"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) >= 1


def test_too_many_joins_from_one_address_get_429(client, db, join_form):
    statuses = [
        client.post("/members/join", data=join_form(email=f"bot{i}@example.org")).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429


def test_too_many_resend_requests_get_429_with_the_error_page(client, db):
    statuses = [
        client.post("/members/resend", data={"email": "a@example.org"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    page = client.post("/members/resend", data={"email": "a@example.org"})
    assert "Too many requests" in page.get_data(as_text=True)


def test_signed_in_member_visiting_join_goes_to_their_account(client, auth, make_member):
    auth.login_as(make_member(password=GOOD_PASSWORD))
    response = client.get("/members/join")
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/me")
