"""Security events (sign-in success and failure, access denied, CSRF failure, rate limit
hit) logged with time, member id and IP to the `interacta.security` logger.

Never a password, token or cookie: details whose key names one of those are dropped.
Never an email address either: it becomes `email_ref`, a keyed fingerprint that lets the
operator see that failures aim at one account without the log holding the address.

Each event is also counted per hour in `security_event_counts` (no member, address or IP),
after the request, for the operator console; `on_event` observers (metrics) see each one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import UTC

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from interacta.core.models import SecurityEventCount, utcnow

logger = logging.getLogger("interacta.security")

_SECRET_WORDS = ("password", "token", "cookie", "secret", "session", "csrf")
_PENDING = "_security_events"
_observers: list[Callable[[str, dict], None]] = []


def email_ref(address: str) -> str:
    """A short keyed fingerprint of an address: equal for equal addresses, not reversible."""
    key = current_app.secret_key.encode() if current_app.secret_key else b"interacta"
    normalised = (address or "").strip().lower().encode()
    return hmac.new(key, b"security-log:" + normalised, hashlib.sha256).hexdigest()[:12]


def on_event(observer: Callable[[str, dict], None]) -> None:
    """Call observer(event, details) for each security event (metrics)."""
    if observer not in _observers:
        _observers.append(observer)


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
    for observer in _observers:
        try:
            observer(event, details)
        except Exception:  # noqa: BLE001 - the log must not fail the request
            logger.exception("security event observer failed")
    if has_request_context():
        g.setdefault(_PENDING, []).append(event)
    safe = {}
    for key, value in details.items():
        if any(w in key.lower() for w in _SECRET_WORDS):
            continue
        if "email" in key.lower():
            key, value = "email_ref", email_ref(str(value)) if value else "-"
        safe[key] = value
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


def record_request_events(engine) -> None:
    """Count this request's security events, in a session of their own (the request's own
    transaction may be rolled back, and the counts must stay)."""
    events = g.pop(_PENDING, None)
    if not events:
        return
    hour = utcnow().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    try:
        with Session(bind=engine, join_transaction_mode="create_savepoint") as session:
            for event in events:
                _increment(session, SecurityEventCount, event[:40], hour)
            session.commit()
    except sa.exc.SQLAlchemyError:
        logger.warning("security events not counted: %s", ", ".join(events), exc_info=True)


def _increment(session: Session, model, event: str, hour) -> None:
    bumped = session.execute(
        sa.update(model)
        .where(model.event == event, model.hour == hour)
        .values(count=model.count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bumped:
        return
    try:
        with session.begin_nested():
            session.add(model(event=event, hour=hour, count=1))
    except sa.exc.IntegrityError:  # another process inserted the hour's row first
        session.execute(
            sa.update(model)
            .where(model.event == event, model.hour == hour)
            .values(count=model.count + 1)
            .execution_options(synchronize_session=False)
        )
