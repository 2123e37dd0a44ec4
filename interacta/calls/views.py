"""Views of the calls blueprint: thin — load, check access, call a service, commit, render.

Registered without a prefix: the call lives under its event's URLs
(/events/<slug>/call, /events/manage/<id>/call)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from interacta.calls import bp, decisions, services
from interacta.calls.forms import CallForm, SubmissionForm
from interacta.core.auth import login_required, organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.models import utcnow
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db
from interacta.publications import files


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


# --- submitting --------------------------------------------------------------------------


def _submission_values(form: SubmissionForm) -> services.SubmissionValues:
    return services.SubmissionValues(
        title=form.title.data or "",
        contribution_type=form.contribution_type.data or "",
        track=form.track.data or "",
        abstract=form.abstract.data or "",
        keywords=form.keywords.data or "",
        coauthors=services.parse_coauthors(form.coauthors.data or ""),
        consent_publication=bool(form.consent_publication.data),
    )


def _uploaded_pdf(form: SubmissionForm) -> bytes | None:
    upload = form.pdf.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return files.read_pdf(upload.stream)


@bp.route("/events/<slug>/call/submit", methods=["GET", "POST"])
@login_required
def submit(slug: str):
    call = services.public_call(slug, current_user)
    if call is None:
        abort(404)
    if not call.is_open():
        flash(_("The call is closed: nothing can be submitted any more."), "error")
        return redirect(url_for("calls.call_page", slug=slug))
    form = SubmissionForm()
    form.set_call(call)
    if request.method == "POST" and form.validate():
        try:
            services.submit(call, current_user, _submission_values(form), _uploaded_pdf(form))
        except DomainError as exc:  # raised before anything was stored
            if not attach_to_form(form, exc):
                flash(exc.message, "error")
            status = exc.status_code
        else:
            db.session.commit()
            flash(_("Thank you: your submission is received. A receipt is on its way."), "success")
            return redirect(url_for("calls.my_submissions"))
    else:
        status = 400 if request.method == "POST" else 200
    return render_template(
        "calls/submit.html", form=form, call=call, event=call.event, submission=None
    ), status


@bp.get("/members/me/submissions")
@login_required
def my_submissions():
    submissions = services.member_submissions(current_user.id)
    return render_template(
        "calls/my_submissions.html",
        submissions=submissions,
        comments=decisions.sent_comments(submissions),
        can_revise=decisions.can_revise,
        now=utcnow(),
    )


def _own(submission_id: int):
    submission = services.own_submission(submission_id, current_user)
    if submission is None:
        abort(404)
    return submission


def _submission_form(submission) -> SubmissionForm:
    """The submission form: what was posted, or the submission as it stands (edit, revise)."""
    if request.method == "POST":
        return SubmissionForm()
    return SubmissionForm(
        data={
            "title": submission.title,
            "contribution_type": submission.contribution_type,
            "track": submission.track,
            "abstract": submission.abstract,
            "keywords": submission.keywords,
            "coauthors": services.format_coauthors(submission),
            "consent_publication": submission.consent_publication,
        }
    )


@bp.route("/members/me/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@login_required
def edit_submission(submission_id: int):
    submission = _own(submission_id)
    call = submission.call
    if submission.status != "submitted" or not call.is_open():
        flash(_("This submission can no longer be changed."), "error")
        return redirect(url_for("calls.my_submissions"))
    form = _submission_form(submission)
    form.set_call(call)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                old = services.update_submission(
                    submission, _submission_values(form), _uploaded_pdf(form)
                )
            except DomainError as exc:  # raised before anything was changed
                if not attach_to_form(form, exc):
                    flash(exc.message, "error")
                status = exc.status_code
            else:
                db.session.commit()
                services.delete_submission_pdf(old)
                flash(_("Your changes are saved. A receipt is on its way."), "success")
                return redirect(url_for("calls.my_submissions"))
    return render_template(
        "calls/submit.html", form=form, call=call, event=call.event, submission=submission
    ), status


@bp.post("/members/me/submissions/<int:submission_id>/withdraw")
@login_required
def withdraw_submission(submission_id: int):
    submission = _own(submission_id)
    try:
        services.withdraw(submission)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Your submission is withdrawn."), "success")
    return redirect(url_for("calls.my_submissions"))
