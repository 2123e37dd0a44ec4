"""Signed, timed links in mails (itsdangerous), one salt per purpose."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY = "members.verify-email"
RESET = "members.reset-password"
EMAIL_CHANGE = "members.change-email"

#: Seconds each kind of link stays valid.
MAX_AGE = {VERIFY: 48 * 3600, RESET: 3600, EMAIL_CHANGE: 48 * 3600}


class TokenError(Exception):
    """A link that cannot be used; the message is meant for the visitor."""


class TokenExpired(TokenError):
    pass


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None = None) -> dict:
    """The payload of a valid token; raises TokenExpired or TokenError."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age or MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise TokenExpired("This link has expired.") from exc
    except BadSignature as exc:
        raise TokenError("This link is not valid. Please check that you copied all of it.") from exc
    if not isinstance(data, dict):
        raise TokenError("This link is not valid.")
    return data
