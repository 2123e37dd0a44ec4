"""Sign-in success and failure reach the security log with a fingerprint of the address
(never the address itself, nor the password)."""

from __future__ import annotations

import logging

from tests.fixtures.members import GOOD_PASSWORD


def _security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "interacta.security"]


def _login(client, email, password):
    return client.post(
        "/members/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": "203.0.113.20"},
    )


def test_successful_sign_in_is_logged_with_member_ip_and_address_fingerprint(
    client, make_member, caplog
):
    member = make_member(email="ana@example.org", password=GOOD_PASSWORD)
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        response = _login(client, "ana@example.org", GOOD_PASSWORD)
    assert response.status_code == 302
    lines = [line for line in _security_lines(caplog) if "event=signin_success" in line]
    assert len(lines) == 1
    line = lines[0]
    assert f"member={member.id}" in line
    assert "ip=203.0.113.20" in line and "email_ref=" in line
    assert "ana@example.org" not in line
    assert GOOD_PASSWORD not in line


def test_failed_sign_in_is_logged_with_an_address_fingerprint_never_the_address_or_password(
    client, make_member, caplog
):
    make_member(email="ana@example.org", password=GOOD_PASSWORD)
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        _login(client, "ana@example.org", "Wrong-Passw0rd-xyz")
        _login(client, "nobody@example.org", "An0ther-Secret-xyz")
        _login(client, "ANA@example.org", "Wrong-again-xyz")
    lines = [line for line in _security_lines(caplog) if "event=signin_failed" in line]
    assert len(lines) == 3
    refs = [line.split("email_ref=")[1].split()[0] for line in lines]
    assert refs[0] != refs[1], "two addresses, two fingerprints"
    assert refs[0] == refs[2], "the same account, the same fingerprint"
    assert all("ip=203.0.113.20" in line and "member=-" in line for line in lines)
    everything = "\n".join(_security_lines(caplog))
    assert "ana@example.org" not in everything and "nobody@example.org" not in everything
    assert "Wrong-Passw0rd-xyz" not in everything and "An0ther-Secret-xyz" not in everything
    assert "signin_success" not in everything


def test_sign_in_of_an_unverified_member_is_logged_as_a_failure(client, make_member, caplog):
    make_member(email="new@example.org", password=GOOD_PASSWORD, email_verified_at=None)
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        _login(client, "new@example.org", GOOD_PASSWORD)
    lines = [line for line in _security_lines(caplog) if "event=signin_failed" in line]
    assert lines and "not_verified" in lines[0] and GOOD_PASSWORD not in lines[0]
