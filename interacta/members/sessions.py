"""The signed-in session: who it belongs to, how long it lasts, and the Flask-Login session
keys, written here and nowhere else.

The session cookie is a browser-session cookie (the cookie choice has a cookie of its own,
see consent/gate.py), so a sign-in without "keep me signed in" ends when the browser
closes. The server also refuses a session idle for SESSION_IDLE_HOURS or signed in more
than SESSION_MAX_DAYS ago; "keep me signed in" (the remember-me cookie) then starts a new one.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, g, request, session
from flask_login import login_user

from interacta.core.securitylog import security_event
from interacta.extensions import db, login_manager
from interacta.members import freshness
from interacta.members.models import Member
from interacta.members.passwords import fingerprint

#: When the member signed in (or the session was restored from the remember-me cookie),
#: and when the session was last used (seconds since the epoch, to SEEN_STEP).
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
#: `seen_at` is renewed at most this often, so a signed-in member's pages do not each set
#: the session cookie.
SEEN_STEP = 300
#: Flask-Login's keys of a signed-in session (its own names).
_USER_ID = "_user_id"
_SESSION_ID = "_id"
_REMEMBER = "_remember"


def load_member(user_id: str) -> Member | None:
    """Flask-Login's user loader: the member a session or remember-me cookie names.

    "<id>:<password fingerprint>:<session token>" (see Member.get_id): a password change
    or "sign out everywhere" since then makes it useless. A bare id is accepted too, as
    only the server can write the signed session.
    """
    member_id, _, rest = user_id.partition(":")
    print_, has_token, token = rest.partition(":")
    try:
        member = db.session.get(Member, int(member_id))
    except ValueError:
        return None
    if member is None or not member.is_active:
        return None
    if print_ and print_ != fingerprint(member.password_hash):
        return None  # the password changed since this session signed in
    if has_token and token != (member.session_token or ""):
        return None  # signed out since (here or "everywhere else")
    return member


def start_fresh() -> None:
    """A new session (at sign-in and sign-out): nothing of the old one is kept, so a
    session planted before sign-in is worthless. (Keys of a cookie choice kept in the
    session by older releases stay until consent moves them into its own cookie.)"""
    kept = {key: value for key, value in session.items() if key.startswith("consent")}
    session.clear()
    session.update(kept)


def stamp(now: float | None = None) -> None:
    """Start the clocks of a newly signed-in session (user_logged_in, restored sessions)."""
    now = int(time.time() if now is None else now)
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def bind_restored_session() -> None:
    """A session restored from the remember-me cookie: start its clocks and store the
    browser identifier that "strong" session protection compares (Flask-Login omits it:
    flask-login issue #685), so "keep me signed in" lasts beyond one page view."""
    session[_SESSION_ID] = login_manager._session_identifier_generator()
    stamp()


def _seconds(key: str) -> int | None:
    value = session.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def enforce_limits() -> None:
    """before_request: end a signed-in session idle too long or signed in too long ago.

    Static files are left alone: they need no sign-in, and a session cookie written with
    an asset could overwrite the one a page is setting at the same moment."""
    if request.endpoint == "static" or _USER_ID not in session:
        return
    now = int(time.time())
    signed_in, seen = _seconds(SIGNED_IN_AT), _seconds(SEEN_AT)
    if signed_in is None or seen is None:
        stamp(now)  # a session from before these limits: they count from now
        return
    config = current_app.config
    if now - seen > int(config["SESSION_IDLE_HOURS"]) * 3600:
        reason = "idle"
    elif now - signed_in > int(config["SESSION_MAX_DAYS"]) * 86400:
        reason = "too_old"
    else:
        if now - seen >= SEEN_STEP:
            session[SEEN_AT] = now
        return
    start_fresh()
    g.pop("_login_user", None)  # Flask-Login may have loaded the member already
    security_event("session_expired", logging.INFO, reason=reason)


def keep_signed_in(member: Member) -> None:
    """After a password change: this session carries on with the member's new id (every
    other session and remember-me cookie ended with the old one), and a remember-me cookie
    of this browser is renewed with it."""
    session[_USER_ID] = member.get_id()
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        session[_REMEMBER] = "set"


def sign_in_again(member: Member, password_typed_at: float | None) -> None:
    """After "sign out everywhere else": a new session for this browser, still fresh."""
    start_fresh()
    login_user(member)
    freshness.password_entered(at=password_typed_at)
