"""A certificate as an Open Badges 3.0 `OpenBadgeCredential`, signed as a VC-JWT.

The JWT follows the OB 3.0 JSON Web Token proof format: the JOSE header is exactly
`alg` (EdDSA), `kid` (the signing key's URL in our JWK Set) and `typ` (JWT); the payload is
the credential itself with the registered claims the spec maps from it: `iss`
(issuer.id), `jti` (id), `nbf` (validFrom), `sub` (credentialSubject.id). The holder is
identified by a salted SHA-256 hash of their email (`identityHash` "sha256$...", `hashed`
true, `salt`), never the email, and by their name as printed on the certificate.

The credential is signed once, when the certificate is issued, and stored: what the holder
downloads is always the same document, and a key rotation changes no credential already
issued. Its text is in English (the achievement's `inLanguage`), the issuer's language.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime

import jwt
from flask import current_app

from interacta.core.text import normalize_email
from interacta.core.urls import external_url
from interacta.credentials import keys
from interacta.credentials.models import Certificate

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "Interacta Global d.o.o."
ISSUER_DESCRIPTION = (
    "Interacta, the research and education network on civil-military interaction "
    "(CMI/CIMIC): seminars, workshops, symposia, conferences and courses."
)
KIND_NAMES = {
    "attendance": "Certificate of attendance",
    "completion": "Certificate of completion",
}
ALGORITHM = "EdDSA"


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def issuer_id() -> str:
    return external_url("credentials.issuer", _language="en")


def credential_id(certificate: Certificate) -> str:
    """The credential's id: its verification page, which says whether it still holds."""
    return external_url("credentials.verify", _language="en", public_id=certificate.public_id)


def issuer_profile(embedded: bool = False) -> dict:
    """Our OB 3.0 `Profile` (served alone at /credentials/issuer, embedded in each
    credential as its `issuer`)."""
    profile = {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": current_app.config["SERVER_BASE_URL"].rstrip("/") + "/",
        "description": ISSUER_DESCRIPTION,
    }
    if not embedded:
        profile = {"@context": CONTEXTS, **profile}
    return profile


def identity_hash(email: str, salt: str) -> str:
    """OB's IdentityHash: "sha256$" and the hex SHA-256 of the normalised email + salt."""
    digest = hashlib.sha256((normalize_email(email) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def achievement_type(certificate: Certificate) -> str:
    if certificate.kind == "completion" and certificate.event_kind == "course":
        return "Course"
    return "Certificate"


def _achievement_id(certificate: Certificate) -> str:
    """One achievement per event and kind of certificate (the same for every holder)."""
    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    key = certificate.event_id if certificate.event_id is not None else certificate.public_id
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/events/{key}/{certificate.kind}')}"


def _criteria(certificate: Certificate, min_percent: int | None) -> str:
    if certificate.kind == "completion":
        share = f"at least {min_percent} %" if min_percent else "enough"
        return (
            f"Attend {share} of the {certificate.sessions_total} sessions of the agenda, as "
            "recorded by the organizers at each session."
        )
    return "Attend the event, as recorded by the organizers at check-in."


def _dates(certificate: Certificate) -> str:
    first = certificate.event_starts_at.strftime("%Y-%m-%d")
    last = certificate.event_ends_at.strftime("%Y-%m-%d")
    return first if first == last else f"{first} to {last}"


def build(certificate: Certificate, email: str | None, min_percent: int | None = None) -> dict:
    """The JWT payload: the credential and its registered claims (`iss`, `jti`, `nbf`,
    `sub`). `email` (the holder's, at issue) is only ever stored hashed."""
    kind = KIND_NAMES.get(certificate.kind, KIND_NAMES["attendance"])
    identifiers = []
    if email:
        salt = secrets.token_hex(16)
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": identity_hash(email, salt),
                "salt": salt,
            }
        )
    identifiers.append(
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": certificate.holder_name,
        }
    )
    details = [f"{certificate.event_kind}, {_dates(certificate)}"]
    if certificate.sessions_total:
        details.append(
            f"{certificate.sessions_attended} of {certificate.sessions_total} sessions attended"
        )
    if certificate.hours:
        details.append(f"{certificate.hours:g} hours")
    subject_id = f"urn:uuid:{uuid.uuid4()}"  # a pseudonym: the subject has no other URI
    credential = {
        "@context": CONTEXTS,
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{kind}: {certificate.event_title}",
        "description": f"{kind} ({'; '.join(details)}). Serial number {certificate.serial}.",
        "issuer": issuer_profile(embedded=True),
        "validFrom": iso(certificate.issued_at),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": {
                "id": _achievement_id(certificate),
                "type": ["Achievement"],
                "achievementType": achievement_type(certificate),
                "name": f"{kind}: {certificate.event_title}",
                "description": (
                    f"{kind} of “{certificate.event_title}” ({certificate.event_kind}, "
                    f"{_dates(certificate)}), issued by {ISSUER_NAME} for the Interacta network."
                ),
                "criteria": {"narrative": _criteria(certificate, min_percent)},
                "inLanguage": "en",
            },
        },
    }
    return {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": _epoch(certificate.issued_at),
        "sub": subject_id,
    }


def sign(payload: dict) -> str:
    """The payload as a compact JWS signed with the current key."""
    key = keys.current()
    return jwt.encode(
        payload, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"}
    )


def payload_of(token: str) -> dict:
    """The payload of one of our stored JWTs, as signed (read, not verified: we made it)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
