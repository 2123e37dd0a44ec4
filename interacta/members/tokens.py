"""Signed, timed links in mails (itsdangerous), one salt per purpose."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from interacta.core.errors import DomainError
from interacta.members.passwords import fingerprint

VERIFY = "members.verify-email"
RESET = "members.reset-password"
EMAIL_CHANGE = "members.change-email"

#: Seconds each kind of link stays valid.
MAX_AGE = {VERIFY: 48 * 3600, RESET: 3600, EMAIL_CHANGE: 48 * 3600}


class TokenError(DomainError):
    """A link that cannot be used; the message is meant for the visitor."""


class TokenExpired(TokenError):
    pass


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def email_change_token(member, new_email: str) -> str:
    """The link confirming `new_email` for `member`. Bound to the password and the session
    token: it dies with a password change or reset and with "sign out everywhere" (a link
    asked for from a stolen session)."""
    return make_token(
        EMAIL_CHANGE,
        {
            "m": member.id,
            "o": member.email,
            "n": new_email,
            "h": fingerprint(member.password_hash),
            "s": member.session_token or "",
        },
    )


def read_token(purpose: str, token: str, max_age: int | None = None) -> dict:
    """The payload of a valid token; raises TokenExpired or TokenError."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age or MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise TokenExpired(_("This link has expired.")) from exc
    except BadSignature as exc:
        raise TokenError(
            _("This link is not valid. Please check that you copied all of it.")
        ) from exc
    if not isinstance(data, dict):
        raise TokenError(_("This link is not valid."))
    return data
