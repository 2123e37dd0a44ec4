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

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from interacta.consent import registry
from interacta.consent import services as svc
from interacta.core.models import utcnow
from interacta.core.timezones import is_valid_timezone
from interacta.extensions import db

logger = logging.getLogger(__name__)

#: Legacy session keys: a choice used to live in the session (which then lasted as long as
#: the choice); read once and moved into the consent cookie.
LEGACY_SESSION_KEY = "consent"
LEGACY_SUBJECT_KEY = "consent_subject"
#: Whether this session's Global Privacy Control refusal is already in the consent log.
GPC_LOGGED_KEY = "gpc_logged"
_COOKIE_SALT = "interacta.consent-cookie"

#: What the functionality cookie may hold, and how each value is checked.
PREFERENCE_KEYS = {
    "view": lambda v: v in ("list", "calendar"),
    "tz": is_valid_timezone,
}
PREFERENCE_LIFETIME = timedelta(days=365)
VISITOR_LIFETIME = timedelta(days=365)


@dataclass
class ConsentState:
    #: The choice in force (valid now), or None: then the banner asks. With `Sec-GPC: 1`
    #: and no choice of the visitor's own, a refusal made from the signal.
    choice: svc.Choice | None
    #: The last choice stored, even if expired (preselected when asking again).
    previous: svc.Choice | None
    #: The request carried `Sec-GPC: 1`.
    gpc_signal: bool
    #: `choice` is the signal's refusal for this request only (stored nowhere).
    from_signal_only: bool = False

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


# The consent cookie -------------------------------------------------------------------------
# The browser's choice lives in its own signed, strictly necessary cookie that lasts as long
# as the choice, so the session cookie stays a browser-session cookie (a sign-in without
# "keep me signed in" ends when the browser closes, whatever the cookie choice).


def cookie_name() -> str:
    return current_app.config.get("CONSENT_COOKIE_NAME", registry.CONSENT_COOKIE)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_COOKIE_SALT)


def cookie_value(choice: svc.Choice, subject: str | None) -> str:
    """The signed value of the consent cookie holding `choice` (and the anonymous subject)."""
    return _serializer().dumps({"c": choice.to_dict(), "s": subject})


def decode_cookie(raw: str | None) -> tuple[svc.Choice | None, str | None] | None:
    """The choice and subject id in a consent cookie's value; None if it is not ours."""
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    subject = data.get("s")
    return svc.Choice.from_dict(data.get("c")), subject if isinstance(subject, str) else None


def _browser_record() -> tuple[svc.Choice | None, str | None]:
    """The choice and subject id this browser holds (pending writes of this request first)."""
    pending = g.get("consent_cookie")
    if pending is not None:
        return pending
    decoded = decode_cookie(request.cookies.get(cookie_name()))
    if decoded is not None:
        return decoded
    if LEGACY_SESSION_KEY in session:
        subject = session.get(LEGACY_SUBJECT_KEY)
        choice = svc.Choice.from_dict(session.get(LEGACY_SESSION_KEY))
        return choice, subject if isinstance(subject, str) else None
    return None, None


def browser_choice() -> svc.Choice | None:
    """The choice this browser holds, valid or not."""
    return _browser_record()[0]


def keep_in_browser(choice: svc.Choice) -> None:
    """Have the consent cookie hold `choice` (written on the response by `after_request`)."""
    _, subject = _browser_record()
    g.consent_cookie = (choice, subject)


def subject_id() -> str:
    """The random anonymous subject id of this browser (created on its first choice)."""
    choice, subject = _browser_record()
    if subject is None:
        subject = svc.new_subject_id()
        g.consent_cookie = (choice, subject)
    return subject


def _stored_choice() -> svc.Choice | None:
    member_id = _signed_in_member_id()
    if member_id is not None:
        choice = svc.member_choice(member_id)
        if choice is not None:
            return choice
    return browser_choice()


def _gpc_refusal(now: datetime) -> svc.Choice:
    return svc.make_choice({}, "gpc", policy_version(), now)


def state() -> ConsentState:
    """The consent state of this request (computed once per request).

    `Sec-GPC: 1` is honoured on every request without a choice in force, as a refusal;
    nothing is written for it here (see `merge_at_signin`)."""
    if not has_request_context():
        return ConsentState(None, None, False)
    cached = g.get("consent_state")
    if cached is not None:
        return cached
    stored = _stored_choice()
    now = utcnow()
    valid = stored if stored and stored.is_valid(now, policy_version()) else None
    gpc = request.headers.get("Sec-GPC") == "1"
    from_signal_only = valid is None and gpc
    if from_signal_only:
        valid = _gpc_refusal(now)
    result = ConsentState(valid, stored, gpc, from_signal_only)
    g.consent_state = result
    return result


def allows(category: str) -> bool:
    """Whether the visitor allowed cookies of `category` ("necessary" is always allowed)."""
    return state().allows(category)


def cache_key_part() -> tuple:
    """What of consent a cached page depends on: the choice in force, the signal, the
    choice preselected when asking again, and the remembered preferences as read (None
    without consent; a made-up cookie value cannot make new keys). Registered as the
    consent blueprint's page-cache key contributor."""
    current = state()
    previous = current.previous
    return (
        current.needs_asking,
        tuple(current.allows(c) for c in registry.OPTIONAL),
        current.gpc_signal,
        tuple(previous.allows(c) for c in registry.OPTIONAL) if previous else None,
        tuple(preference(k) for k in sorted(PREFERENCE_KEYS)),
    )


def record(values: dict[str, bool], action: str, now: datetime | None = None) -> svc.Choice:
    """Make `values` the visitor's choice: on the account for a member (and in the consent
    cookie, so the browser keeps it after sign-out), in the consent cookie for a visitor;
    log it. The caller commits."""
    choice = svc.make_choice(values, action, policy_version(), now)
    member_id = _signed_in_member_id()
    if member_id is not None:
        svc.save_member_choice(member_id, choice)
    keep_in_browser(choice)
    svc.append_log(choice, member_id=member_id, subject_id=subject_id(), policy_hash=policy_hash())
    g.pop("consent_state", None)
    return choice


def choose(action: str, form_values: dict[str, bool], category: str | None = None) -> svc.Choice:
    """Record a choice made with one of the consent forms (the caller commits).

    `action`: "accept_all" / "reject_all" (banner), "custom" (Cookie Management, with
    `form_values`), or "allow" (one `category` on top of the choice in force, e.g. a
    video placeholder's button). Raises `svc.ConsentError` for anything else."""
    values, logged = svc.values_for(action, form_values, category, state().choice)
    return record(values, logged)


def merge_at_signin(member) -> None:
    """At sign-in the newest valid choice (this browser's or the account's) wins; with
    `Sec-GPC: 1` and neither, the signal's refusal is recorded on the account (once per
    session: the sign-in starts it). The sign-in view commits."""
    now = utcnow()
    session_choice = browser_choice()
    account_choice = svc.member_choice(member.id)
    winner = svc.merge_at_signin(session_choice, account_choice, now, policy_version())
    g.pop("consent_state", None)
    if winner is None:
        if request.headers.get("Sec-GPC") == "1" and not session.get(GPC_LOGGED_KEY):
            refusal = _gpc_refusal(now)
            svc.save_member_choice(member.id, refusal)
            svc.append_log(refusal, member_id=member.id, subject_id=None, policy_hash=policy_hash())
            keep_in_browser(refusal)
            session[GPC_LOGGED_KEY] = True
        return
    if winner is session_choice and winner != account_choice:
        merged = svc.with_action(winner, "signin_merge")
        svc.save_member_choice(member.id, merged)
        svc.append_log(merged, member_id=member.id, subject_id=None, policy_hash=policy_hash())
        keep_in_browser(merged)
    elif winner != session_choice:
        keep_in_browser(winner)


def write_cookie(response) -> None:
    """Set the consent cookie when this request changed the browser's choice; move a choice
    still kept in the session (older releases) into it."""
    legacy = LEGACY_SESSION_KEY in session or LEGACY_SUBJECT_KEY in session
    if legacy and g.get("consent_cookie") is None:
        g.consent_cookie = _browser_record()
    if legacy:
        session.pop(LEGACY_SESSION_KEY, None)
        session.pop(LEGACY_SUBJECT_KEY, None)
        session.permanent = False  # the session lasted as long as the choice
    pending = g.get("consent_cookie")
    if pending is None or pending[0] is None:
        return
    choice, subject = pending
    lifetime = choice.expires_at - utcnow()
    if lifetime.total_seconds() <= 0:
        return
    response.set_cookie(
        cookie_name(),
        cookie_value(choice, subject),
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        samesite="Lax",
        path="/",
    )


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
    pending = g.get("consent_prefs_pending") or {}
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
    data.update(g.get("consent_prefs_pending") or {})
    data[key] = value
    g.consent_prefs_pending = data
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


#: Session.info key: the session flushed changes its transaction has not committed yet.
_UNFINISHED = "consent_unfinished_writes"


@sa.event.listens_for(Session, "after_flush")
def _mark_unfinished(session, _context) -> None:
    session.info[_UNFINISHED] = True


@sa.event.listens_for(Session, "after_transaction_end")
def _clear_unfinished(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_UNFINISHED, None)


def _view_left_unfinished_work() -> bool:
    session = db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get(_UNFINISHED))


def count_page_view(response) -> None:
    """With performance consent: count the view and set/refresh the visitor cookie.

    The count is written in a transaction of its own, never with the view's: a response
    hook must not commit what a view left uncommitted (nor wait for its locks)."""
    if not _is_page_view(response) or not allows(registry.PERFORMANCE):
        return
    if _view_left_unfinished_work():
        logger.warning("%s left changes uncommitted; the page view is not counted", request.path)
        return
    today = utcnow().date()
    raw = request.cookies.get(registry.VISITOR_COOKIE, "")
    token, _, last_day = raw.partition(".")
    new_visitor = not (token and len(token) <= 64 and token.isalnum() and last_day == str(today))
    try:
        with Session(db.engines[None], join_transaction_mode="create_savepoint") as apart:
            svc.count_page_view(_counted_path(), today, new_visitor, session=apart)
            apart.commit()
    except Exception:  # statistics never break a page
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
    if name == config.get("CONSENT_COOKIE_NAME", registry.CONSENT_COOKIE):
        return registry.cookie(registry.CONSENT_COOKIE)
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


def sync_browser_copy() -> None:
    """A member's browser keeps a copy of the account's choice, so it stays after sign-out."""
    current = g.get("consent_state")
    if current is None or current.choice is None or current.from_signal_only:
        return
    if _signed_in_member_id() is None:
        return
    if browser_choice() != current.choice:
        keep_in_browser(current.choice)


def after_request(response):
    """The consent steps of every response, in this order: the browser's copy of a member's
    choice, the consent cookie, page-view counting, then the Set-Cookie guard (which must
    see every cookie set before it; Flask's session cookie is strictly necessary and
    written later, by the session interface)."""
    sync_browser_copy()
    write_cookie(response)
    count_page_view(response)
    return guard_cookies(response)
