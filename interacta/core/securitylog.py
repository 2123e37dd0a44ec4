"""Security events (sign-in success and failure, access denied, CSRF failure, rate limit
hit) logged with time, member id and IP to the `interacta.security` logger.

Never a password, token or cookie: details whose key names one of those are dropped.
"""

from __future__ import annotations

import logging

from flask import has_request_context, request
from flask_login import current_user

logger = logging.getLogger("interacta.security")

_SECRET_WORDS = ("password", "token", "cookie", "secret", "session", "csrf")


def security_event(event: str, level: int = logging.WARNING, **details) -> None:
    """Log one security event; the member and IP are taken from the current request."""
    member_id = None
    ip = None
    path = None
    if has_request_context():
        ip = request.remote_addr
        path = request.path
        try:
            if current_user.is_authenticated:
                member_id = current_user.get_id()
        except Exception:  # noqa: BLE001 - the log must not fail the request
            member_id = None
    safe = {k: v for k, v in details.items() if not any(w in k.lower() for w in _SECRET_WORDS)}
    extra = " ".join(f"{k}={v!r}" for k, v in sorted(safe.items()))
    logger.log(
        level,
        "security event=%s member=%s ip=%s path=%s%s",
        event,
        member_id or "-",
        ip or "-",
        path or "-",
        f" {extra}" if extra else "",
    )
