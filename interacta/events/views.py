"""Views of the events blueprint: thin — load, check access, call a service, commit, render."""

from __future__ import annotations

import functools
from dataclasses import astuple
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from interacta.consent import gate as consent_gate
from interacta.core import content
from interacta.core.auth import organizer_required
from interacta.core.cache import cached_page
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.models import Topic, utcnow
from interacta.core.pagination import page_arg, query_params
from interacta.core.registry import related_models, related_presence, related_sections
from interacta.core.topics import topic_rows
from interacta.events import bp, ics, services
from interacta.events.forms import CancelForm, DuplicateForm, EventForm
from interacta.events.jsonld import event_jsonld
from interacta.events.models import FORMATS, KINDS, Event, Registration
from interacta.extensions import db
from interacta.members.models import Member

PER_PAGE = 10


def _member():
    return current_user if current_user.is_authenticated else None


#: The query parameters of the event lists (filters, view choice, page).
EVENT_LIST_PARAMS = ("kind", "topic", "format", "month", "q", "view", "page")


def _filters() -> services.Filters:
    args = request.args
    return services.Filters(
        kind=args.get("kind") or None,
        topic=args.get("topic") or None,
        format=args.get("format") or None,
        month=services.parse_month(args.get("month")),
        q=(args.get("q") or "").strip()[:200] or None,
    )


def _listing(query, template: str, title: str, upcoming: bool = False):
    filters = _filters()
    pagination = services.list_page(
        query,
        page=page_arg(),
        per_page=PER_PAGE,
        words=bool(filters.q),
        upcoming=astuple(filters) if upcoming else None,
        key=("upcoming" if upcoming else "past", astuple(filters)),
    )
    counts = services.confirmed_counts([e.id for e in pagination.items])
    return render_template(
        template,
        title=title,
        pagination=pagination,
        events=pagination.items,
        counts=counts,
        seats_left=services.seats_left,
        filters=filters,
        topics=topic_rows(),
        kinds=KINDS,
        formats=FORMATS,
    )


@bp.get("/")
@cached_page(Event, Registration, Topic, clock="minute", params=EVENT_LIST_PARAMS)
@query_params(*EVENT_LIST_PARAMS)
def index():
    # A visitor who allowed functionality cookies gets the view they used last.
    if not request.args and consent_gate.preference("view") == "calendar":
        return redirect(url_for("events.calendar_view"))
    response = make_response(
        _listing(
            services.upcoming_query(_filters()),
            "events/index.html",
            _("Upcoming events"),
            upcoming=True,
        )
    )
    if request.args.get("view") == "list":
        consent_gate.remember_preference(response, "view", "list")
    return response


@bp.get("/past")
@cached_page(Event, Registration, Topic, clock="minute", params=EVENT_LIST_PARAMS)
@query_params(*EVENT_LIST_PARAMS)
def past():
    return _listing(services.past_query(_filters()), "events/index.html", _("Past events"))


@bp.get("/calendar")
@cached_page(Event, clock="minute", params=("month", "day"))
def calendar_view():
    today = utcnow().date()
    # A chosen day (a "+N more" link) lists all its events under its month's grid.
    day = services.parse_day(request.args.get("day"))
    month = (
        day.replace(day=1)
        if day
        else services.parse_month(request.args.get("month")) or today.replace(day=1)
    )
    grid = services.month_grid(month, day)
    response = make_response(
        render_template(
            "events/calendar.html",
            month=month,
            weeks=grid.weeks,
            by_day=grid.by_day,
            more=grid.more,
            chosen_day=day,
            day_events=grid.day_events,
            today=today,
            prev_month=services.add_months(month, -1),
            next_month=services.add_months(month, 1),
        )
    )
    consent_gate.remember_preference(response, "view", "calendar")
    return response


@bp.get("/feed.ics")
@cached_page(Event, clock="day")
def feed_ics():
    since = utcnow() - timedelta(days=90)
    # Only what finds each event's text in the cache; the others are loaded by feed_bytes.
    events = db.session.execute(
        services.public_events()
        .where(services.not_ended(since))
        .order_by(Event.starts_at, Event.id)
        .with_only_columns(*ics.FEED_COLUMNS)
    ).all()
    name = _("%(site)s events", site=current_app.config["SITE_NAME"])
    body = ics.feed_bytes(events, name=name, in_table=True)
    return _ics_response(body, "interacta-events.ics")


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache"
    return response


def _visible_event(slug: str, load=services.load_event_page) -> Event:
    event = load(slug)
    if event is None or not services.is_visible(event, _member()):
        abort(404)
    return event


@bp.get("/<slug>.ics")
@cached_page(Event, clock="day")
def event_ics(slug: str):
    # From the page cache like the feed (the same VEVENT text, from the same text cache):
    # the event alone, since its text is usually cached; what the text shows loads if read.
    event = _visible_event(slug, load=services.event_by_slug)
    if event.status == "draft":
        abort(404)
    return _ics_response(ics.feed_bytes([event], in_table=True), f"{event.slug}.ics")


def _render_event(
    event: Event,
    preview: bool = False,
    confirmed: int | None = None,
    present: dict | None = None,
):
    """`confirmed`: the event's confirmed registrations if counted already; `present`:
    which sections of other parts have anything to show, if read already."""
    known = confirmed is not None
    counts = {event.id: confirmed} if known else services.confirmed_counts([event.id])
    left = services.seats_left(event, counts)
    member = _member()
    # First: a section known to be empty tells its part so (the JSON-LD asks it too).
    related = related_sections("event", event, present)
    return render_template(
        "events/detail.html",
        event=event,
        agenda=services.agenda_by_day(event),
        seats_left=left,
        jsonld=event_jsonld(event, left),
        can_manage=services.can_manage(member, event),
        # Asked only when there is a link to show (the template shows it only then).
        show_online_link=bool(event.online_url) and services.can_see_online_link(event, member),
        preview=preview or event.status == "draft",
        registration=services.registration_context(event, member),
        related=related,
    )


@bp.get("/<slug>")
@cached_page(
    Event, Registration, functools.partial(related_models, "event"), Member, clock="minute"
)
def detail(slug: str):
    found = services.load_event_page_counted(slug, related_presence("event"))
    if found is None or not services.is_visible(found[0], _member()):
        abort(404)
    event, confirmed, present = found
    return _render_event(event, confirmed=confirmed, present=present)


# --- organizer tools ---------------------------------------------------------------------


def _managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not services.can_manage(current_user, event):
        abort(403, _("You can only manage the events you organize."))
    return event


@bp.get("/manage/")
@organizer_required
def manage_index():
    pagination = db.paginate(
        services.managed_events(current_user).options(sa.orm.selectinload(Event.organizer)),
        page=page_arg(),
        per_page=25,
        error_out=False,
    )
    counts = services.confirmed_counts([e.id for e in pagination.items])
    return render_template(
        "events/manage/index.html", pagination=pagination, counts=counts, now=utcnow()
    )


def _form_values(form: EventForm) -> dict | None:
    """The form's values with local times converted to UTC; None (errors set) if one is off."""
    zone = form.timezone.data
    values = {
        "title": form.title.data.strip(),
        "summary": form.summary.data.strip(),
        "description": form.description.data or "",
        "kind": form.kind.data,
        "timezone": zone,
        "format": form.format.data,
        "venue_name": (form.venue_name.data or "").strip() or None,
        "venue_address": (form.venue_address.data or "").strip() or None,
        "online_url": (form.online_url.data or "").strip() or None,
        "capacity": form.capacity.data,
        "audience": form.audience.data,
        "recording_url": (form.recording_url.data or "").strip() or None,
        "language": form.language.data,
        "room_rule": form.room_rule.data,
        "participant_list": form.participant_list.data,
    }
    ok = True
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        field = getattr(form, name)
        try:
            values[name] = services.local_to_utc(field.data, zone) if field.data else None
        except services.NonexistentLocalTime as exc:
            field.errors = [*field.errors, str(exc)]
            ok = False
    if not ok:
        return None
    errors = services.validate_event_values(values)
    for name, message in errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]
    refused = services.validate_translations(values["language"], _form_translations(form))
    for name, message in refused.items():
        content.attach_section_error(form, name, message)
    return None if errors or refused else values


def _form_translations(form: EventForm) -> dict:
    return content.form_translations(form, services.TRANSLATED_FIELDS)


def _form_sessions(form: EventForm) -> list[services.SessionInput] | None:
    zone = form.timezone.data
    rows, ok = [], True
    for entry in form.sessions:
        sub = entry.form
        if not (sub.title.data or "").strip():
            continue
        try:
            starts = services.local_to_utc(sub.starts_at.data, zone)
            ends = services.local_to_utc(sub.ends_at.data, zone)
        except services.NonexistentLocalTime as exc:
            sub.starts_at.errors = [*sub.starts_at.errors, str(exc)]
            ok = False
            continue
        rows.append(
            (
                sub,
                services.SessionInput(
                    title=sub.title.data.strip(),
                    starts_at=starts,
                    ends_at=ends,
                    speakers=(sub.speakers.data or "").strip(),
                    room=(sub.room.data or "").strip(),
                    room_rule=sub.room_rule.data or None,
                    to_schedule=bool(sub.to_schedule.data),
                ),
            )
        )
    form._session_rows = rows
    return [s for _, s in rows] if ok else None


def _agenda_errors(form: EventForm, error: services.InvalidAgenda) -> None:
    for index, message in error.errors.items():
        sub = form._session_rows[index][0]
        sub.ends_at.errors = [*sub.ends_at.errors, message]


def _blank_rows(form: EventForm, n: int = 3) -> None:
    for _row in range(n):
        form.sessions.append_entry()


def _topic_choices():
    return [(t.id, t.name) for t in topic_rows()]


def _selected_topics(ids) -> list[Topic]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(ids))))


def _save_event(form: EventForm, event: Event | None):
    """Validate and save; returns the event or None (form errors set, nothing saved)."""
    if not form.validate_on_submit():
        return None
    values = _form_values(form)
    sessions = _form_sessions(form)
    if values is None or sessions is None:
        return None
    topics = _selected_topics(form.topics.data)
    try:
        event, changed = services.save_event(
            event, current_user, values, topics, sessions, _form_translations(form)
        )
    except services.InvalidAgenda as exc:
        db.session.rollback()
        _agenda_errors(form, exc)
        return None
    except DomainError as exc:
        db.session.rollback()
        if not (
            content.attach_section_error(form, exc.field, exc.message) or attach_to_form(form, exc)
        ):
            flash(exc.message, "error")
        return None
    db.session.commit()
    if any(f in services.TIME_PLACE_FIELDS for f in changed) and event.status == "published":
        flash(_("The change of time or place was mailed to every registrant."), "info")
    return event


@bp.route("/manage/new", methods=["GET", "POST"])
@organizer_required
def manage_new():
    form = EventForm(topic_choices=_topic_choices())
    event = _save_event(form, None) if request.method == "POST" else None
    if event:
        flash(_("Draft saved. Preview it, then publish it when it is ready."), "success")
        return redirect(url_for("events.manage_edit", event_id=event.id))
    if request.method == "GET":
        _blank_rows(form)
    return render_template("events/manage/form.html", form=form, event=None), (
        400 if request.method == "POST" else 200
    )


@bp.route("/manage/<int:event_id>/edit", methods=["GET", "POST"])
@organizer_required
def manage_edit(event_id: int):
    event = _managed_event(event_id)
    if request.method == "POST":
        form = EventForm(topic_choices=_topic_choices())
        if _save_event(form, event):
            flash(_("Changes saved."), "success")
            return redirect(url_for("events.manage_edit", event_id=event.id))
        return render_template("events/manage/form.html", form=form, event=event), 400
    form = EventForm(topic_choices=_topic_choices(), obj=None, data=_initial(event))
    for s in event.sessions:
        form.sessions.append_entry(
            {
                "title": s.title,
                "starts_at": services.utc_to_local_naive(s.starts_at, event.timezone),
                "ends_at": services.utc_to_local_naive(s.ends_at, event.timezone),
                "speakers": s.speakers,
                "room": s.room,
                "room_rule": s.room_rule or "",
                "to_schedule": s.to_schedule,
            }
        )
    _blank_rows(form)
    return render_template("events/manage/form.html", form=form, event=event)


def _initial(event: Event) -> dict:
    data = {f: getattr(event, f) for f in services.EDITABLE_FIELDS}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data[name] = services.utc_to_local_naive(data[name], event.timezone)
    data["topics"] = [t.id for t in event.topics]
    return data | content.form_initial(event, services.TRANSLATED_FIELDS)


@bp.get("/manage/<int:event_id>/preview")
@organizer_required
def manage_preview(event_id: int):
    event = _managed_event(event_id)
    return _render_event(services.load_event_page(event.slug), preview=True)


@bp.post("/manage/<int:event_id>/publish")
@organizer_required
def manage_publish(event_id: int):
    event = _managed_event(event_id)
    services.publish(event)  # a broken rule: the error page with its status
    db.session.commit()
    flash(_("The event is published."), "success")
    return redirect(url_for("events.detail", slug=event.slug))


@bp.route("/manage/<int:event_id>/cancel", methods=["GET", "POST"])
@organizer_required
def manage_cancel(event_id: int):
    event = _managed_event(event_id)
    if event.is_cancelled:
        abort(409, _("This event is already cancelled."))
    form = CancelForm()
    if form.validate_on_submit():
        services.cancel(event, form.message.data)
        db.session.commit()
        flash(_("The event is cancelled; every registrant was told by mail."), "success")
        return redirect(url_for("events.detail", slug=event.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("events/manage/cancel.html", form=form, event=event), status


@bp.route("/manage/<int:event_id>/duplicate", methods=["GET", "POST"])
@organizer_required
def manage_duplicate(event_id: int):
    event = _managed_event(event_id)
    form = DuplicateForm()
    if request.method == "GET":
        form.starts_at.data = services.utc_to_local_naive(
            event.starts_at + timedelta(days=7), event.timezone
        )
    elif form.validate_on_submit():
        try:
            starts = services.local_to_utc(form.starts_at.data, event.timezone)
        except services.NonexistentLocalTime as exc:
            form.starts_at.errors = [str(exc)]
        else:
            copy = services.duplicate(event, starts, current_user)
            db.session.commit()
            flash(_("A draft copy was made. Check it and publish it when ready."), "success")
            return redirect(url_for("events.manage_edit", event_id=copy.id))
    status = 400 if request.method == "POST" else 200
    return render_template("events/manage/duplicate.html", form=form, event=event), status
