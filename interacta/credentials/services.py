"""Certificates: the rule that earns one, issuing (by the scheduled job, the organizer's
button, or by hand with a reason) and revoking. Attendance is read through
interacta.events.attendance; services flush, callers commit."""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from interacta.core.errors import Conflict, DomainError, NotFound
from interacta.core.models import utcnow
from interacta.core.urls import external_url
from interacta.credentials import notifications, openbadges
from interacta.credentials.models import RULES, Certificate, CertificateSettings
from interacta.events import attendance
from interacta.events.models import AgendaSession, Event, Registration, SessionAttendance
from interacta.extensions import db

logger = logging.getLogger(__name__)

DEFAULT_MIN_PERCENT = 80


class CertificateError(DomainError):
    """A rule about certificates was broken; the message is for the organizer."""

    status_code = 400


# --- settings ----------------------------------------------------------------------------


def settings_for(event: Event) -> CertificateSettings:
    """The event's certificate settings (off, attendance rule, until the organizer says)."""
    settings = db.session.get(CertificateSettings, event.id)
    if settings is None:
        settings = CertificateSettings(
            event_id=event.id,
            is_enabled=False,
            rule="completion" if event.kind == "course" else "attendance",
            min_percent=DEFAULT_MIN_PERCENT,
        )
    return settings


def save_settings(event: Event, enabled: bool, rule: str, min_percent: int | None):
    """Turn certificates on or off and set the rule."""
    if rule not in RULES:
        raise CertificateError(_("Choose a rule."), field="rule")
    percent = DEFAULT_MIN_PERCENT if min_percent is None else min_percent
    if not 1 <= percent <= 100:
        raise CertificateError(_("Give a percentage between 1 and 100."), field="min_percent")
    settings = settings_for(event)
    settings.is_enabled, settings.rule, settings.min_percent = enabled, rule, percent
    db.session.add(settings)
    db.session.flush()
    return settings


# --- the rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What a registration earned: the sessions attended, the hours, and whether the
    rule is met."""

    registration: Registration
    sessions_attended: int
    sessions_total: int
    hours: float
    meets_rule: bool


def _hours(sessions: list[AgendaSession]) -> float:
    seconds = sum((s.ends_at - s.starts_at).total_seconds() for s in sessions)
    return round(seconds / 3600, 2)


def meets_completion(attended: int, total: int, min_percent: int) -> bool:
    """At least `min_percent` % of `total` sessions attended (8 of 10 is 80 %)."""
    if total == 0:
        return False
    return attended >= math.ceil(total * min_percent / 100 - 1e-9)


def standings(event: Event, settings: CertificateSettings | None = None) -> list[Standing]:
    """Each confirmed participant's standing against the event's rule."""
    settings = settings or settings_for(event)
    sessions = attendance.sessions_of(event)
    by_id = {s.id: s for s in sessions}
    present = attendance.attended_sessions_by_registration(event)
    event_hours = round((event.ends_at - event.starts_at).total_seconds() / 3600, 2)
    result = []
    for registration in db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .order_by(Registration.name, Registration.id)
    ):
        attended = [by_id[i] for i in present.get(registration.id, ()) if i in by_id]
        if settings.rule == "completion":
            meets = meets_completion(len(attended), len(sessions), settings.min_percent)
        else:
            meets = bool(attended) or registration.attended_at is not None
        hours = _hours(attended) if sessions else (event_hours if meets else 0.0)
        result.append(Standing(registration, len(attended), len(sessions), hours, meets))
    return result


# --- issuing -----------------------------------------------------------------------------


def certificate_of(registration_id: int) -> Certificate | None:
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.registration_id == registration_id)
    )


def _new_serial(now: datetime) -> str:
    return f"IG-{now.year}-{secrets.token_hex(4).upper()}"


def _issue(
    event: Event,
    standing: Standing,
    kind: str,
    now: datetime,
    by_member_id: int | None = None,
    reason: str | None = None,
) -> Certificate | None:
    """One certificate for `standing`'s registration, or None if it already has one (a
    concurrent issuer's insert loses on the unique registration and is rolled back)."""
    registration = standing.registration
    if certificate_of(registration.id) is not None:
        return None
    certificate = Certificate(
        public_id=secrets.token_urlsafe(16),
        serial=_new_serial(now),
        event_id=event.id,
        registration_id=registration.id,
        member_id=registration.member_id,
        kind=kind,
        holder_name=registration.name or "",
        event_title=event.title,
        event_kind=event.kind,
        event_starts_at=event.starts_at,
        event_ends_at=event.ends_at,
        hours=standing.hours,
        sessions_attended=standing.sessions_attended,
        sessions_total=standing.sessions_total,
        issued_at=now,
        issued_by_id=by_member_id,
        manual_reason=reason,
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
            db.session.flush()
    except IntegrityError:
        logger.info("certificate for registration %s issued elsewhere", registration.id)
        return None
    payload = openbadges.build(certificate, registration.email, settings_for(event).min_percent)
    certificate.credential_jwt = openbadges.sign(payload)
    db.session.flush()
    notifications.certificate_issued(certificate, registration)
    return certificate


def issue_for_event(event: Event, now: datetime | None = None) -> list[Certificate]:
    """Issue a certificate to each confirmed participant who meets the rule and has none
    yet; nothing before the event has ended, nothing when certificates are off."""
    now = now or utcnow()
    settings = settings_for(event)
    if not settings.is_enabled:
        raise CertificateError(_("Certificates are not turned on for this event."))
    if event.status != "published" or event.ends_at > now:
        raise CertificateError(_("Certificates are issued once the event has ended."))
    issued = []
    for standing in standings(event, settings):
        if standing.meets_rule:
            certificate = _issue(event, standing, settings.rule, now)
            if certificate is not None:
                issued.append(certificate)
    return issued


def issue_due(now: datetime | None = None) -> list[Certificate]:
    """Issue what is due for every ended event with certificates turned on."""
    now = now or utcnow()
    events = db.session.scalars(
        sa.select(Event)
        .join(CertificateSettings, CertificateSettings.event_id == Event.id)
        .where(
            CertificateSettings.is_enabled,
            Event.status == "published",
            Event.ends_at <= now,
        )
        .order_by(Event.ends_at)
    )
    issued = []
    for event in list(events):
        issued.extend(issue_for_event(event, now))
    return issued


def issue_due_job(now: datetime) -> str:
    """The periodic job (interacta.core.jobs): issue what is due, commit."""
    issued = issue_due(now)
    db.session.commit()
    return f"{len(issued)} certificates issued"


def issue_by_hand(
    event: Event, registration_id: int | None, reason: str, by_member_id: int
) -> Certificate:
    """Issue one certificate to a confirmed participant whatever the rule, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give a reason."), field="reason")
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        raise NotFound(_("There is no such participant."))
    if registration.status != "confirmed":
        raise CertificateError(_("Only confirmed participants can receive a certificate."))
    standing = next((s for s in standings(event) if s.registration.id == registration.id), None)
    certificate = _issue(
        event, standing, settings_for(event).rule, utcnow(), by_member_id, reason[:500]
    )
    if certificate is None:
        raise Conflict(_("This participant already has a certificate."))
    return certificate


def revoke(event: Event, certificate_id: int, reason: str, by_member_id: int) -> Certificate:
    """Revoke a certificate of `event`, with a reason; it then verifies as revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give a reason."), field="reason")
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.event_id != event.id:
        raise NotFound(_("There is no such certificate."))
    if certificate.is_revoked:
        raise Conflict(_("This certificate is already revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:500]
    certificate.revoked_by_id = by_member_id
    db.session.flush()
    return certificate


def certificates_of_event(event: Event) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.event_id == event.id)
            .order_by(Certificate.holder_name, Certificate.id)
        )
    )


# --- personal data -----------------------------------------------------------------------


def export_member(member) -> dict:
    """A member's attendance per session and certificates, for their data export."""
    registration_ids = list(
        db.session.scalars(sa.select(Registration.id).where(Registration.member_id == member.id))
    )
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.member_id == member.id).order_by(Certificate.id)
    )
    return {
        "attendance": attendance.attendance_of_registrations(registration_ids),
        "certificates": [
            {
                "serial": c.serial,
                "public_id": c.public_id,
                "kind": c.kind,
                "holder_name": c.holder_name,
                "event": c.event_title,
                "issued_at": c.issued_at.isoformat(),
                "hours": c.hours,
                "sessions_attended": c.sessions_attended,
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
                "verify_url": verify_url(c),
                # The signed Open Badges 3.0 credential (VC-JWT), for the holder's wallet.
                "credential_jwt": c.credential_jwt,
            }
            for c in certificates
        ],
    }


def erase_member(member) -> None:
    """Unlink the member's certificates from the account (their record page goes); what
    was issued is not revoked and keeps verifying."""
    db.session.execute(
        sa.update(Certificate).where(Certificate.member_id == member.id).values(member_id=None)
    )


# --- verification ------------------------------------------------------------------------


def by_public_id(public_id: str) -> Certificate | None:
    """The certificate with this public id, or None."""
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.public_id == public_id))


def verify_url(certificate: Certificate) -> str:
    """The absolute, language-neutral address of the certificate's verification page."""
    return external_url("credentials.verify", _language="en", public_id=certificate.public_id)


def zone_of(certificate: Certificate) -> str:
    return certificate.event.timezone if certificate.event is not None else "UTC"


# --- the signed credential (Open Badges 3.0) ---------------------------------------------


def signed_credential(certificate: Certificate) -> str:
    """The certificate's signed credential (VC-JWT). Signed at issue; one issued before
    credentials were signed is signed now, once (a conditional UPDATE: of two requests at
    the same moment, the first one's is kept). The caller commits."""
    if certificate.credential_jwt is None:
        registration = certificate.registration
        email = registration.email if registration is not None else None
        min_percent = settings_for(certificate.event).min_percent if certificate.event else None
        token = openbadges.sign(openbadges.build(certificate, email, min_percent))
        db.session.execute(
            sa.update(Certificate)
            .where(Certificate.id == certificate.id, Certificate.credential_jwt.is_(None))
            .values(credential_jwt=token)
        )
        db.session.refresh(certificate, ["credential_jwt"])
    return certificate.credential_jwt


def credential_document(certificate: Certificate) -> dict:
    """The credential as signed (the JWT's payload) and, for a revoked certificate, a
    `revoked` member with date and reason: not part of the signature (a signed document
    cannot change), stated beside it so that the readable form never looks valid."""
    document = openbadges.payload_of(signed_credential(certificate))
    if certificate.is_revoked:
        document["revoked"] = {
            "revokedAt": openbadges.iso(certificate.revoked_at),
            "reason": certificate.revoked_reason,
            "note": "Revoked by the issuer after it was signed; this member is not signed.",
        }
    return document


# --- a member's record -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordLine:
    """One event a member attended (or holds a certificate for)."""

    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    sessions_attended: int
    sessions_total: int
    hours: float
    certificate: Certificate | None


def record_of(member_id: int, now: datetime | None = None) -> list[RecordLine]:
    """The events the member attended, with sessions and hours, and their certificates;
    newest first. Computed from attendance and certificates: nothing of its own is stored."""
    now = now or utcnow()
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.member_id == member_id,
                Registration.status == "confirmed",
                Event.starts_at <= now,
            )
            .options(contains_eager(Registration.event))
        )
    )
    certificates = {
        c.registration_id: c
        for c in db.session.scalars(
            sa.select(Certificate).where(Certificate.member_id == member_id)
        )
    }
    ids = [r.id for r in registrations]
    present: dict[int, list[AgendaSession]] = {}
    if ids:
        for registration_id, session in db.session.execute(
            sa.select(SessionAttendance.registration_id, AgendaSession)
            .join(AgendaSession, AgendaSession.id == SessionAttendance.session_id)
            .where(SessionAttendance.registration_id.in_(ids), SessionAttendance.is_present)
        ):
            present.setdefault(registration_id, []).append(session)
    event_ids = {r.event_id for r in registrations}
    totals = (
        dict(
            db.session.execute(
                sa.select(AgendaSession.event_id, sa.func.count(AgendaSession.id))
                .where(AgendaSession.event_id.in_(event_ids))
                .group_by(AgendaSession.event_id)
            ).all()
        )
        if event_ids
        else {}
    )
    lines = []
    for registration in registrations:
        event = registration.event
        attended = present.get(registration.id, [])
        certificate = certificates.pop(registration.id, None)
        if not attended and registration.attended_at is None and certificate is None:
            continue
        total = totals.get(event.id, 0)
        if attended:
            hours = _hours(attended)
        elif not total and registration.attended_at is not None:
            hours = round((event.ends_at - event.starts_at).total_seconds() / 3600, 2)
        else:
            hours = certificate.hours if certificate is not None else 0.0
        lines.append(
            RecordLine(
                event.title,
                event.kind,
                event.starts_at,
                event.ends_at,
                event.timezone,
                len(attended),
                total,
                hours,
                certificate,
            )  # fmt: skip
        )
    # Certificates whose registration is not listed above (gone, or not yet started).
    for certificate in certificates.values():
        lines.append(
            RecordLine(
                certificate.event_title,
                certificate.event_kind,
                certificate.event_starts_at,
                certificate.event_ends_at,
                zone_of(certificate),
                certificate.sessions_attended,
                certificate.sessions_total,
                certificate.hours,
                certificate,
            )  # fmt: skip
        )
    return sorted(lines, key=lambda line: _aware(line.starts_at), reverse=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
