"""Registration: members in one click, guests by email, capacity, waiting list.

Seats: every change that takes or frees a seat, confirms, cancels, leaves the waiting list,
promotes or changes the capacity runs inside `seat_change(event_id)`. It opens the
transaction (`BEGIN IMMEDIATE` on SQLite), locks the event row (`SELECT ... FOR UPDATE`
on PostgreSQL) and only then loads, afresh, the event and the registrations it changes;
the seat functions raise `SeatLockMissing` when called outside it. So confirmed
registrations never exceed the capacity, whatever the number of app processes, no
decision is taken from a read made before the lock, and a freed seat goes to the first
on the waiting list (in the one order `waiting_list` defines).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import joinedload, lazyload

from interacta.core.i18n import current_language, normalize_language
from interacta.core.mail import render_committed
from interacta.core.models import utcnow
from interacta.core.text import normalize_email
from interacta.core.timezones import format_local
from interacta.events import balance, notifications
from interacta.events.errors import (
    CapacityTooLow,
    EventError,
    EventGone,
    NotAllowed,
    RegistrationClosed,
    RegistrationError,
)
from interacta.events.models import CalendarToken, Decided, Event, Registration
from interacta.extensions import db

logger = logging.getLogger(__name__)

__all__ = [
    "CapacityTooLow",
    "EventError",
    "NotAllowed",
    "RegistrationClosed",
    "RegistrationError",
    "SeatLockMissing",
    "seat_change",
]

ACTIVE = ("pending", "confirmed", "waiting")
MEMBERS_ONLY = _l("This event is for members only. Please sign in or join the network.")


def new_token() -> str:
    return secrets.token_urlsafe(32)


# --- the seat lock -----------------------------------------------------------------------


class SeatLockMissing(RuntimeError):
    """A seat function was called outside `seat_change` for its event (a programming error)."""


_SEAT_KEY = "interacta.events.seat_change"


class SeatChange:
    """The event locked for a change of seats; what `seat_change` yields."""

    def __init__(self, event: Event):
        self.event = event

    def registration(self, registration_id: int) -> Registration:
        """The registration as it is now (read after the lock), or EventGone."""
        registration = db.session.scalar(
            sa.select(Registration)
            .where(Registration.id == registration_id, Registration.event_id == self.event.id)
            .execution_options(populate_existing=True)
        )
        if registration is None:
            raise EventGone(_("This registration no longer exists."))
        return registration


def current_seat_change(event_id: int) -> SeatChange:
    """The open seat change of `event_id`; SeatLockMissing if there is none."""
    change = db.session.info.get(_SEAT_KEY)
    if change is None or change.event.id != event_id:
        raise SeatLockMissing(
            f"seats of event {event_id} may only change inside seat_change({event_id})"
        )
    return change


@contextmanager
def seat_change(event_id: int, *, join: bool = False) -> Iterator[SeatChange]:
    """Lock event `event_id` for a change of seats; yields a `SeatChange`.

    By default the seat change is its own transaction: what the session did before is
    committed (this ends a request's read transaction), a new transaction begins
    (`BEGIN IMMEDIATE` on SQLite), the event row is locked (`FOR UPDATE`) and loaded
    afresh; on leaving, the transaction commits (rolls back on an exception).
    `join=True` locks inside the caller's transaction and leaves the commit to it
    (erasing a member: one transaction for every provider). Inside an open seat change of
    the same event, a nested one joins it; of another event, it raises (one event at a
    time, so two changes never wait on each other's locks).

    The mail a change writes is rendered after the commit that releases the lock (in a
    short transaction of its own; `interacta.core.mail.defer_mail`), never while holding it.
    """
    session = db.session()  # the Session itself (its expire_on_commit is set below)
    open_change = session.info.get(_SEAT_KEY)
    if open_change is not None:
        if open_change.event.id != event_id:
            raise SeatLockMissing("one seat change at a time: another event is locked")
        yield open_change
        return
    if join:
        session.flush()
        if session.get_bind().dialect.name == "sqlite":
            # Take SQLite's write lock now, so what follows reads the latest data.
            session.execute(
                sa.text("UPDATE events SET id = id WHERE id = :id"),
                {"id": event_id},
            )
        session.expire_all()
    else:
        session.commit()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    # Its translations are not loaded with it (a seat change reads none; an access would
    # load them) and its sector groups are (every seat decision reads them): the fewer
    # statements while the lock is held, the better.
    event = (
        session.execute(
            sa.select(Event)
            .where(Event.id == event_id)
            .options(lazyload(Event.translations), joinedload(Event.sector_groups))
            .with_for_update(of=Event)
            .execution_options(populate_existing=True)
        )
        .unique()
        .scalar_one_or_none()
    )
    if event is None:
        if not join:
            session.rollback()
        raise EventGone(_("This event no longer exists."))
    change = SeatChange(event)
    session.info[_SEAT_KEY] = change
    expire_on_commit = session.expire_on_commit
    try:
        yield change
        session.flush()
        if not join:
            # What the change loaded is kept (not expired) for the mail rendered next:
            # it shows what the lock saw, as when it was rendered inside it.
            session.expire_on_commit = False
            session.commit()
    except BaseException:
        if not join:
            session.rollback()
        raise
    finally:
        session.expire_on_commit = expire_on_commit
        session.info.pop(_SEAT_KEY, None)
    if not join:
        try:
            render_committed()
        finally:
            session.expire_all()  # from here on, read afresh, as after any commit


# --- counts and the waiting-list order ---------------------------------------------------

#: The waiting-list order: first to wait, first served (ties by id). Only `waiting_list`
#: and `waiting_position` read it.
_WAITING_ORDER = (Registration.waiting_since, Registration.id)


def waiting_list(event_id: int, sectors: list[str] | None = None) -> sa.Select:
    """The event's waiting list, first in line first: the one place that owns the order.
    With `sectors`: only the registrants of those sectors (a sector group's list)."""
    query = (
        sa.select(Registration)
        .where(Registration.event_id == event_id, Registration.status == "waiting")
        .order_by(*_WAITING_ORDER)
    )
    if sectors is not None:
        query = query.where(Registration.sector.in_(sectors))
    return query


def waiting_positions(event_id: int) -> dict[int, int]:
    """Position (1 = next to get a seat) by registration id, for the whole waiting list."""
    ids = db.session.scalars(waiting_list(event_id).with_only_columns(Registration.id))
    return {registration_id: n for n, registration_id in enumerate(ids, start=1)}


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if registration.status != "waiting":
        return None
    ranked = (
        waiting_list(registration.event_id)
        .with_only_columns(
            Registration.id, sa.func.row_number().over(order_by=_WAITING_ORDER).label("n")
        )
        .order_by(None)
        .subquery()
    )
    return db.session.scalar(sa.select(ranked.c.n).where(ranked.c.id == registration.id))


def confirmed_counts(event_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations per event, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(_confirmed_counts_statement(), {"event_ids": event_ids})
    return {event_id: n for event_id, n in rows}


@functools.cache
def _confirmed_counts_statement() -> sa.Select:
    """Built once with its cache key (every event page and list asks): the ids are bound
    when it runs."""
    return (
        sa.select(Registration.event_id, sa.func.count())
        .where(
            Registration.event_id.in_(sa.bindparam("event_ids", expanding=True)),
            Registration.status == "confirmed",
        )
        .group_by(Registration.event_id)
    )


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
            Registration.active_key == normalize_email(email),
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


def by_token(token: str) -> Registration | None:
    """A registration by its private token (never an anonymised one), with its event."""
    return db.session.scalar(
        sa.select(Registration)
        .where(Registration.token == token, Registration.anonymised_at.is_(None))
        .options(joinedload(Registration.event))
    )


# --- rules -------------------------------------------------------------------------------


def closes_at(event: Event) -> datetime:
    return event.registration_closes_at or event.starts_at


def check_open(event: Event, now: datetime | None = None) -> None:
    """Raise RegistrationClosed with a clear message unless registration is open now."""
    now = now or utcnow()
    if event.status == "cancelled":
        raise RegistrationClosed(_("This event is cancelled."))
    if event.status != "published":
        raise RegistrationClosed(_("This event is not open for registration."))
    if event.ends_at <= now:
        raise RegistrationClosed(_("This event has already taken place."))
    if event.registration_opens_at and now < event.registration_opens_at:
        when = format_local(event.registration_opens_at, event.timezone)
        raise RegistrationClosed(_("Registration opens on %(when)s.", when=when))
    if now >= closes_at(event):
        raise RegistrationClosed(_("Registration for this event is closed."))


def check_open_to_guests(event: Event, now: datetime | None = None) -> None:
    """check_open, and the event must be open to all (not members only)."""
    check_open(event, now)
    if event.audience != "all":
        raise NotAllowed(str(MEMBERS_ONLY))


def guest_closed_reason(event: Event) -> str | None:
    """Why a guest cannot register (or confirm) now; None when they can."""
    try:
        check_open_to_guests(event)
    except EventError as exc:
        return exc.message
    return None


def _take_seat_or_wait(event: Event, registration: Registration) -> None:
    """With the event locked: confirm if a seat is free, else join the waiting list."""
    current_seat_change(event.id)
    now = utcnow()
    if event.capacity is None or balance.fits(
        event, balance.confirmed_counts(event), registration.sector, now
    ):
        registration.status = "confirmed"
        registration.confirmed_at = now
        registration.waiting_since = None
    else:
        registration.status = "waiting"
        registration.waiting_since = now
    db.session.flush()


def _tell_result(registration: Registration) -> None:
    """Mail the seat decision, and keep it on the object (`Registration.decided`) for the
    page that answers: after the commit the row would have to be read again to tell it."""
    position = waiting_position(registration)
    registration.decided = Decided(registration.status, position)
    notifications.registration_result(registration, position=position)


# --- changes of seats (each inside seat_change) ------------------------------------------


def register_member(
    event_id: int, member, *, listed: bool = False, language: str | None = None
) -> tuple[Registration, bool]:
    """Register a signed-in member; returns (registration, created). `listed`: they agree
    to appear on the participant list (the sector is taken from the profile).

    An existing active registration is returned as it is (created=False). The page's
    `language` is recorded; a member's mails follow their account language.
    """
    # Read before the lock (the commit that opens it would expire the member): the lock
    # is held only for the seat decision and the rows that record it.
    email, verified = normalize_email(member.email), member.email_verified_at is not None
    registration = Registration(
        event_id=event_id,
        member_id=member.id,
        email=email,
        active_key=email,
        name=member.name,
        language=normalize_language(language or current_language()),
        token=new_token(),
        status="pending",
        is_listed=bool(listed),
        sector=getattr(member, "sector", None),
    )
    with seat_change(event_id) as seats:
        event = seats.event
        existing = find_active(event.id, email)
        if existing:
            return existing, False
        check_open(event)
        if not verified:
            raise NotAllowed(_("Please verify your email address before registering."))
        # The seat is decided before the row is written (a pending registration takes
        # none): one INSERT with its status, not an INSERT and an UPDATE.
        _take_seat_or_wait(event, registration)
        db.session.add(registration)
        db.session.flush()
        _tell_result(registration)
    return registration, True


def register_guest(
    event_id: int,
    *,
    name: str,
    email: str,
    affiliation: str = "",
    note: str = "",
    listed: bool = False,
    sector: str | None = None,
    language: str | None = None,
) -> tuple[Registration, bool]:
    """Record a guest's registration, pending until they confirm from the mail.

    Registering again with the same email mails the existing registration's link instead
    (never a duplicate, and nothing tells a stranger whether that email is registered).
    `language` (default: the current page's) is the language of every mail the guest gets.
    """
    language = normalize_language(language or current_language())
    with seat_change(event_id) as seats:
        event = seats.event
        check_open_to_guests(event)
        key = normalize_email(email)
        existing = find_active(event.id, key)
        if existing:
            notifications.existing_registration(
                existing, position=waiting_position(existing), language=language
            )
            return existing, False
        if balance.has_reservations(event) and not sector:
            raise RegistrationError(
                _("Give your sector: this event reserves seats per sector."), field="sector"
            )
        registration = Registration(
            event_id=event.id,
            email=key,
            active_key=key,
            name=name.strip(),
            affiliation=(affiliation or "").strip() or None,
            note=(note or "").strip() or None,
            language=language,
            token=new_token(),
            status="pending",
            is_listed=bool(listed),
            sector=sector or None,
        )
        db.session.add(registration)
        db.session.flush()
        notifications.confirm_request(registration)
    return registration, True


def confirm_guest(registration: Registration) -> Registration:
    """Double opt-in: the guest confirmed from the mail; now the seat is assigned.

    The registration is read again under the lock (a second click finds it confirmed),
    and every rule of registering is checked again: a guest cannot confirm once the
    event is members only, cancelled, closed or past.
    """
    registration_id, event_id = registration.id, registration.event_id
    with seat_change(event_id) as seats:
        registration = seats.registration(registration_id)
        if registration.status != "pending":
            return registration
        if registration.member_id is None:
            check_open_to_guests(seats.event)
        else:
            check_open(seats.event)
        _take_seat_or_wait(seats.event, registration)
        _tell_result(registration)
    return registration


def cancel_registration(registration: Registration, *, notify: bool = True) -> str | None:
    """Cancel (or leave the waiting list); a freed seat goes to the first waiting.

    Returns the status the registration had (read under the lock), None if it was no
    longer active.
    """
    registration_id, event_id = registration.id, registration.event_id
    with seat_change(event_id) as seats:
        return _cancel(seats, seats.registration(registration_id), notify=notify)


def _cancel(seats: SeatChange, registration: Registration, *, notify: bool) -> str | None:
    current_seat_change(registration.event_id)
    if not registration.is_active:
        return None
    was = registration.status
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    registration.active_key = None
    db.session.flush()
    if notify:
        notifications.cancellation_receipt(registration)
    if was == "confirmed":
        promote_waiting(seats.event)
    return was


def promote_waiting(event: Event) -> list[Registration]:
    """With the event locked: give free seats to the first on the waiting list, and mail them."""
    current_seat_change(event.id)
    if event.status != "published" or event.ends_at <= utcnow():
        return []
    if not balance.is_released(event):
        promoted = _promote_by_group(event)
    else:
        free = None if event.capacity is None else event.capacity - confirmed_count(event.id)
        query = waiting_list(event.id).execution_options(populate_existing=True)
        if free is not None:
            if free <= 0:
                return []
            query = query.limit(free)
        promoted = list(db.session.scalars(query))
    for registration in promoted:
        registration.status = "confirmed"
        registration.confirmed_at = utcnow()
        registration.waiting_since = None
    db.session.flush()
    for registration in promoted:
        notifications.promoted(registration)
    return promoted


def _promote_by_group(event: Event) -> list[Registration]:
    """Before the release date: each group's free seats to the first waiting of that group,
    then the free open seats to the first waiting overall."""
    counts = balance.confirmed_counts(event)
    chosen: list[Registration] = []
    for index, free in balance.free_group_seats(event, counts):
        free = min(free, event.capacity - sum(counts.values()))
        if free <= 0:
            break
        query = waiting_list(event.id, balance.group_sectors(event, index))
        for registration in db.session.scalars(
            query.limit(free).execution_options(populate_existing=True)
        ):
            chosen.append(registration)
            balance.add(event, counts, registration.sector)
    taken = {r.id for r in chosen}
    for registration in db.session.scalars(
        waiting_list(event.id).execution_options(populate_existing=True)
    ):
        if registration.id in taken:
            continue
        if sum(counts.values()) >= event.capacity:
            break
        if balance.fits(event, counts, registration.sector):
            chosen.append(registration)
            balance.add(event, counts, registration.sector)
    return chosen


def set_reservations(
    event_id: int, groups: list[balance.GroupInput], release_at: datetime | None
) -> Event:
    """Reserve seats per sector group (replacing any), then give freed seats away."""
    with seat_change(event_id) as seats:
        balance.set_reservations(seats.event, groups, release_at)
        promote_waiting(seats.event)
    return seats.event


def release_reserved_seats(now: datetime) -> str:
    """Periodic: once an event's release date has passed, give the unused reserved seats
    to its waiting list (idempotent: a promotion happens once)."""
    event_ids = list(
        db.session.scalars(
            sa.select(Event.id)
            .where(
                Event.status == "published",
                Event.ends_at > now,
                Event.reservations_release_at <= now,
                sa.exists().where(
                    Registration.event_id == Event.id, Registration.status == "waiting"
                ),
            )
            .order_by(Event.id)
        )
    )
    promoted = 0
    for event_id in event_ids:
        with seat_change(event_id) as seats:
            promoted += len(promote_waiting(seats.event))
    db.session.commit()
    return f"{promoted} waiting registrants given released seats"


def check_capacity(event: Event, capacity: int | None) -> None:
    """With the event locked: CapacityTooLow if `capacity` is below the confirmed count."""
    current_seat_change(event.id)
    if capacity is None:
        return
    confirmed = confirmed_count(event.id)
    if capacity < max(confirmed, 1):
        raise CapacityTooLow(
            ngettext(
                "The capacity cannot be lower than the %(num)d confirmed participant.",
                "The capacity cannot be lower than the %(num)d confirmed participants.",
                confirmed,
            )
        )


def set_capacity(event_id: int, capacity: int | None) -> Event:
    """Raise or lower the capacity, never below the confirmed count; raising promotes."""
    with seat_change(event_id) as seats:
        check_capacity(seats.event, capacity)
        seats.event.capacity = capacity
        db.session.flush()
        promote_waiting(seats.event)
    return seats.event


def mark_attended(event: Event, registration_id: int | None, attended: bool) -> Registration:
    """Check a confirmed participant of `event` in (or out)."""
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        raise EventGone(_("There is no such participant."))
    if registration.status != "confirmed":
        raise RegistrationError(_("Only confirmed participants can be checked in."))
    registration.attended_at = utcnow() if attended else None
    db.session.flush()
    return registration


# --- reminders and privacy ---------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Mail confirmed participants of events starting within a day; each only once."""
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
    registration.is_listed = False  # the sector stays: balance counts remain, no name
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
            "sector": r.sector,
            "on_participant_list": r.is_listed,
            "registered_at": r.created_at.isoformat(),
            "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
            "attended_at": r.attended_at.isoformat() if r.attended_at else None,
        }
        for r in rows
    ]


def erase_member(member) -> None:
    """Cancel the member's upcoming registrations (freeing seats) and anonymise them all.

    Runs in the erasure's own transaction: each event's seats change under its lock
    (`seat_change(join=True)`), events in id order.
    """
    member_id, now = member.id, utcnow()
    upcoming = db.session.execute(
        sa.select(Registration.id, Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.member_id == member_id,
            Registration.status.in_(ACTIVE),
            Event.ends_at > now,
        )
        .order_by(Registration.event_id, Registration.id)
    ).all()
    for registration_id, event_id in upcoming:
        with seat_change(event_id, join=True) as seats:
            _cancel(seats, seats.registration(registration_id), notify=False)
    for registration in db.session.scalars(
        sa.select(Registration).where(Registration.member_id == member_id)
    ):
        _anonymise(registration)
    db.session.execute(sa.delete(CalendarToken).where(CalendarToken.member_id == member_id))
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


# --- what pages show ---------------------------------------------------------------------


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


def status_page(registration: Registration) -> dict:
    """What a registration's own page shows (its position; the online link once confirmed;
    for a pending registration that can no longer be confirmed, why)."""
    refused = None
    if registration.status == "pending":
        if registration.member_id is None:
            refused = guest_closed_reason(registration.event)
        else:
            try:
                check_open(registration.event)
            except EventError as exc:
                refused = exc.message
    return {
        "registration": registration,
        "event": registration.event,
        "position": waiting_position(registration),
        "show_online_link": registration.status == "confirmed",
        "confirm_refused": refused,
    }


def participants_query(event: Event, status: str | None = None, q: str | None = None):
    """An event's registrations for the organizer: confirmed, then the waiting list in its
    order, then pending and cancelled; filtered by status and by a search text."""
    query = sa.select(Registration).where(Registration.event_id == event.id)
    if status in ACTIVE or status == "cancelled":
        query = query.where(Registration.status == status)
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(
            sa.or_(
                Registration.name.ilike(pattern),
                Registration.email.ilike(pattern),
                Registration.affiliation.ilike(pattern),
            )
        )
    return query.order_by(
        sa.case({"confirmed": 0, "waiting": 1, "pending": 2}, value=Registration.status, else_=3),
        *_WAITING_ORDER,
    )


def participants(event: Event, status: str | None = None, q: str | None = None):
    """(rows, waiting positions by id) for the participants page and the CSV."""
    return list(db.session.scalars(participants_query(event, status, q))), waiting_positions(
        event.id
    )


def registrations_chart(event: Event) -> dict:
    """Cumulative registrations per day (an SVG polyline's points)."""
    rows = list(
        db.session.scalars(
            sa.select(Registration.created_at).where(Registration.event_id == event.id)
        )
    )
    if not rows:
        return {"points": "", "total": 0, "days": []}
    days: dict = {}
    for created in rows:
        day = created.date()
        days[day] = days.get(day, 0) + 1
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    total, running, series = len(rows), 0, []
    day = first
    while day <= last:
        running += days.get(day, 0)
        series.append((day, running))
        day += timedelta(days=1)
    width, height = 600, 200
    points = " ".join(
        f"{40 + (d - first).days * (width - 60) / span:.1f},"
        f"{height - 30 - n * (height - 50) / total:.1f}"
        for d, n in series
    )
    return {"points": points, "total": total, "first": first, "last": last, "days": series}


def message_confirmed(event: Event, subject: str, body: str) -> int:
    """Mail the organizer's message to every confirmed participant; returns how many."""
    confirmed = list(
        db.session.scalars(
            sa.select(Registration).where(
                Registration.event_id == event.id, Registration.status == "confirmed"
            )
        )
    )
    for registration in confirmed:
        if registration.email:
            notifications.organizer_message(registration, subject, body)
    return len(confirmed)
