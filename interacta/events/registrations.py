"""Registration: members in one click, guests by email, capacity, waiting list.

Seats: every change that can take or free a seat first locks the event row
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the view runs the whole change in a
`BEGIN IMMEDIATE` transaction, see `begin_seat_transaction`), then counts the confirmed
registrations. So confirmed registrations never exceed the capacity, whatever the number
of app processes, and a freed seat goes to the first on the waiting list.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from interacta.core.models import utcnow
from interacta.events.models import CalendarToken, Event, Registration
from interacta.extensions import db

logger = logging.getLogger(__name__)

ACTIVE = ("pending", "confirmed", "waiting")


class RegistrationError(Exception):
    """A registration rule was broken; the message is meant for the person registering."""

    status_code = 409


class RegistrationClosed(RegistrationError):
    pass


class NotAllowed(RegistrationError):
    status_code = 403


class CapacityTooLow(RegistrationError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def new_token() -> str:
    return secrets.token_urlsafe(32)


# --- transactions and locks --------------------------------------------------------------


def begin_seat_transaction() -> None:
    """End the request's read transaction and open one that may take seats.

    On SQLite this is `BEGIN IMMEDIATE` (the write lock is taken up front, so two
    processes cannot both read "one seat left"); on PostgreSQL a plain transaction, in
    which `lock_event` takes the row lock.
    """
    db.session.commit()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def lock_event(event_id: int) -> Event:
    """The event, its row locked until the end of the transaction (PostgreSQL)."""
    event = db.session.scalar(
        sa.select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise RegistrationError("This event no longer exists.")
    return event


# --- counts ------------------------------------------------------------------------------


def confirmed_counts(event_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations per event, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        sa.select(Registration.event_id, sa.func.count())
        .where(Registration.event_id.in_(event_ids), Registration.status == "confirmed")
        .group_by(Registration.event_id)
    )
    return {event_id: n for event_id, n in rows}


def status_counts(event_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(("pending", "confirmed", "waiting", "cancelled"), 0)
    counts.update({status: n for status, n in rows})
    return counts


def confirmed_count(event_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == "confirmed")
    )


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if registration.status != "waiting":
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == "waiting",
            sa.or_(
                Registration.waiting_since < registration.waiting_since,
                sa.and_(
                    Registration.waiting_since == registration.waiting_since,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def active_registrants(event: Event) -> list[Registration]:
    """Everyone holding or waiting for a seat (pending guests have not confirmed yet)."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status.in_(("confirmed", "waiting")),
            )
            .options(joinedload(Registration.member))
            .order_by(Registration.id)
        )
    )


def find_active(event_id: int, email: str) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event_id,
            Registration.active_key == normalise_email(email),
        )
    )


def is_confirmed(event: Event, member) -> bool:
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    return bool(
        db.session.scalar(
            sa.select(Registration.id).where(
                Registration.event_id == event.id,
                Registration.member_id == member.id,
                Registration.status == "confirmed",
            )
        )
    )


# --- rules -------------------------------------------------------------------------------


def closes_at(event: Event) -> datetime:
    return event.registration_closes_at or event.starts_at


def check_open(event: Event, now: datetime | None = None) -> None:
    """Raise RegistrationClosed with a clear message unless registration is open now."""
    from interacta.core.timezones import format_local

    now = now or utcnow()
    if event.status == "cancelled":
        raise RegistrationClosed("This event is cancelled.")
    if event.status != "published":
        raise RegistrationClosed("This event is not open for registration.")
    if event.ends_at <= now:
        raise RegistrationClosed("This event has already taken place.")
    if event.registration_opens_at and now < event.registration_opens_at:
        when = format_local(event.registration_opens_at, event.timezone)
        raise RegistrationClosed(f"Registration opens on {when}.")
    if now >= closes_at(event):
        raise RegistrationClosed("Registration for this event is closed.")


def _take_seat_or_wait(event: Event, registration: Registration) -> None:
    """With the event locked: confirm if a seat is free, else join the waiting list."""
    now = utcnow()
    if event.capacity is None or confirmed_count(event.id) < event.capacity:
        registration.status = "confirmed"
        registration.confirmed_at = now
        registration.waiting_since = None
    else:
        registration.status = "waiting"
        registration.waiting_since = now
    db.session.flush()


def register_member(event_id: int, member) -> tuple[Registration, bool]:
    """Register a signed-in member; returns (registration, created).

    An existing active registration is returned as it is (created=False).
    """
    event = lock_event(event_id)
    existing = find_active(event.id, member.email)
    if existing:
        return existing, False
    check_open(event)
    if member.email_verified_at is None:
        raise NotAllowed("Please verify your email address before registering.")
    registration = Registration(
        event_id=event.id,
        member_id=member.id,
        email=normalise_email(member.email),
        active_key=normalise_email(member.email),
        name=member.name,
        token=new_token(),
        status="pending",
    )
    db.session.add(registration)
    db.session.flush()
    _take_seat_or_wait(event, registration)
    from interacta.events import notifications

    notifications.registration_result(registration)
    return registration, True


def register_guest(
    event_id: int, *, name: str, email: str, affiliation: str = "", note: str = ""
) -> tuple[Registration, bool]:
    """Record a guest's registration, pending until they confirm from the mail.

    Registering again with the same email mails the existing registration's link instead
    (never a duplicate, and nothing tells a stranger whether that email is registered).
    """
    from interacta.events import notifications

    event = lock_event(event_id)
    check_open(event)
    if event.audience != "all":
        raise NotAllowed("This event is for members only. Please sign in or join the network.")
    key = normalise_email(email)
    existing = find_active(event.id, key)
    if existing:
        notifications.existing_registration(existing)
        return existing, False
    registration = Registration(
        event_id=event.id,
        email=key,
        active_key=key,
        name=name.strip(),
        affiliation=(affiliation or "").strip() or None,
        note=(note or "").strip() or None,
        token=new_token(),
        status="pending",
    )
    db.session.add(registration)
    db.session.flush()
    notifications.confirm_request(registration)
    return registration, True


def confirm_guest(registration: Registration) -> Registration:
    """Double opt-in: the guest confirmed from the mail; now the seat is assigned."""
    if registration.status != "pending":
        return registration
    event = lock_event(registration.event_id)
    check_open(event)
    _take_seat_or_wait(event, registration)
    from interacta.events import notifications

    notifications.registration_result(registration)
    return registration


def cancel_registration(registration: Registration, *, notify: bool = True) -> Registration:
    """Cancel (or leave the waiting list); a freed seat goes to the first waiting."""
    if not registration.is_active:
        return registration
    event = lock_event(registration.event_id)
    was_confirmed = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    registration.active_key = None
    db.session.flush()
    if notify:
        from interacta.events import notifications

        notifications.cancellation_receipt(registration)
    if was_confirmed:
        promote_waiting(event)
    return registration


def promote_waiting(event: Event) -> list[Registration]:
    """With the event locked: give free seats to the first on the waiting list, and mail them."""
    from interacta.events import notifications

    if event.status != "published" or event.ends_at <= utcnow():
        return []
    promoted = []
    free = None if event.capacity is None else event.capacity - confirmed_count(event.id)
    query = (
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == "waiting")
        .order_by(Registration.waiting_since, Registration.id)
    )
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    for registration in db.session.scalars(query):
        registration.status = "confirmed"
        registration.confirmed_at = utcnow()
        registration.waiting_since = None
        promoted.append(registration)
    db.session.flush()
    for registration in promoted:
        notifications.promoted(registration)
    return promoted


def set_capacity(event_id: int, capacity: int | None) -> Event:
    """Raise or lower the capacity, never below the confirmed count; raising promotes."""
    event = lock_event(event_id)
    confirmed = confirmed_count(event.id)
    if capacity is not None and capacity < max(confirmed, 1):
        raise CapacityTooLow(
            f"The capacity cannot be lower than the {confirmed} confirmed participants."
        )
    event.capacity = capacity
    db.session.flush()
    promote_waiting(event)
    return event


def mark_attended(registration: Registration, attended: bool) -> None:
    if registration.status != "confirmed":
        raise RegistrationError("Only confirmed participants can be checked in.")
    registration.attended_at = utcnow() if attended else None
    db.session.flush()


# --- reminders and privacy ---------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Mail confirmed participants of events starting within a day; each only once."""
    from interacta.events import notifications

    now = now or utcnow()
    candidates = list(
        db.session.scalars(
            sa.select(Registration.id)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.status == "confirmed",
                Registration.reminder_sent_at.is_(None),
                Event.status == "published",
                Event.starts_at > now,
                Event.starts_at <= now + timedelta(days=1),
            )
            .order_by(Registration.id)
        )
    )
    sent = 0
    for registration_id in candidates:
        # Claimed by a conditional UPDATE: two cron runs at once never both send.
        claimed = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration_id, Registration.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        registration = db.session.get(Registration, registration_id)
        db.session.refresh(registration)
        notifications.reminder(registration)
        db.session.commit()
        sent += 1
    return sent


def _anonymise(registration: Registration) -> None:
    registration.email = None
    registration.active_key = None
    registration.name = None
    registration.affiliation = None
    registration.note = None
    registration.member_id = None
    registration.token = f"anon-{new_token()}"
    registration.anonymised_at = utcnow()


def purge_guests(now: datetime | None = None) -> int:
    """Erase guests' personal data a configured time after their event; counts remain."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["GUEST_DATA_RETENTION_DAYS"])
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.member_id.is_(None),
                Registration.anonymised_at.is_(None),
                Event.ends_at < cutoff,
            )
        )
    )
    for registration in registrations:
        _anonymise(registration)
    db.session.flush()
    return len(registrations)


def export_member(member) -> list[dict]:
    """A member's registrations, for their data export."""
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.member_id == member.id)
        .options(joinedload(Registration.event))
        .order_by(Registration.created_at)
    )
    return [
        {
            "event": r.event.title,
            "event_url": f"/events/{r.event.slug}",
            "event_starts_at": r.event.starts_at.isoformat(),
            "status": r.status,
            "email": r.email,
            "name": r.name,
            "affiliation": r.affiliation,
            "note": r.note,
            "registered_at": r.created_at.isoformat(),
            "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
            "attended_at": r.attended_at.isoformat() if r.attended_at else None,
        }
        for r in rows
    ]


def erase_member(member) -> None:
    """Cancel the member's upcoming registrations (freeing seats) and anonymise past ones."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.member_id == member.id)
            .options(joinedload(Registration.event))
        )
    )
    for registration in rows:
        if registration.is_active and registration.event.ends_at > now:
            cancel_registration(registration, notify=False)
        _anonymise(registration)
    db.session.execute(sa.delete(CalendarToken).where(CalendarToken.member_id == member.id))
    db.session.flush()


# --- members' own registrations and feed -------------------------------------------------


def member_registrations(member) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.member_id == member.id)
            .options(joinedload(Registration.event))
            .order_by(Registration.id.desc())
        )
    )


def calendar_token(member, renew: bool = False) -> str:
    """The member's private feed token, created on first use; `renew` replaces it."""
    row = db.session.get(CalendarToken, member.id)
    if row is None:
        row = CalendarToken(member_id=member.id, token=new_token())
        db.session.add(row)
    elif renew:
        row.token = new_token()
        row.created_at = utcnow()
    db.session.flush()
    return row.token


def feed_events(token: str) -> list[Event] | None:
    """The events a feed token's member is confirmed or waiting for; None if unknown."""
    row = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.token == token))
    if row is None:
        return None
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Registration.member_id == row.member_id,
                Registration.status.in_(("confirmed", "waiting")),
                Event.status.in_(("published", "cancelled")),
            )
            .order_by(Event.starts_at)
        )
    )


# --- the event page's registration box ---------------------------------------------------


def page_context(event: Event, member) -> dict | None:
    """What the registration box on the event page shows."""
    if event.status == "draft":
        return None
    signed_in = member is not None and getattr(member, "is_authenticated", False)
    existing = None
    if signed_in and member.email:
        existing = find_active(event.id, member.email)
    try:
        check_open(event)
        closed_message = None
    except RegistrationClosed as exc:
        closed_message = str(exc)
    return {
        "existing": existing,
        "position": waiting_position(existing) if existing else None,
        "closed_message": closed_message,
        "signed_in": signed_in,
        "guests_allowed": event.audience == "all",
    }
