"""Views of registration: register, status page, my events, organizer participant tools.

Parse, call a service, render. Seats change inside `registrations.seat_change`, which
commits; a broken rule (a `DomainError`) becomes a form error, a flash or the error page
with its status.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from interacta.core.auth import login_required, organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.i18n import current_language
from interacta.core.models import utcnow
from interacta.core.text import csv_safe as _csv_safe
from interacta.events import attendance, balance, bp, ics, participants, registrations, services
from interacta.events.forms import (
    AttendanceImportForm,
    CapacityForm,
    GuestRegistrationForm,
    ListingForm,
    MessageForm,
    ReservationsForm,
)
from interacta.events.models import AgendaSession, Event, Registration
from interacta.events.views import _managed_event, _visible_event
from interacta.extensions import db, limiter


def _guest_key() -> str:
    return f"guest-register:{request.remote_addr}"


# --- registering -------------------------------------------------------------------------


@bp.route("/<slug>/register", methods=["GET", "POST"])
@limiter.limit(
    "10/hour",
    methods=["POST"],
    key_func=_guest_key,
    exempt_when=lambda: current_user.is_authenticated,
)
def register(slug: str):
    if current_user.is_authenticated:
        # A member's one click needs the event alone, not what its page shows.
        event = services.event_by_slug(slug)
        if event is None or event.status == "draft" or not services.is_visible(event, current_user):
            abort(404)
        if request.method == "GET":
            return redirect(url_for("events.detail", slug=slug))
        return _register_member(event)
    event = _visible_event(slug)
    if event.status == "draft":
        abort(404)
    form = GuestRegistrationForm()
    closed = registrations.guest_closed_reason(event)
    if closed:
        status = 409 if request.method == "POST" else 200
        return render_template(
            "events/register.html", event=event, form=None, closed=closed
        ), status
    if form.validate_on_submit():
        if form.website.data:  # a bot filled the honeypot: pretend, save nothing
            return render_template("events/register_sent.html", event=event, email=form.email.data)
        try:
            registrations.register_guest(
                event.id,
                name=form.name.data,
                email=form.email.data,
                affiliation=form.affiliation.data,
                note=form.note.data,
                listed=form.listed.data,
                sector=form.sector.data or None,
                language=current_language(),
            )
        except DomainError as exc:
            if exc.field == "sector":
                form.sector.errors = [*form.sector.errors, exc.message]
                return render_template(
                    "events/register.html", event=event, form=form, closed=None
                ), 400
            return render_template(
                "events/register.html", event=event, form=None, closed=exc.message
            ), exc.status_code
        return render_template("events/register_sent.html", event=event, email=form.email.data)
    status = 400 if request.method == "POST" else 200
    return render_template("events/register.html", event=event, form=form, closed=None), status


def _register_member(event: Event):
    slug = event.slug
    try:
        registration, created = registrations.register_member(
            event.id,
            current_user._get_current_object(),
            listed=request.form.get("listed") == "y",
            language=current_language(),
        )
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("events.detail", slug=slug))
    except sa.exc.IntegrityError:  # the same member, twice at once: keep the first
        flash(_("You are already registered for this event."), "info")
        return redirect(url_for("events.detail", slug=slug))
    # What the seat change decided, kept from under the lock (the committed row is not
    # read again for it).
    decided = registration.decided
    if not created:
        flash(_("You are already registered for this event."), "info")
    elif decided.status == "confirmed":
        flash(_("You are registered. A confirmation is on its way to your inbox."), "success")
    else:
        position = decided.position
        flash(
            _(
                "The event is full: you are number %(position)s on the waiting list.",
                position=position,
            ),
            "info",
        )
    return redirect(url_for("events.detail", slug=slug))


# --- a registration's own page (guests' link from the mail; members too) -----------------


def _registration(token: str) -> Registration:
    registration = registrations.by_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.get("/registration/<token>")
def registration_status(token: str):
    context = registrations.status_page(_registration(token))
    if context["registration"].status == "confirmed":
        context["checkin_code"] = attendance.checkin_qr_svg(context["registration"])
    return render_template("events/registration.html", **context)


@bp.post("/registration/<token>/confirm")
def registration_confirm(token: str):
    # A rule broken (members only, closed...): the error page with its status.
    registration = registrations.confirm_guest(_registration(token))
    if registration.status == "confirmed":
        flash(_("Your registration is confirmed. See you there!"), "success")
    else:
        flash(_("The event is full: you are on the waiting list."), "info")
    return redirect(url_for("events.registration_status", token=token))


@bp.post("/registration/<token>/listing")
def registration_listing(token: str):
    registration = _registration(token)
    if not registration.is_active:
        abort(404)
    form = ListingForm()
    if not form.validate_on_submit():
        abort(400)
    participants.set_listed(registration, form.listed.data)
    db.session.commit()
    if registration.is_listed:
        flash(_("You appear on the participant list."), "success")
    else:
        flash(_("You do not appear on the participant list."), "success")
    return redirect(url_for("events.registration_status", token=token))


@bp.get("/<slug>/participants")
def participants_list(slug: str):
    event = _visible_event(slug)
    member = current_user if current_user.is_authenticated else None
    if not participants.can_see(event, member):
        abort(404)
    return render_template("events/participants.html", event=event, rows=participants.rows(event))


@bp.post("/registration/<token>/cancel")
def registration_cancel(token: str):
    was = registrations.cancel_registration(_registration(token))
    flash(
        _("You left the waiting list.")
        if was == "waiting"
        else _("Your registration is cancelled."),
        "success",
    )
    if current_user.is_authenticated and request.form.get("next") == "my":
        return redirect(url_for("events.my"))
    return redirect(url_for("events.registration_status", token=token))


# --- members' own events and private feed ------------------------------------------------


@bp.get("/my")
@login_required
def my():
    rows = registrations.member_registrations(current_user)
    now = utcnow()
    upcoming = [r for r in rows if r.event.ends_at > now]
    upcoming.sort(key=lambda r: r.event.starts_at)
    past = [r for r in rows if r.event.ends_at <= now]
    token = registrations.calendar_token(current_user)
    db.session.commit()
    positions = {r.id: registrations.waiting_position(r) for r in upcoming if r.status == "waiting"}
    return render_template(
        "events/my.html",
        checkin_codes={
            r.id: attendance.checkin_qr_svg(r) for r in upcoming if r.status == "confirmed"
        },
        upcoming=upcoming,
        past=past,
        positions=positions,
        feed_url=url_for("events.my_feed", token=token, _external=True),
    )


@bp.post("/my/feed/renew")
@login_required
def my_feed_renew():
    registrations.calendar_token(current_user, renew=True)
    db.session.commit()
    flash(_("Your calendar address is renewed; the old one no longer works."), "success")
    return redirect(url_for("events.my"))


@bp.get("/my/<token>.ics")
def my_feed(token: str):
    events = registrations.feed_events(token)
    if events is None:
        abort(404)
    # The same VEVENT texts as the public feed's.
    body = ics.feed_bytes(events, name=_("My Interacta events"), in_table=True)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- organizer: participants, CSV, check-in, message, capacity ---------------------------


@bp.get("/manage/<int:event_id>/participants")
@organizer_required
def manage_participants(event_id: int):
    event = _managed_event(event_id)
    status = request.args.get("status") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    rows, positions = registrations.participants(event, status, q)
    return render_template(
        "events/manage/participants.html",
        event=event,
        rows=rows,
        counts=registrations.status_counts(event.id),
        positions=positions,
        status=status,
        q=q,
        capacity_form=CapacityForm(capacity=event.capacity),
        chart=registrations.registrations_chart(event),
        reservations_form=_reservations_form(event),
        balance_states=balance.states(event) if balance.has_reservations(event) else None,
    )


def _reservations_form(event: Event) -> ReservationsForm:
    groups = [{"name": g.name, "sectors": g.sectors, "seats": g.seats} for g in event.sector_groups]
    groups += [{}] * max(0, 3 - len(groups))
    release = services.utc_to_local_naive(event.reservations_release_at, event.timezone)
    return ReservationsForm(formdata=None, data={"groups": groups, "release_at": release})


@bp.post("/manage/<int:event_id>/reservations")
@organizer_required
def manage_reservations(event_id: int):
    event = _managed_event(event_id)
    back = url_for("events.manage_participants", event_id=event.id)
    form = ReservationsForm()
    if not form.validate():
        flash(_("Check the reserved seats: each needs a number of at least 1."), "error")
        return redirect(back)
    groups = [
        balance.GroupInput(row.form.name.data.strip(), row.form.sectors.data or [],
                           row.form.seats.data or 0)
        for row in form.groups
        if (row.form.name.data or "").strip()
    ]  # fmt: skip
    release = None
    if form.release_at.data:
        try:
            release = services.local_to_utc(form.release_at.data, event.timezone)
        except services.NonexistentLocalTime as exc:
            flash(str(exc), "error")
            return redirect(back)
    try:
        registrations.set_reservations(event.id, groups, release)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(back)
    flash(_("Reserved seats saved."), "success")
    return redirect(back)


@bp.get("/manage/<int:event_id>/participants.csv")
@organizer_required
def manage_participants_csv(event_id: int):
    event = _managed_event(event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    # The header row in the page's language; the data stays as stored (status codes, yes/no).
    writer.writerow(
        [_("Name"), _("Email"), _("Affiliation"), _("Needs"), _("Status"),
         _("Waiting position"), _("Member"), _("Registered at (UTC)"), _("Attended"),
         _("Sector"), _("Sector group")]
    )  # fmt: skip
    rows, positions = registrations.participants(event)
    for r in rows:
        writer.writerow(
            [
                _csv_safe(r.name),
                _csv_safe(r.email),
                _csv_safe(r.affiliation),
                _csv_safe(r.note),
                r.status,
                positions.get(r.id, ""),
                "yes" if r.member_id else "no",
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                "yes" if r.attended_at else "",
                r.sector or "",
                _csv_safe(balance.group_name(event, r.sector)),
            ]
        )
    # A byte-order mark so spreadsheet programs read the UTF-8 correctly.
    body = "\ufeff" + out.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-participants.csv"'
    )
    return response


@bp.route("/manage/<int:event_id>/checkin", methods=["GET", "POST"])
@organizer_required
def manage_checkin(event_id: int):
    event = _managed_event(event_id)
    if request.method == "POST":
        # Not a confirmed participant of this event: the error page with its status.
        registration_id = request.form.get("registration", type=int)
        attended = request.form.get("attended") == "1"
        session_id = request.form.get("session", type=int)
        if session_id:  # one agenda session (interacta.events.attendance)
            session = attendance.session_of(event, session_id)
            attendance.mark(event, registration_id, session, attended, current_user.id)
        else:
            registrations.mark_attended(event, registration_id, attended)
        db.session.commit()
        return redirect(
            url_for(
                "events.manage_checkin",
                event_id=event.id,
                q=request.args.get("q"),
                session=session_id or None,
            )
            + f"#r{registration_id}"
        )
    q = (request.args.get("q") or "").strip()[:100] or None
    rows, _positions = registrations.participants(event, "confirmed", q)
    sessions = attendance.sessions_of(event)
    session = _picked_session(event, sessions)
    present_ids = (
        attendance.present_ids(session) if session else {r.id for r in rows if r.attended_at}
    )
    return render_template(
        "events/manage/checkin.html",
        event=event,
        rows=rows,
        q=q,
        present=sum(1 for r in rows if r.id in present_ids),
        present_ids=present_ids,
        sessions=sessions,
        agenda_session=session,
    )


def _picked_session(event: Event, sessions: list) -> AgendaSession | None:
    """The session of `?session=`: an id, "0" for the event as a whole, or by default the
    session under way (or next) when the event has an agenda."""
    picked = request.args.get("session", type=int)
    if picked == 0 or not sessions:
        return None
    if picked is None:
        return attendance.current_session(event)
    return attendance.session_of(event, picked)


@bp.route("/manage/<int:event_id>/checkin/import", methods=["GET", "POST"])
@organizer_required
def manage_attendance_import(event_id: int):
    event = _managed_event(event_id)
    form = AttendanceImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = attendance.import_csv(event, form.file.data.read(), current_user.id)
        except DomainError as exc:
            db.session.rollback()
            attach_to_form(form, exc)
            return render_template(
                "events/manage/attendance_import.html", event=event, form=form, report=None
            ), exc.status_code
        db.session.commit()
    return render_template(
        "events/manage/attendance_import.html",
        event=event,
        form=form,
        report=report,
        sessions=attendance.sessions_of(event),
    )


# --- a participant's personal check-in link (their QR code) ------------------------------


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@login_required
def checkin_link(token: str):
    # Anyone but an organizer of the event learns nothing, not even whether it exists.
    try:
        registration = attendance.registration_from_token(token)
    except DomainError:
        abort(404)
    event = registration.event
    if not services.can_manage(current_user, event):
        abort(404)
    sessions = attendance.sessions_of(event)
    chosen = request.values.get("session", type=int)
    session = attendance.session_of(event, chosen) if chosen else attendance.current_session(event)
    done = False
    if request.method == "POST":
        if session is not None:
            attendance.mark(event, registration.id, session, True, current_user.id)
        else:
            registrations.mark_attended(event, registration.id, True)
        db.session.commit()
        done = True
    return render_template(
        "events/checkin_link.html",
        event=event,
        registration=registration,
        sessions=sessions,
        agenda_session=session,
        token=token,
        done=done,
        present=(
            registration.id in attendance.present_ids(session)
            if session
            else registration.attended_at is not None
        ),
    )


@bp.route("/manage/<int:event_id>/message", methods=["GET", "POST"])
@organizer_required
def manage_message(event_id: int):
    event = _managed_event(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        sent = registrations.message_confirmed(event, form.subject.data, form.body.data)
        db.session.commit()
        flash(
            ngettext(
                "Your message was sent to %(num)d confirmed participant.",
                "Your message was sent to %(num)d confirmed participants.",
                sent,
            ),
            "success",
        )
        return redirect(url_for("events.manage_participants", event_id=event.id))
    status = 400 if request.method == "POST" else 200
    count = registrations.status_counts(event.id)["confirmed"]
    return render_template(
        "events/manage/message.html", event=event, form=form, count=count
    ), status


@bp.post("/manage/<int:event_id>/capacity")
@organizer_required
def manage_capacity(event_id: int):
    event = _managed_event(event_id)
    form = CapacityForm()
    if not form.validate():
        flash(" ".join(form.capacity.errors), "error")
        return redirect(url_for("events.manage_participants", event_id=event.id))
    event_id = event.id
    try:
        updated = registrations.set_capacity(event_id, form.capacity.data)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("events.manage_participants", event_id=event_id))
    if updated.capacity:
        flash(_("Capacity set to %(capacity)d.", capacity=updated.capacity), "success")
    else:
        flash(_("Capacity set to unlimited."), "success")
    return redirect(url_for("events.manage_participants", event_id=event_id))
