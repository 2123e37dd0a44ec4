"""The profile page: edit, change email (verified first), change password."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.core.models import Topic
from interacta.members import services
from tests.fixtures.members import GOOD_PASSWORD
from tests.members.conftest import link_in


def _profile(**overrides):
    values = {
        "profile-name": "Ana Kovač",
        "profile-affiliation": "OSCE",
        "profile-sector": "international_organisation",
        "profile-country": "AT",
        "profile-bio": "I work on **protection of civilians**.",
        "profile-orcid": "https://orcid.org/0000-0002-1825-0097",
        "profile-timezone": "Europe/Vienna",
        "profile-show_in_directory": "y",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_member_edits_their_profile(client, db, auth, make_member):
    member = auth.login_as(make_member(password=GOOD_PASSWORD))
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug.is_not(None)).limit(1))
    page = client.get("/members/me")
    assert page.status_code == 200
    assert "Change email address" in page.get_data(as_text=True)
    response = client.post("/members/me", data=_profile(**{"profile-interests": [topic.id]}))
    assert response.status_code == 302
    assert member.name == "Ana Kovač"
    assert member.affiliation == "OSCE" and member.country == "AT"
    assert member.sector == "international_organisation"
    assert member.orcid == "0000-0002-1825-0097"
    assert member.timezone == "Europe/Vienna"
    assert member.show_in_directory is True
    assert member.interests == [topic]
    html = client.get("/members/me").get_data(as_text=True)
    assert "Your profile has been saved." in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html


def test_orcid_with_a_wrong_check_digit_is_refused_next_to_the_field(client, auth, make_member):
    member = auth.login_as(make_member())
    response = client.post("/members/me", data=_profile(**{"profile-orcid": "0000-0002-1825-0098"}))
    assert response.status_code == 400
    assert "check digit" in response.get_data(as_text=True)
    assert member.orcid is None
    assert member.name != "Ana Kovač"  # nothing half-saved


def test_orcid_checksum_accepts_x():
    assert services.normalize_orcid("0000-0002-9079-593X") == "0000-0002-9079-593X"
    assert services.normalize_orcid("000000021825 0097".replace(" ", "")) == "0000-0002-1825-0097"


def test_unknown_time_zone_is_refused(client, auth, make_member):
    auth.login_as(make_member())
    response = client.post("/members/me", data=_profile(**{"profile-timezone": "Mars/Olympus"}))
    assert response.status_code == 400


def test_profile_page_needs_sign_in(client, db):
    response = client.get("/members/me")
    assert response.status_code == 302
    assert "/members/login" in response.headers["Location"]


def test_email_change_takes_effect_only_after_the_new_address_is_confirmed(
    client, auth, make_member, outbox
):
    member = auth.login_as(make_member(email="old@example.org", password=GOOD_PASSWORD))
    response = client.post(
        "/members/me/email",
        data={"email-new_email": "New@Example.org", "email-password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert member.email == "old@example.org"
    [mail] = outbox(to="new@example.org")
    assert mail.subject == "Interacta: confirm your new email address"
    link = link_in(mail, "/members/confirm-email/")

    assert client.get(link).status_code == 302
    assert member.email == "new@example.org"
    [notice] = outbox(to="old@example.org")
    assert notice.subject == "Interacta: your email address was changed"
    assert "new@example.org" in notice.text_body

    reused = client.get(link)
    assert reused.status_code == 400


def test_email_change_needs_the_current_password(client, auth, make_member, outbox):
    member = auth.login_as(make_member(email="old@example.org", password=GOOD_PASSWORD))
    response = client.post(
        "/members/me/email",
        data={"email-new_email": "new@example.org", "email-password": "not my password"},
    )
    assert response.status_code == 400
    assert "current password is not correct" in response.get_data(as_text=True)
    assert outbox(to="new@example.org") == []
    assert member.email == "old@example.org"


def test_email_change_to_a_taken_address_reveals_nothing_and_tells_its_owner(
    client, auth, make_member, outbox
):
    make_member(email="taken@example.org")
    auth.login_as(make_member(email="old@example.org", password=GOOD_PASSWORD))
    response = client.post(
        "/members/me/email",
        data={"email-new_email": "taken@example.org", "email-password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    [mail] = outbox(to="taken@example.org")
    assert mail.template == "members/mail/already_registered"


def test_password_change_needs_the_current_one_and_mails_the_member(
    client, auth, make_member, outbox
):
    member = auth.login_as(make_member(email="ana@example.org", password=GOOD_PASSWORD))
    wrong = client.post(
        "/members/me/password",
        data={"pw-current": "not my password", "pw-new": "a brand new passphrase"},
    )
    assert wrong.status_code == 400
    assert services.check_password(member, GOOD_PASSWORD)

    weak = client.post(
        "/members/me/password", data={"pw-current": GOOD_PASSWORD, "pw-new": "too short"}
    )
    assert weak.status_code == 400
    assert "at least 12 characters" in weak.get_data(as_text=True)

    ok = client.post(
        "/members/me/password",
        data={"pw-current": GOOD_PASSWORD, "pw-new": "a brand new passphrase"},
    )
    assert ok.status_code == 302
    assert services.check_password(member, "a brand new passphrase")
    [mail] = outbox(to="ana@example.org")
    assert mail.subject == "Interacta: your password was changed"


def test_password_change_signs_out_other_sessions_but_not_this_one(app, db, make_member):
    from flask import g

    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        g.pop("_login_user", None)
        device.post(
            "/members/login",
            data={"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
        )
    g.pop("_login_user", None)
    response = laptop.post(
        "/members/me/password",
        data={"pw-current": GOOD_PASSWORD, "pw-new": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
    g.pop("_login_user", None)
    assert laptop.get("/members/me").status_code == 200
    g.pop("_login_user", None)
    assert phone.get("/members/me").status_code == 302  # signed out, remember cookie too
    assert member.email == "ana@example.org"


def test_reset_signs_out_sessions_opened_with_the_old_password(
    client, db, make_member, outbox, login
):
    from flask import g

    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    login("ana@example.org", remember="y")
    assert client.get("/members/me").status_code == 200
    client.post("/members/reset", data={"email": "ana@example.org"})
    link = link_in(outbox(to="ana@example.org")[-1], "/members/reset/")
    client.post(link, data={"password": "a brand new passphrase"})
    g.pop("_login_user", None)
    assert client.get("/members/me").status_code == 302


def _two_devices(app, db, make_member):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post(
            "/members/login",
            data={"email": "ana@example.org", "password": GOOD_PASSWORD, "remember": "y"},
        )
        assert device.get("/members/me").status_code == 200
    return member, laptop, phone


def test_sign_out_everywhere_else_keeps_only_this_session(app, db, make_member):
    member, laptop, phone = _two_devices(app, db, make_member)
    response = laptop.post("/members/me/sign-out-others")
    assert response.status_code == 302
    assert laptop.get("/members/me").status_code == 200
    assert phone.get("/members/me").status_code == 302  # session and remember cookie dead
    assert member.session_token


def test_a_copy_of_the_session_is_useless_after_sign_out(app, db, make_member):
    _member, laptop, _phone = _two_devices(app, db, make_member)
    stolen = laptop.get_cookie("session").value
    remember = laptop.get_cookie("remember_token").value
    laptop.post("/members/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    thief.set_cookie("remember_token", remember)
    assert thief.get("/members/me").status_code == 302


def _pending_email_change(client, auth, make_member, outbox):
    member = auth.login_as(make_member(email="old@example.org", password=GOOD_PASSWORD))
    client.post(
        "/members/me/email",
        data={"email-new_email": "thief@example.org", "email-password": GOOD_PASSWORD},
    )
    return member, link_in(outbox(to="thief@example.org")[-1], "/members/confirm-email/")


def test_pending_email_change_dies_with_a_password_reset(client, auth, make_member, outbox):
    member, link = _pending_email_change(client, auth, make_member, outbox)
    auth.logout()
    client.post("/members/reset", data={"email": "old@example.org"})
    reset = link_in(outbox(to="old@example.org")[-1], "/members/reset/")
    assert client.post(reset, data={"password": "the owner's new passphrase"}).status_code == 302
    refused = client.get(link)
    assert refused.status_code == 400
    assert "no longer valid" in refused.get_data(as_text=True)
    assert member.email == "old@example.org"


def test_pending_email_change_dies_with_a_password_change(client, auth, make_member, outbox):
    member, link = _pending_email_change(client, auth, make_member, outbox)
    changed = client.post(
        "/members/me/password",
        data={"pw-current": GOOD_PASSWORD, "pw-new": "the owner's new passphrase"},
    )
    assert changed.status_code == 302
    assert client.get(link).status_code == 400
    assert member.email == "old@example.org"


def test_pending_email_change_dies_with_sign_out_everywhere(client, auth, make_member, outbox):
    member, link = _pending_email_change(client, auth, make_member, outbox)
    assert client.post("/members/me/sign-out-others").status_code == 302
    assert client.get(link).status_code == 400
    assert member.email == "old@example.org"
