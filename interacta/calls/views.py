"""Views of the calls blueprint: thin — load, check access, call a service, commit, render.

Registered without a prefix: the call lives under its event's URLs
(/events/<slug>/call, /events/manage/<id>/call)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from interacta.calls import bp, services
from interacta.calls.forms import CallForm
from interacta.core.auth import organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.models import utcnow
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db


def _member():
    return current_user if current_user.is_authenticated else None


def _managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not event_services.can_manage(current_user, event):
        abort(403, _("You can only manage the events you organize."))
    return event


@bp.get("/events/<slug>/call")
def call_page(slug: str):
    call = services.public_call(slug, _member())
    if call is None:
        abort(404)
    return render_template(
        "calls/call.html",
        call=call,
        event=call.event,
        is_open=call.is_open(),
        closes_in=services.closes_in(call),
        can_manage=event_services.can_manage(_member(), call.event),
        now=utcnow(),
    )


def _values(form: CallForm) -> services.CallValues:
    return services.CallValues(
        deadline=form.deadline.data,
        scope=form.scope.data or "",
        types=list(form.types.data or []),
        tracks=(form.tracks.data or "").splitlines(),
        abstract_word_limit=form.abstract_word_limit.data,
        pdf_required=form.pdf_required.data,
        blind_mode=form.blind_mode.data,
        criteria=services.parse_criteria(form.criteria.data or ""),
        reviews_per_submission=form.reviews_per_submission.data,
        decision_on=form.decision_on.data,
    )


@bp.route("/events/manage/<int:event_id>/call", methods=["GET", "POST"])
@organizer_required
def manage_call(event_id: int):
    event = _managed_event(event_id)
    call = services.call_for_event(event.id)
    if request.method == "POST":
        form = CallForm()
        if form.validate():
            try:
                services.save_call(event, _values(form))
            except DomainError as exc:  # raised before anything was changed
                if not attach_to_form(form, exc):
                    flash(exc.message, "error")
            else:
                db.session.commit()
                flash(_("The call is saved."), "success")
                return redirect(url_for("calls.manage_call", event_id=event.id))
        return render_template("calls/manage.html", form=form, event=event, call=call), 400
    data = None
    if call is not None:
        data = {
            "scope": call.scope,
            "types": call.type_keys,
            "tracks": call.tracks,
            "abstract_word_limit": call.abstract_word_limit,
            "pdf_required": call.pdf_required,
            "deadline": event_services.utc_to_local_naive(call.deadline_at, event.timezone),
            "blind_mode": call.blind_mode,
            "criteria": services.format_criteria(call),
            "reviews_per_submission": call.reviews_per_submission,
            "decision_on": call.decision_on,
        }
    form = CallForm(data=data)
    return render_template("calls/manage.html", form=form, event=event, call=call)
