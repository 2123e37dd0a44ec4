"""A fresh sign-in: the member typed their password in this session, and not long ago.

Flask-Login keeps `_fresh` in the session: True after `login_user()` and
`confirm_login()`, False once a session is restored from the remember-me cookie, and
`fresh_login_required` sends a stale session to `login_manager.refresh_view`. This module
adds the time bound: the moment the password was typed is kept in the session beside
`_fresh`, and the first request after FRESH_LOGIN_MINUTES turns `_fresh` off, so
Flask-Login's own checks refuse the sensitive change and ask for the password again.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import current_app, session
from flask_login import login_fresh

#: When the member last typed their password in this session (seconds since the epoch).
SESSION_KEY = "password_at"


def password_entered(at: float | None = None) -> None:
    """Record that the member typed their password now (sign-in, re-authentication)."""
    session[SESSION_KEY] = int(time.time() if at is None else at)


def entered_at() -> float | None:
    """When the member last typed their password in this session, if they did."""
    value = session.get(SESSION_KEY)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def window_seconds() -> int:
    return int(current_app.config["FRESH_LOGIN_MINUTES"]) * 60


def fresh_until() -> datetime | None:
    """When this session stops being fresh (UTC); None if it is not fresh now."""
    if not login_fresh():
        return None
    at = entered_at()
    if at is None:
        return None  # fresh by Flask-Login's account only: no typed password on record
    until = at + window_seconds()
    if until <= time.time():
        return None
    return datetime.fromtimestamp(until, UTC)


def expire_stale_freshness() -> None:
    """before_request: a session whose password is older than the window is no longer fresh.

    Only sessions that carry `_fresh` are looked at (membership does not mark a cookie
    session as accessed), so visitors' responses are left alone.
    """
    if "_fresh" in session and session["_fresh"] and fresh_until() is None:
        session["_fresh"] = False
