"""Mails about events and registrations, queued in the outbox with the organizer as Reply-To.

Times are given in the event's zone and, for members, in their own zone too.
"""

from __future__ import annotations

import logging

from interacta.core.mail import queue_mail
from interacta.core.timezones import format_local
from interacta.core.urls import external_url
from interacta.events import ics
from interacta.events.models import Event, Registration

logger = logging.getLogger(__name__)

FMT = "%A %d %B %Y, %H:%M"


def _when(event: Event, registration: Registration | None) -> list[str]:
    lines = [
        f"{format_local(event.starts_at, event.timezone, FMT)} to "
        f"{format_local(event.ends_at, event.timezone, FMT)} ({event.timezone})"
    ]
    member = registration.member if registration is not None else None
    zone = getattr(member, "timezone", None)
    if zone and zone != event.timezone:
        lines.append(
            f"Your time: {format_local(event.starts_at, zone, FMT)} to "
            f"{format_local(event.ends_at, zone, FMT)} ({zone})"
        )
    return lines


def _reply_to(event: Event) -> str | None:
    organizer = event.organizer
    return organizer.email if organizer is not None and organizer.email else None


def _send(
    registration: Registration,
    subject: str,
    template: str,
    ics_file: bool = False,
    position: int | None = None,
    **ctx,
):
    event = registration.event
    attachments = []
    if ics_file:
        body = ics.calendar_bytes([event], with_online_link=registration.status == "confirmed")
        attachments.append((f"{event.slug}.ics", "text/calendar", body))
    return queue_mail(
        registration.email,
        f"{subject}: {event.title}",
        f"events/mail/{template}",
        reply_to=_reply_to(event),
        attachments=attachments,
        registration=registration,
        event=event,
        when=_when(event, registration),
        manage_url=external_url("events.registration_status", token=registration.token),
        event_url=external_url("events.detail", slug=event.slug),
        position=position,
        **ctx,
    )


def confirm_request(registration: Registration) -> None:
    _send(registration, "Please confirm your registration", "confirm_request")


def existing_registration(registration: Registration, position: int | None = None) -> None:
    _send(registration, "Your registration", "existing", position=position)


def registration_result(registration: Registration, position: int | None = None) -> None:
    """ "You are registered", or "you are on the waiting list" at `position`."""
    if registration.status == "confirmed":
        _send(registration, "You are registered", "confirmed", ics_file=True)
    elif registration.status == "waiting":
        _send(registration, "You are on the waiting list", "waiting", position=position)


def promoted(registration: Registration) -> None:
    _send(registration, "A seat is free for you", "promoted", ics_file=True)


def cancellation_receipt(registration: Registration) -> None:
    if registration.email:
        _send(registration, "Registration cancelled", "cancelled")


def reminder(registration: Registration) -> None:
    _send(registration, "Tomorrow", "reminder", ics_file=True)


def organizer_message(registration: Registration, subject: str, body: str) -> None:
    _send(registration, subject, "organizer_message", body=body)


def event_changed(
    registrants: list[Registration],
    what: str,
    changes: list[str],
    positions: dict[int, int] | None = None,
) -> int:
    """Tell each registrant given (confirmed or waiting) of a change or a cancellation."""
    positions = positions or {}
    sent = 0
    for registration in registrants:
        if not registration.email:
            continue
        position = positions.get(registration.id)
        if what == "cancelled":
            _send(registration, "Event cancelled", "event_cancelled", ics_file=True,
                  position=position)  # fmt: skip
        else:
            _send(registration, "Change of time or place", "event_changed", ics_file=True,
                  position=position, changes=changes)  # fmt: skip
        sent += 1
    return sent
