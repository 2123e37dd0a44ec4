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
from interacta.core.mail import MailSpec, defer_mail, queue_mail, register_renderer
from interacta.core.timezones import format_local
from interacta.core.urls import external_url
from interacta.events import attendance, ics
from interacta.events.models import REGISTRATION_STATUS_LABELS, Event, Registration
from interacta.extensions import db

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


def _compose(
    registration: Registration,
    subject,
    template: str,
    ics_file: bool = False,
    position: int | None = None,
    language: str | None = None,
    checkin_code: bool = False,
    **ctx,
) -> MailSpec:
    """One mail in the recipient's language (or `language`). `subject` is a lazy string
    (made in that language here) or, for an organizer's message, text as written.
    `checkin_code`: a confirmed participant's personal check-in link, and its QR code as
    an attached PNG."""
    event = registration.event
    language = language or recipient_language(registration)
    with force_locale(language):
        attachments = []
        if ics_file:
            body = ics.calendar_bytes([event], with_online_link=registration.status == "confirmed")
            attachments.append((f"{event.slug}.ics", "text/calendar", body))
        if checkin_code and registration.status == "confirmed":
            ctx["checkin_url"] = attendance.checkin_url(registration)
            attachments.append(
                ("check-in-code.png", "image/png", attendance.checkin_qr_png(registration))
            )
        return MailSpec(
            to=registration.email,
            subject=_("%(subject)s: %(title)s", subject=str(subject), title=event.title),
            template=f"events/mail/{template}",
            language=language,
            reply_to=_reply_to(event),
            attachments=attachments,
            context={
                "registration": registration,
                "event": event,
                "when": _when(event, registration),
                "manage_url": external_url("events.registration_status", token=registration.token),
                "event_url": external_url("events.detail", slug=event.slug),
                "position": position,
                **ctx,
            },
        )


def _send(registration: Registration, subject, template: str, **kwargs):
    """Queue one mail (rendered now): see `_compose`."""
    spec = _compose(registration, subject, template, **kwargs)
    with force_locale(spec.language):
        return queue_mail(
            spec.to,
            spec.subject,
            spec.template,
            reply_to=spec.reply_to,
            attachments=spec.attachments,
            **spec.context,
        )


# --- the mails of seat changes: written inside the seat lock, rendered after it ----------

RENDERER = "events.registration"

#: The mails a seat change writes, by kind: (subject, template, calendar file attached,
#: check-in code attached).
SEAT_MAILS = {
    "confirmed": (_l("You are registered"), "confirmed", True, True),
    "waiting": (_l("You are on the waiting list"), "waiting", False, False),
    "promoted": (_l("A seat is free for you"), "promoted", True, True),
    "confirm_request": (_l("Please confirm your registration"), "confirm_request", False, False),
    "existing": (_l("Your registration"), "existing", False, False),
    "cancelled": (_l("Registration cancelled"), "cancelled", False, False),
    # The event's own changes, told to each registrant (`event_changed`).
    "event_changed": (_l("Change of time or place"), "event_changed", True, False),
    "event_cancelled": (_l("Event cancelled"), "event_cancelled", True, False),
}


def _defer(
    registration: Registration,
    kind: str,
    position: int | None = None,
    language: str | None = None,
    changes: list[str] | None = None,
) -> None:
    """Write the mail of `kind` in the seat change's transaction, rendered after its commit
    (`render_seat_mail`): the row records the registration, its status and `position` as
    decided now (and, for an event's change, which fields changed), so the mail tells what
    was decided whenever it is rendered."""
    extra = {"changes": list(changes)} if changes is not None else {}
    defer_mail(
        registration.email,
        RENDERER,
        kind=kind,
        registration_id=registration.id,
        status=registration.status,
        position=position,
        language=language,
        **extra,
    )


class _AsDecided:
    """A registration as its mail tells it: with the status decided when the mail was
    written (it may have moved on before the mail is rendered: promoted, cancelled)."""

    def __init__(self, registration: Registration, status: str):
        self._registration = registration
        self.status = status

    def __getattr__(self, name: str):
        return getattr(self._registration, name)

    @property
    def status_label(self) -> str:
        return str(REGISTRATION_STATUS_LABELS.get(self.status, self.status))


def render_seat_mail(args: dict) -> MailSpec | None:
    """Render a seat change's mail from its `render_args` and the registration as it
    stands; None once the registration is gone or anonymised (no one to write to)."""
    registration = db.session.get(Registration, args["registration_id"])
    if registration is None or not registration.email or registration.anonymised_at:
        return None
    subject, template, ics_file, checkin_code = SEAT_MAILS[args["kind"]]
    if registration.status != args["status"]:
        registration = _AsDecided(registration, args["status"])
    extra = {"changes": args["changes"]} if "changes" in args else {}
    return _compose(
        registration,
        subject,
        template,
        ics_file=ics_file,
        checkin_code=checkin_code,
        position=args.get("position"),
        language=args.get("language"),
        **extra,
    )


register_renderer(RENDERER, render_seat_mail)


def confirm_request(registration: Registration) -> None:
    _defer(registration, "confirm_request")


def existing_registration(
    registration: Registration, position: int | None = None, language: str | None = None
) -> None:
    """To whoever registered again with this email: in the language of the page they used
    (for a member, their account's)."""
    if registration.member is not None:
        language = None
    _defer(registration, "existing", position=position, language=language)


def registration_result(registration: Registration, position: int | None = None) -> None:
    """ "You are registered", or "you are on the waiting list" at `position`."""
    if registration.status in ("confirmed", "waiting"):
        _defer(registration, registration.status, position=position)


def promoted(registration: Registration) -> None:
    _defer(registration, "promoted")


def cancellation_receipt(registration: Registration) -> None:
    if registration.email:
        _defer(registration, "cancelled")


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
    """Tell each registrant given (confirmed or waiting) of a change or a cancellation.

    Written, not rendered (`_defer`): an edit runs under the event's seat lock, and an
    event with hundreds of registrants would hold it while hundreds of mails (each with
    its calendar file) are rendered; they are rendered after the commit, or by the
    delivery worker, each as its registrant stood when the change was made."""
    positions = positions or {}
    sent = 0
    for registration in registrants:
        if not registration.email:
            continue
        position = positions.get(registration.id)
        if what == "cancelled":
            _defer(registration, "event_cancelled", position=position)
        else:
            _defer(registration, "event_changed", position=position, changes=changes)
        sent += 1
    return sent
