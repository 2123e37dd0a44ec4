"""The signed Open Badges 3.0 credential: verified with PyJWT against the JWK Set the site
serves, tampering detected, no email inside, key rotation keeping old credentials valid."""

from __future__ import annotations

import hashlib
import json
import stat

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interacta.credentials import keys, services
from interacta.credentials.models import Certificate

EMAIL = "Ana.Horvat@Example.org"


@pytest.fixture
def key_dir(app, tmp_path, monkeypatch):
    """A key folder of this test's own (rotating the session's key would leak)."""
    folder = tmp_path / "keys"
    monkeypatch.setitem(app.config, "CREDENTIALS_KEY_DIR", str(folder))
    return folder


@pytest.fixture
def issue(db, make_course, make_registration, attend):
    """issue(name) -> a certificate of completion for a new course (8 of 10 sessions)."""

    def make(name="Ana Horvat", email=EMAIL):
        course = make_course(sessions=10, title=f"Course for {name}")
        registration = make_registration(event=course, name=name, email=email)
        attend(course, registration, 8)
        services.save_settings(course, True, "completion", 80)
        (certificate,) = services.issue_for_event(course)
        db.session.commit()
        return certificate

    return make


def _verify(client, token: str) -> dict:
    """Verify `token` as a third party would: the JWK Set from /.well-known/jwks.json, the
    key the header's kid names, EdDSA only, the registered claims required."""
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    key_set = jwt.PyJWKSet.from_dict(response.get_json(force=True))
    kid = jwt.get_unverified_header(token)["kid"]
    [key] = [k for k in key_set.keys if k.key_id == kid]
    issuer = client.get("/credentials/issuer").get_json(force=True)["id"]
    return jwt.decode(
        token,
        key=key,
        algorithms=["EdDSA"],
        issuer=issuer,
        options={"require": ["iss", "jti", "nbf", "sub"]},
    )


def test_the_credential_verifies_against_the_served_jwks(client, key_dir, issue):
    certificate = issue()
    response = client.get(f"/credentials/{certificate.public_id}.jwt")
    assert response.status_code == 200 and response.mimetype == "application/jwt"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Robots-Tag"] == "noindex"
    token = response.get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "kid", "typ"}
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert header["kid"].startswith("http") and "/.well-known/jwks.json#" in header["kid"]
    payload = _verify(client, token)
    assert payload["jti"] == payload["id"] and payload["id"].endswith(
        f"/credentials/{certificate.public_id}"
    )
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["issuer"]["id"].endswith("/credentials/issuer")
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["validFrom"].endswith("Z")
    achievement = payload["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Course"  # completion of a course
    assert achievement["name"].endswith(certificate.event_title)
    assert "80 %" in achievement["criteria"]["narrative"]


def test_the_subject_is_a_salted_hash_of_the_email_never_the_email(client, key_dir, issue):
    certificate = issue()
    token = client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True)
    readable = client.get(f"/credentials/{certificate.public_id}.json").get_data(as_text=True)
    for text in (token, readable, json.dumps(_verify(client, token))):
        assert "ana.horvat@example.org" not in text.lower()
    [by_email] = [
        i
        for i in _verify(client, token)["credentialSubject"]["identifier"]
        if i["identityType"] == "emailAddress"
    ]
    assert by_email["hashed"] is True and len(by_email["salt"]) >= 16
    expected = hashlib.sha256(("ana.horvat@example.org" + by_email["salt"]).encode()).hexdigest()
    assert by_email["identityHash"] == f"sha256${expected}"


def test_a_changed_payload_fails_verification(client, key_dir, issue):
    certificate = issue()
    token = client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True)
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    changed = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1 :]
    with pytest.raises(jwt.InvalidTokenError):
        _verify(client, f"{header}.{changed}.{signature}")


def test_the_jwks_has_public_ed25519_keys_only(client, key_dir, issue):
    issue()
    response = client.get("/.well-known/jwks.json")
    assert response.mimetype == "application/jwk-set+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"]
    [key] = response.get_json(force=True)["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}  # no "d"
    assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")


def test_the_key_file_is_made_on_first_use_readable_by_its_owner_only(app, key_dir, issue):
    assert not (key_dir / "current.pem").exists()
    issue()
    mode = stat.S_IMODE((key_dir / "current.pem").stat().st_mode)
    assert mode == 0o600


def test_after_rotating_the_key_old_credentials_still_verify_and_new_ones_use_the_new_key(
    client, runner, key_dir, issue
):
    old = issue("Ana Old")
    old_token = client.get(f"/credentials/{old.public_id}.jwt").get_data(as_text=True)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    result = runner.invoke(args=["credentials", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "PRIVATE" not in result.output
    new = issue("Ben New")
    new_token = client.get(f"/credentials/{new.public_id}.jwt").get_data(as_text=True)
    new_kid = jwt.get_unverified_header(new_token)["kid"]
    assert new_kid != old_kid
    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").get_json(force=True)["keys"]]
    assert kids == [new_kid, old_kid]
    assert _verify(client, old_token)["jti"].endswith(old.public_id)
    assert _verify(client, new_token)["jti"].endswith(new.public_id)
    # The credential issued before the rotation is served as it was signed.
    assert client.get(f"/credentials/{old.public_id}.jwt").get_data(as_text=True) == old_token


def test_a_key_from_the_configuration_signs_and_cannot_be_rotated_here(
    app, client, runner, key_dir, issue, monkeypatch
):
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    monkeypatch.setitem(app.config, "CREDENTIALS_SIGNING_KEY", pem)
    certificate = issue()
    token = client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True)
    payload = jwt.decode(token, private.public_key(), algorithms=["EdDSA"])
    assert payload["jti"].endswith(certificate.public_id)
    assert not key_dir.exists()  # no key file was made
    result = runner.invoke(args=["credentials", "rotate-key"])
    assert result.exit_code != 0 and "CREDENTIALS_SIGNING_KEY" in result.output
    assert "BEGIN" not in result.output


def test_a_revoked_credential_still_serves_its_jwt_and_its_json_says_revoked(
    client, db, key_dir, issue, organizer
):
    certificate = issue()
    token = client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True)
    services.revoke(certificate.event, certificate.id, "Attendance list corrected", organizer.id)
    db.session.commit()
    assert client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True) == token
    response = client.get(f"/credentials/{certificate.public_id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data(as_text=True).startswith('{\n  "@context"')  # pretty
    document = response.get_json()
    assert document["revoked"]["reason"] == "Attendance list corrected"
    signed = _verify(client, token)
    assert {k: v for k, v in document.items() if k != "revoked"} == signed
    page = client.get(f"/credentials/{certificate.public_id}").get_data(as_text=True)
    assert "Revoked" in page and f"{certificate.public_id}.jwt" in page
    assert (
        "Access-Control-Allow-Origin"
        not in client.get(f"/credentials/{certificate.public_id}").headers
    )


def test_a_certificate_issued_before_signing_is_signed_once_when_asked(client, db, key_dir, issue):
    certificate = issue()
    db.session.execute(
        sa.update(Certificate).where(Certificate.id == certificate.id).values(credential_jwt=None)
    )
    db.session.commit()
    first = client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True)
    assert _verify(client, first)["jti"].endswith(certificate.public_id)
    assert client.get(f"/credentials/{certificate.public_id}.jwt").get_data(as_text=True) == first
    db.session.refresh(certificate)
    assert certificate.credential_jwt == first


def test_the_issuer_profile_is_json_for_programs_and_a_page_for_browsers(client):
    response = client.get("/credentials/issuer")
    assert response.mimetype == "application/json"
    profile = response.get_json()
    assert profile["type"] == ["Profile"] and profile["name"] == "Interacta Global d.o.o."
    assert profile["id"].endswith("/credentials/issuer")
    assert "Accept" in response.headers["Vary"]
    page = client.get("/credentials/issuer", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.mimetype == "text/html" and "Interacta Global d.o.o." in page.get_data(as_text=True)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_unknown_credentials_are_not_found(client):
    assert client.get("/credentials/not-a-certificate.jwt").status_code == 404
    assert client.get("/credentials/not-a-certificate.json").status_code == 404


def _pem(private) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_rotating_a_configured_key_keeps_the_old_one_in_the_jwks_as_retired(
    app, client, key_dir, issue, monkeypatch
):
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    monkeypatch.setitem(app.config, "CREDENTIALS_SIGNING_KEY", _pem(first))
    old = issue("Ana Old")
    old_token = client.get(f"/credentials/{old.public_id}.jwt").get_data(as_text=True)
    # The operator rotates in the environment: a new key, the old public one retired.
    public = first.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    monkeypatch.setitem(app.config, "CREDENTIALS_SIGNING_KEY", _pem(second))
    monkeypatch.setitem(app.config, "CREDENTIALS_RETIRED_PUBLIC_KEYS", public.decode())
    new = issue("Ben New")
    new_token = client.get(f"/credentials/{new.public_id}.jwt").get_data(as_text=True)
    body = client.get("/.well-known/jwks.json").get_data(as_text=True)
    assert '"d"' not in body and len(json.loads(body)["keys"]) == 2
    assert _verify(client, old_token)["jti"].endswith(old.public_id)
    assert _verify(client, new_token)["jti"].endswith(new.public_id)


def test_a_configured_key_that_is_not_ed25519_is_refused_without_showing_it(
    app, client, key_dir, issue, monkeypatch
):
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setitem(app.config, "CREDENTIALS_SIGNING_KEY", _pem(other))
    with pytest.raises(keys.SigningKeyError) as refused:
        keys.current()
    assert "Ed25519" in str(refused.value) and "BEGIN" not in str(refused.value)
