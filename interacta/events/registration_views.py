"""Views of registration: register, status page, my events, organizer participant tools."""

from __future__ import annotations

import csv
import functools
import io
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from interacta.core.models import utcnow
from interacta.events import bp, ics, notifications, registrations
from interacta.events.forms import CapacityForm, GuestRegistrationForm, MessageForm
from interacta.events.models import Event, Registration
from interacta.events.views import _managed_event, _visible_event, organizer_required
from interacta.extensions import db, limiter


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            if "members.login" in current_app.view_functions:
                return current_app.login_manager.unauthorized()
            abort(403, "Please sign in to see this page.")
        return view(*args, **kwargs)

    return wrapped


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
    event = _visible_event(slug)
    if event.status == "draft":
        abort(404)
    if current_user.is_authenticated:
        if request.method == "GET":
            return redirect(url_for("events.detail", slug=slug))
        return _register_member(event)
    form = GuestRegistrationForm()
    closed = None
    try:
        registrations.check_open(event)
        if event.audience != "all":
            closed = "This event is for members only. Please sign in or join the network."
    except registrations.RegistrationClosed as exc:
        closed = str(exc)
    if closed:
        status = 409 if request.method == "POST" else 200
        return render_template(
            "events/register.html", event=event, form=None, closed=closed
        ), status
    if form.validate_on_submit():
        if form.website.data:  # a bot filled the honeypot: pretend, save nothing
            return render_template("events/register_sent.html", event=event, email=form.email.data)
        event_id = event.id
        registrations.begin_seat_transaction()
        try:
            registrations.register_guest(
                event_id,
                name=form.name.data,
                email=form.email.data,
                affiliation=form.affiliation.data,
                note=form.note.data,
            )
        except registrations.RegistrationError as exc:
            db.session.rollback()
            return render_template(
                "events/register.html", event=event, form=None, closed=str(exc)
            ), exc.status_code
        db.session.commit()
        return render_template("events/register_sent.html", event=event, email=form.email.data)
    status = 400 if request.method == "POST" else 200
    return render_template("events/register.html", event=event, form=form, closed=None), status


def _register_member(event: Event):
    slug, event_id = event.slug, event.id
    member_id = current_user.id
    registrations.begin_seat_transaction()
    from interacta.members.models import Member

    member = db.session.get(Member, member_id)
    try:
        registration, created = registrations.register_member(event_id, member)
    except registrations.RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("events.detail", slug=slug))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same member, twice at once: keep the first
        db.session.rollback()
        flash("You are already registered for this event.", "info")
        return redirect(url_for("events.detail", slug=slug))
    if not created:
        flash("You are already registered for this event.", "info")
    elif registration.status == "confirmed":
        flash("You are registered. A confirmation is on its way to your inbox.", "success")
    else:
        position = registrations.waiting_position(registration)
        flash(f"The event is full: you are number {position} on the waiting list.", "info")
    return redirect(url_for("events.detail", slug=slug))


# --- a registration's own page (guests' link from the mail; members too) -----------------


def _registration(token: str) -> Registration:
    registration = db.session.scalar(
        sa.select(Registration)
        .where(Registration.token == token, Registration.anonymised_at.is_(None))
        .options(sa.orm.joinedload(Registration.event))
    )
    if registration is None:
        abort(404)
    return registration


@bp.get("/registration/<token>")
def registration_status(token: str):
    registration = _registration(token)
    event = registration.event
    return render_template(
        "events/registration.html",
        registration=registration,
        event=event,
        position=registrations.waiting_position(registration),
        show_online_link=registration.status == "confirmed",
    )


@bp.post("/registration/<token>/confirm")
def registration_confirm(token: str):
    registration_id = _registration(token).id
    registrations.begin_seat_transaction()
    registration = db.session.get(Registration, registration_id)
    try:
        registrations.confirm_guest(registration)
    except registrations.RegistrationError as exc:
        db.session.rollback()
        abort(exc.status_code, str(exc))
    db.session.commit()
    if registration.status == "confirmed":
        flash("Your registration is confirmed. See you there!", "success")
    else:
        flash("The event is full: you are on the waiting list.", "info")
    return redirect(url_for("events.registration_status", token=token))


@bp.post("/registration/<token>/cancel")
def registration_cancel(token: str):
    registration = _registration(token)
    registration_id, was_waiting = registration.id, registration.status == "waiting"
    registrations.begin_seat_transaction()
    registrations.cancel_registration(db.session.get(Registration, registration_id))
    db.session.commit()
    flash(
        "You left the waiting list." if was_waiting else "Your registration is cancelled.",
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
    flash("Your calendar address is renewed; the old one no longer works.", "success")
    return redirect(url_for("events.my"))


@bp.get("/my/<token>.ics")
def my_feed(token: str):
    events = registrations.feed_events(token)
    if events is None:
        abort(404)
    body = ics.calendar_bytes(events, name="My Interacta events", with_online_link=False)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- organizer: participants, CSV, check-in, message, capacity ---------------------------


def _participants_query(event: Event, status: str | None, q: str | None):
    query = sa.select(Registration).where(Registration.event_id == event.id)
    if status in registrations.ACTIVE or status == "cancelled":
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
        Registration.waiting_since,
        Registration.id,
    )


def _chart(event: Event) -> dict:
    """Cumulative registrations per day (an SVG polyline's points)."""
    rows = list(
        db.session.execute(
            sa.select(Registration.created_at).where(Registration.event_id == event.id)
        ).scalars()
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


@bp.get("/manage/<int:event_id>/participants")
@organizer_required
def manage_participants(event_id: int):
    event = _managed_event(event_id)
    status = request.args.get("status") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    rows = list(db.session.scalars(_participants_query(event, status, q)))
    waiting_ids = [r.id for r in db.session.scalars(_participants_query(event, "waiting", None))]
    positions = {rid: i + 1 for i, rid in enumerate(waiting_ids)}
    return render_template(
        "events/manage/participants.html",
        event=event,
        rows=rows,
        counts=registrations.status_counts(event.id),
        positions=positions,
        status=status,
        q=q,
        capacity_form=CapacityForm(capacity=event.capacity),
        chart=_chart(event),
    )


@bp.get("/manage/<int:event_id>/participants.csv")
@organizer_required
def manage_participants_csv(event_id: int):
    event = _managed_event(event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Name", "Email", "Affiliation", "Needs", "Status", "Waiting position",
         "Member", "Registered at (UTC)", "Attended"]
    )  # fmt: skip
    position = 0
    for r in db.session.scalars(_participants_query(event, None, None)):
        if r.status == "waiting":
            position += 1
        writer.writerow(
            [
                _csv_safe(r.name),
                _csv_safe(r.email),
                _csv_safe(r.affiliation),
                _csv_safe(r.note),
                r.status,
                position if r.status == "waiting" else "",
                "yes" if r.member_id else "no",
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                "yes" if r.attended_at else "",
            ]
        )
    # A byte-order mark so spreadsheet programs read the UTF-8 correctly.
    body = "\ufeff" + out.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-participants.csv"'
    )
    return response


def _csv_safe(value: str | None) -> str:
    """Text that a spreadsheet will not run as a formula."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@bp.route("/manage/<int:event_id>/checkin", methods=["GET", "POST"])
@organizer_required
def manage_checkin(event_id: int):
    event = _managed_event(event_id)
    if request.method == "POST":
        registration = db.get_or_404(Registration, request.form.get("registration", type=int))
        if registration.event_id != event.id:
            abort(404)
        try:
            registrations.mark_attended(registration, request.form.get("attended") == "1")
        except registrations.RegistrationError as exc:
            abort(409, str(exc))
        db.session.commit()
        return redirect(
            url_for("events.manage_checkin", event_id=event.id, q=request.args.get("q"))
            + f"#r{registration.id}"
        )
    q = (request.args.get("q") or "").strip()[:100] or None
    rows = list(db.session.scalars(_participants_query(event, "confirmed", q)))
    present = sum(1 for r in rows if r.attended_at)
    return render_template(
        "events/manage/checkin.html", event=event, rows=rows, q=q, present=present
    )


@bp.route("/manage/<int:event_id>/message", methods=["GET", "POST"])
@organizer_required
def manage_message(event_id: int):
    event = _managed_event(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        confirmed = list(
            db.session.scalars(
                sa.select(Registration).where(
                    Registration.event_id == event.id, Registration.status == "confirmed"
                )
            )
        )
        for registration in confirmed:
            if registration.email:
                notifications.organizer_message(registration, form.subject.data, form.body.data)
        db.session.commit()
        flash(f"Your message was sent to {len(confirmed)} confirmed participants.", "success")
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
    registrations.begin_seat_transaction()
    try:
        updated = registrations.set_capacity(event_id, form.capacity.data)
    except registrations.RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("events.manage_participants", event_id=event_id))
    db.session.commit()
    flash(
        f"Capacity set to {updated.capacity or 'unlimited'}.",
        "success",
    )
    return redirect(url_for("events.manage_participants", event_id=event_id))
