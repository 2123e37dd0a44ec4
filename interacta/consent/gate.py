"""The request-bound side of consent: the choice in force for this request, recording a new
one, `allows(category)`, the functionality-cookie helpers, and the response hooks that keep
the site's word (page-view counting only with consent, the Set-Cookie guard)."""

from __future__ import annotations

import base64
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from interacta.consent import registry
from interacta.consent import services as svc
from interacta.core.models import utcnow
from interacta.core.timezones import is_valid_timezone

logger = logging.getLogger(__name__)

SESSION_KEY = "consent"
SUBJECT_KEY = "consent_subject"

#: What the functionality cookie may hold, and how each value is checked.
PREFERENCE_KEYS = {
    "view": lambda v: v in ("list", "calendar"),
    "tz": is_valid_timezone,
}
PREFERENCE_LIFETIME = timedelta(days=365)
VISITOR_LIFETIME = timedelta(days=365)


@dataclass
class ConsentState:
    #: The choice in force (valid now), or None: then the banner asks.
    choice: svc.Choice | None
    #: The last choice stored, even if expired (preselected when asking again).
    previous: svc.Choice | None
    #: The request carried `Sec-GPC: 1`.
    gpc_signal: bool

    @property
    def needs_asking(self) -> bool:
        return self.choice is None

    @property
    def gpc_honoured(self) -> bool:
        return self.choice is not None and self.choice.action == "gpc"

    def allows(self, category: str) -> bool:
        if category == registry.NECESSARY:
            return True
        return self.choice is not None and self.choice.allows(category)


def policy_version() -> int:
    return int(current_app.config["COOKIE_POLICY_VERSION"])


def policy_hash() -> str:
    return registry.policy_hash(policy_version(), current_app.config["COOKIE_POLICY_DATE"])


def _signed_in_member_id() -> int | None:
    try:
        if current_user and current_user.is_authenticated:
            return int(current_user.id)
    except (AttributeError, TypeError, ValueError):
        return None
    return None


def _stored_choice() -> svc.Choice | None:
    member_id = _signed_in_member_id()
    if member_id is not None:
        choice = svc.member_choice(member_id)
        if choice is not None:
            return choice
    return svc.Choice.from_dict(session.get(SESSION_KEY)) if _has_session_choice() else None


def _has_session_choice() -> bool:
    # Reading the session this way does not create a session cookie.
    return SESSION_KEY in session


def state() -> ConsentState:
    """The consent state of this request (computed once per request)."""
    if not has_request_context():
        return ConsentState(None, None, False)
    cached = getattr(request, "consent_state", None)
    if cached is not None:
        return cached
    stored = _stored_choice()
    now = utcnow()
    valid = stored if stored and stored.is_valid(now, policy_version()) else None
    result = ConsentState(valid, stored, request.headers.get("Sec-GPC") == "1")
    request.consent_state = result
    return result


def allows(category: str) -> bool:
    """Whether the visitor allowed cookies of `category` ("necessary" is always allowed)."""
    return state().allows(category)


def record(values: dict[str, bool], action: str, now: datetime | None = None) -> svc.Choice:
    """Make `values` the visitor's choice: on the account for a member (and in the session,
    so the browser keeps it after sign-out), in the session for a visitor; log it."""
    choice = svc.make_choice(values, action, policy_version(), now)
    member_id = _signed_in_member_id()
    if member_id is not None:
        svc.save_member_choice(member_id, choice)
    keep_in_session(choice)
    svc.append_log(choice, member_id=member_id, subject_id=subject_id(), policy_hash=policy_hash())
    request.consent_state = None
    return choice


def keep_in_session(choice: svc.Choice) -> None:
    session[SESSION_KEY] = choice.to_dict()
    # The session cookie now lasts as long as the choice (see ConsentSessionInterface).
    session.permanent = True


def subject_id() -> str:
    """The random anonymous subject id of this browser (created on its first choice)."""
    value = session.get(SUBJECT_KEY)
    if not isinstance(value, str):
        value = svc.new_subject_id()
        session[SUBJECT_KEY] = value
    return value


def apply_gpc() -> None:
    """A `Sec-GPC: 1` request with no choice in force is a refusal, recorded as such."""
    if request.endpoint in (None, "static", "consent.choose"):
        return  # static files need no choice; an explicit choice is about to be recorded
    current = state()
    if current.gpc_signal and current.needs_asking:
        from interacta.extensions import db

        record({}, "gpc")
        db.session.commit()


def merge_at_signin(member) -> None:
    """At sign-in the newest valid choice (this browser's or the account's) wins."""
    from interacta.extensions import db

    now = utcnow()
    session_choice = svc.Choice.from_dict(session.get(SESSION_KEY))
    account_choice = svc.member_choice(member.id)
    winner = svc.merge_at_signin(session_choice, account_choice, now, policy_version())
    request.consent_state = None
    if winner is None:
        return
    if winner is session_choice and winner != account_choice:
        merged = svc.with_action(winner, "signin_merge")
        svc.save_member_choice(member.id, merged)
        svc.append_log(merged, member_id=member.id, subject_id=None, policy_hash=policy_hash())
        keep_in_session(merged)
        db.session.commit()
    else:
        keep_in_session(winner)


class ConsentSessionInterface(SecureCookieSessionInterface):
    """A session that holds a cookie choice lasts exactly as long as the choice."""

    def get_expiration_time(self, app, session_):
        if session_.permanent and SESSION_KEY in session_:
            choice = svc.Choice.from_dict(session_.get(SESSION_KEY))
            now = utcnow()
            # (An expired choice must not expire the session itself: it may hold a sign-in.)
            if choice is not None and choice.expires_at > now:
                return min(choice.expires_at, now + app.permanent_session_lifetime)
        return super().get_expiration_time(app, session_)

    def should_set_cookie(self, app, session_) -> bool:
        # Its expiry is fixed by the choice, so there is nothing to refresh on each request.
        if session_.permanent and SESSION_KEY in session_:
            return session_.modified
        return super().should_set_cookie(app, session_)


# Functionality cookie ----------------------------------------------------------------------


def _read_preferences() -> dict[str, str]:
    raw = request.cookies.get(registry.PREFERENCES_COOKIE)
    if not raw:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==="))
    except (ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        k: v
        for k, v in data.items()
        if k in PREFERENCE_KEYS and isinstance(v, str) and PREFERENCE_KEYS[k](v)
    }


def preference(key: str) -> str | None:
    """A visitor's remembered preference ("view": list|calendar, "tz": IANA zone), or None
    when functionality cookies are not allowed or nothing is remembered."""
    if key not in PREFERENCE_KEYS:
        raise KeyError(key)
    if not allows(registry.FUNCTIONALITY):
        return None
    pending = getattr(request, "consent_prefs_pending", None) or {}
    if key in pending:
        return pending[key]
    return _read_preferences().get(key)


def remember_preference(response, key: str, value: str) -> bool:
    """Keep `key`=`value` in the functionality cookie on `response`, only with consent.

    Returns whether it was remembered. Invalid values raise ValueError."""
    if key not in PREFERENCE_KEYS:
        raise KeyError(key)
    if not PREFERENCE_KEYS[key](value):
        raise ValueError(f"invalid value for preference {key!r}")
    if not allows(registry.FUNCTIONALITY):
        return False
    data = _read_preferences()
    data.update(getattr(request, "consent_prefs_pending", None) or {})
    data[key] = value
    request.consent_prefs_pending = data
    encoded = base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode()
    response.set_cookie(
        registry.PREFERENCES_COOKIE,
        encoded.rstrip("="),
        max_age=int(PREFERENCE_LIFETIME.total_seconds()),
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        samesite="Lax",
    )
    return True


# Response hooks ----------------------------------------------------------------------------


def _is_page_view(response) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and request.endpoint not in (None, "static")
    )


def _counted_path() -> str:
    """The path a view is counted under: a route whose URL carries a secret (a guest's
    registration, a reset or verification link) by its pattern, never with the token."""
    rule = request.url_rule
    if rule is not None and any("token" in name for name in rule.arguments):
        return rule.rule
    return request.path


def count_page_view(response) -> None:
    """With performance consent: count the view and set/refresh the visitor cookie."""
    from interacta.extensions import db

    if not _is_page_view(response) or not allows(registry.PERFORMANCE):
        return
    today = utcnow().date()
    raw = request.cookies.get(registry.VISITOR_COOKIE, "")
    token, _, last_day = raw.partition(".")
    new_visitor = not (token and len(token) <= 64 and token.isalnum() and last_day == str(today))
    try:
        svc.count_page_view(_counted_path(), today, new_visitor)
        db.session.commit()
    except Exception:  # statistics never break a page
        db.session.rollback()
        logger.exception("counting a page view failed")
        return
    if new_visitor:
        if not (token and len(token) <= 64 and token.isalnum()):
            token = secrets.token_hex(16)
        response.set_cookie(
            registry.VISITOR_COOKIE,
            f"{token}.{today}",
            max_age=int(VISITOR_LIFETIME.total_seconds()),
            httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            samesite="Lax",
        )


def _registered(name: str) -> registry.Cookie | None:
    config = current_app.config
    if name == config.get("SESSION_COOKIE_NAME", "session"):
        return registry.cookie(registry.SESSION_COOKIE)
    if name == config.get("REMEMBER_COOKIE_NAME", "remember_token"):
        return registry.cookie(registry.REMEMBER_COOKIE)
    return registry.cookie(name)


def _is_deletion(header: str) -> bool:
    lowered = header.lower()
    return "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered


def guard_cookies(response):
    """Drop every Set-Cookie not registered or not allowed (logged as an error), and delete
    the cookies of categories the visitor does not (or no longer) allow."""
    headers = response.headers.getlist("Set-Cookie")
    if headers:
        del response.headers["Set-Cookie"]
        for header in headers:
            name = header.split("=", 1)[0].strip()
            entry = _registered(name)
            if entry is None:
                logger.error("dropped unregistered cookie %r on %s", name, request.path)
                continue
            if not _is_deletion(header) and not allows(entry.category):
                logger.error(
                    "dropped cookie %r (%s not allowed) on %s", name, entry.category, request.path
                )
                continue
            response.headers.add("Set-Cookie", header)
    for category in registry.OPTIONAL:
        present = [c for c in registry.first_party_cookies(category) if c.name in request.cookies]
        if not present or allows(category):
            continue
        for entry in present:
            if entry.name in request.cookies:
                response.delete_cookie(
                    entry.name,
                    httponly=True,
                    secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                    samesite="Lax",
                )
    return response


def sync_session_copy() -> None:
    """A member's browser keeps a copy of the account's choice, so it stays after sign-out."""
    current = getattr(request, "consent_state", None)
    if current is None or current.choice is None or _signed_in_member_id() is None:
        return
    if session.get(SESSION_KEY) != current.choice.to_dict():
        keep_in_session(current.choice)


def after_request(response):
    sync_session_copy()
    count_page_view(response)
    return guard_cookies(response)
