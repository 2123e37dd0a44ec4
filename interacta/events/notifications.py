"""Mails about events and registrations, queued in the outbox with the organizer as Reply-To.

Each mail is written in its recipient's language: a member's account language, or the
language of the page a guest registered on (`Registration.language`). Subject, body,
dates, links and the attached calendar file are all made inside `force_locale`. Times are
given in the event's zone and, for members, in their own zone too.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from interacta.core.i18n import force_locale, normalize_language
from interacta.core.mail import queue_mail
from interacta.core.timezones import format_local
from interacta.core.urls import external_url
from interacta.events import attendance, ics
from interacta.events.models import Event, Registration

logger = logging.getLogger(__name__)


def recipient_language(registration: Registration) -> str:
    """A member's account language; a guest's, the page they registered on."""
    member = registration.member
    if member is not None:
        return normalize_language(getattr(member, "language", None))
    return normalize_language(registration.language)


def _when(event: Event, registration: Registration | None) -> list[str]:
    lines = [
        _(
            "%(start)s to %(end)s (%(zone)s)",
            start=format_local(event.starts_at, event.timezone),
            end=format_local(event.ends_at, event.timezone),
            zone=event.timezone,
        )
    ]
    member = registration.member if registration is not None else None
    zone = getattr(member, "timezone", None)
    if zone and zone != event.timezone:
        lines.append(
            _(
                "Your time: %(start)s to %(end)s (%(zone)s)",
                start=format_local(event.starts_at, zone),
                end=format_local(event.ends_at, zone),
                zone=zone,
            )
        )
    return lines


def _reply_to(event: Event) -> str | None:
    organizer = event.organizer
    return organizer.email if organizer is not None and organizer.email else None


def _send(
    registration: Registration,
    subject,
    template: str,
    ics_file: bool = False,
    position: int | None = None,
    language: str | None = None,
    checkin_code: bool = False,
    **ctx,
):
    """Queue one mail in the recipient's language (or `language`). `subject` is a lazy
    string (made in that language here) or, for an organizer's message, text as written.
    `checkin_code`: a confirmed participant's personal check-in link, and its QR code as
    an attached PNG."""
    event = registration.event
    with force_locale(language or recipient_language(registration)):
        attachments = []
        if ics_file:
            body = ics.calendar_bytes([event], with_online_link=registration.status == "confirmed")
            attachments.append((f"{event.slug}.ics", "text/calendar", body))
        if checkin_code and registration.status == "confirmed":
            ctx["checkin_url"] = attendance.checkin_url(registration)
            attachments.append(
                ("check-in-code.png", "image/png", attendance.checkin_qr_png(registration))
            )
        return queue_mail(
            registration.email,
            _("%(subject)s: %(title)s", subject=str(subject), title=event.title),
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
    _send(registration, _l("Please confirm your registration"), "confirm_request")


def existing_registration(
    registration: Registration, position: int | None = None, language: str | None = None
) -> None:
    """To whoever registered again with this email: in the language of the page they used
    (for a member, their account's)."""
    if registration.member is not None:
        language = None
    _send(registration, _l("Your registration"), "existing", position=position, language=language)


def registration_result(registration: Registration, position: int | None = None) -> None:
    """ "You are registered", or "you are on the waiting list" at `position`."""
    if registration.status == "confirmed":
        _send(registration, _l("You are registered"), "confirmed", ics_file=True, checkin_code=True)
    elif registration.status == "waiting":
        _send(registration, _l("You are on the waiting list"), "waiting", position=position)


def promoted(registration: Registration) -> None:
    _send(registration, _l("A seat is free for you"), "promoted", ics_file=True, checkin_code=True)


def cancellation_receipt(registration: Registration) -> None:
    if registration.email:
        _send(registration, _l("Registration cancelled"), "cancelled")


def reminder(registration: Registration) -> None:
    _send(registration, _l("Tomorrow"), "reminder", ics_file=True)


def organizer_message(registration: Registration, subject: str, body: str) -> None:
    """The organizer's subject and text go as written; only the frame is translated."""
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
            _send(registration, _l("Event cancelled"), "event_cancelled", ics_file=True,
                  position=position)  # fmt: skip
        else:
            _send(registration, _l("Change of time or place"), "event_changed", ics_file=True,
                  position=position, changes=changes)  # fmt: skip
        sent += 1
    return sent
