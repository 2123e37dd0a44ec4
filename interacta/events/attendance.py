"""Attendance per agenda session: the rules of check-in, the personal check-in link, and
the CSV import. Certificates (interacta.credentials) read attendance through this module.

Services take plain values, flush, and raise the events' domain errors; views commit.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from interacta.core.mail import QrCodePng
from interacta.core.models import utcnow
from interacta.core.text import normalize_email
from interacta.core.urls import external_url
from interacta.events.errors import EventError, EventGone, RegistrationError
from interacta.events.models import AgendaSession, Event, Registration, SessionAttendance
from interacta.extensions import db

logger = logging.getLogger(__name__)

#: Its own salt: a check-in token is worth nothing as any other signed value of the app.
CHECKIN_SALT = "interacta.events.checkin"
#: Largest attendance CSV accepted (bytes), and its most rows.
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 5000

_YES = {"1", "yes", "y", "true", "present", "x", "oui", "ja", "da"}
_NO = {"0", "no", "n", "false", "absent", "", "non", "nein", "ne"}


# --- sessions ----------------------------------------------------------------------------


def sessions_of(event: Event) -> list[AgendaSession]:
    """The event's agenda sessions in time order."""
    return list(
        db.session.scalars(
            sa.select(AgendaSession)
            .where(AgendaSession.event_id == event.id)
            .order_by(AgendaSession.starts_at, AgendaSession.id)
        )
    )


def session_of(event: Event, session_id: int | None) -> AgendaSession:
    """The agenda session `session_id` of `event` (404 for any other)."""
    session = db.session.get(AgendaSession, session_id) if session_id else None
    if session is None or session.event_id != event.id:
        raise EventGone(_("There is no such session."))
    return session


def current_session(event: Event, now: datetime | None = None) -> AgendaSession | None:
    """The session under way; else the next one to start; else the last one; None without
    an agenda."""
    now = now or utcnow()
    sessions = sessions_of(event)
    for session in sessions:
        if session.starts_at <= now < session.ends_at:
            return session
    upcoming = [s for s in sessions if s.starts_at > now]
    if upcoming:
        return upcoming[0]
    return sessions[-1] if sessions else None


# --- marking -----------------------------------------------------------------------------


def _participant(event: Event, registration_id: int | None) -> Registration:
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        raise EventGone(_("There is no such participant."))
    if registration.status != "confirmed":
        raise RegistrationError(_("Only confirmed participants can be checked in."))
    return registration


def mark(
    event: Event,
    registration_id: int | None,
    session: AgendaSession,
    present: bool,
    by_member_id: int | None = None,
) -> SessionAttendance:
    """Mark a confirmed participant of `event` present at `session` (or undo it).

    The registration's `attended_at` (attendance of the event) follows: set at the first
    session attended, cleared when no session is marked present any more.
    """
    if session.event_id != event.id:
        raise EventGone(_("There is no such session."))
    registration = _participant(event, registration_id)
    row = db.session.scalar(
        sa.select(SessionAttendance).where(
            SessionAttendance.registration_id == registration.id,
            SessionAttendance.session_id == session.id,
        )
    )
    now = utcnow()
    if row is None:
        row = SessionAttendance(registration_id=registration.id, session_id=session.id)
        db.session.add(row)
    if row.is_present != present or row.id is None:
        row.is_present = present
        row.marked_at = now
        row.marked_by_id = by_member_id
    db.session.flush()
    if present and registration.attended_at is None:
        registration.attended_at = now
    elif not present and not present_sessions(registration.id):
        registration.attended_at = None
    db.session.flush()
    return row


def present_ids(session: AgendaSession) -> set[int]:
    """The registrations marked present at `session`."""
    return set(
        db.session.scalars(
            sa.select(SessionAttendance.registration_id).where(
                SessionAttendance.session_id == session.id, SessionAttendance.is_present
            )
        )
    )


def present_sessions(registration_id: int) -> list[int]:
    """The sessions a registration was marked present at."""
    return list(
        db.session.scalars(
            sa.select(SessionAttendance.session_id).where(
                SessionAttendance.registration_id == registration_id,
                SessionAttendance.is_present,
            )
        )
    )


def attended_sessions_by_registration(event: Event) -> dict[int, set[int]]:
    """For each registration of `event` present at any session: the sessions' ids."""
    rows = db.session.execute(
        sa.select(SessionAttendance.registration_id, SessionAttendance.session_id)
        .join(AgendaSession, AgendaSession.id == SessionAttendance.session_id)
        .where(AgendaSession.event_id == event.id, SessionAttendance.is_present)
    )
    result: dict[int, set[int]] = {}
    for registration_id, session_id in rows:
        result.setdefault(registration_id, set()).add(session_id)
    return result


def attendance_of_registrations(registration_ids: list[int]) -> list[dict]:
    """The sessions attended by these registrations (personal data export)."""
    if not registration_ids:
        return []
    rows = db.session.execute(
        sa.select(SessionAttendance, AgendaSession)
        .join(AgendaSession, AgendaSession.id == SessionAttendance.session_id)
        .where(SessionAttendance.registration_id.in_(registration_ids))
        .order_by(AgendaSession.starts_at)
    )
    return [
        {
            "registration_id": attendance.registration_id,
            "session": session.title,
            "session_starts_at": session.starts_at.isoformat(),
            "present": attendance.is_present,
            "marked_at": attendance.marked_at.isoformat(),
        }
        for attendance, session in rows
    ]


# --- the personal check-in link ----------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CHECKIN_SALT)


def checkin_token(registration: Registration) -> str:
    """The signed token of a participant's personal check-in link (their QR code)."""
    return _serializer().dumps({"r": registration.id, "e": registration.event_id})


def registration_from_token(token: str) -> Registration:
    """The confirmed registration a check-in token names (404 for anything else)."""
    try:
        data = _serializer().loads(token)
        registration_id, event_id = int(data["r"]), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise EventGone(_("Unknown check-in code.")) from None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        raise EventGone(_("Unknown check-in code."))
    if registration.status != "confirmed":
        raise EventGone(_("Unknown check-in code."))
    return registration


# --- CSV import --------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an attendance upload did, row by row."""

    marked: int = 0
    unmarked: int = 0
    #: (line number, message) of each row that was skipped.
    errors: list[tuple[int, str]] = field(default_factory=list)


def _find_session(sessions: list[AgendaSession], value: str) -> AgendaSession | None:
    value = value.strip()
    if value.isdigit():
        by_id = [s for s in sessions if s.id == int(value)]
        if by_id:
            return by_id[0]
    matches = [s for s in sessions if s.title.strip().casefold() == value.casefold()]
    return matches[0] if len(matches) == 1 else None


def import_csv(event: Event, data: bytes, by_member_id: int | None = None) -> ImportReport:
    """Mark attendance from a CSV of `email,session,present` rows (session: its id or its
    exact title; present: yes/no, 1/0); a header row is optional. Rows that name no
    confirmed participant or no session of the event are reported, not applied."""
    if len(data) > CSV_MAX_BYTES:
        raise EventError(_("The file is too large."), field="file", status_code=400)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EventError(_("The file is not UTF-8 text."), field="file", status_code=400) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    sessions = sessions_of(event)
    by_email = {
        r.email: r
        for r in db.session.scalars(
            sa.select(Registration).where(
                Registration.event_id == event.id, Registration.status == "confirmed"
            )
        )
        if r.email
    }
    report = ImportReport()
    for line, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if line > CSV_MAX_ROWS:
            report.errors.append((line, _("Too many rows; the rest was not read.")))
            break
        if not row or not any(cell.strip() for cell in row):
            continue
        if line == 1 and row[0].strip().lower() == "email":
            continue
        if len(row) < 3:
            report.errors.append((line, _("Expected three columns: email, session, present.")))
            continue
        email, session_name, present_text = (cell.strip() for cell in row[:3])
        registration = by_email.get(normalize_email(email))
        if registration is None:
            report.errors.append((line, _("No confirmed participant has this email.")))
            continue
        session = _find_session(sessions, session_name)
        if session is None:
            report.errors.append((line, _("No session of this event has this name.")))
            continue
        flag = present_text.lower()
        if flag not in _YES and flag not in _NO:
            report.errors.append((line, _("“Present” must be yes or no.")))
            continue
        present = flag in _YES
        mark(event, registration.id, session, present, by_member_id)
        if present:
            report.marked += 1
        else:
            report.unmarked += 1
    return report


def checkin_url(registration: Registration) -> str:
    """The absolute personal check-in link of a confirmed participant."""
    return external_url("events.checkin_link", token=checkin_token(registration))


def checkin_qr_png(registration: Registration) -> QrCodePng:
    """The participant's check-in link as a PNG QR code (attached to their confirmation
    mail: a mail cannot show our inline SVG everywhere), drawn when the mail is sent."""
    return QrCodePng(checkin_url(registration))


def checkin_qr_svg(registration: Registration) -> Markup:
    """The participant's check-in link as an inline SVG QR code (drawn here: no request to
    anyone else)."""
    code = segno.make(checkin_url(registration), error="m")
    # segno escapes the title; the rest is its own drawing of our URL.
    svg = code.svg_inline(scale=3, border=2, dark="#111", svgclass="qr", title=_("Check-in code"))
    return Markup(svg)  # noqa: S704  # nosec B704
