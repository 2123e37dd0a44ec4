"""Routes of deciding: the organizer's page of one submission (reviews, scores, reviewers,
the decision), the decisions page (counts, mail templates, "send decisions") and the
author's revision. Thin: load, check access, call a service, commit, render."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from interacta.calls import bp, decisions, reviews, services
from interacta.calls.decision_forms import AssignForm, DecisionForm, TemplateForm
from interacta.calls.models import DECISIONS, Reviewer, SubmissionRevision
from interacta.calls.views import (
    _managed_event,
    _submission_form,
    _submission_values,
    _uploaded_pdf,
)
from interacta.core.auth import login_required, organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.models import utcnow
from interacta.core.text import slugify
from interacta.events import services as event_services
from interacta.extensions import db


def _managed_submission(event_id: int, submission_id: int):
    event = _managed_event(event_id)
    submission = decisions.managed_submission(event.id, submission_id)
    if submission is None:
        abort(404)
    return event, submission


def _decision_form(submission) -> DecisionForm:
    data = None
    if request.method == "GET":
        data = {
            "decision": decisions.decision_of(submission) or "",
            "accepted_as": submission.accepted_as or submission.contribution_type,
            "revise_by": event_services.utc_to_local_naive(
                submission.revise_by, submission.call.event.timezone
            ),
        }
    form = DecisionForm(prefix="decision", data=data)
    form.set_call(submission.call)
    return form


def _render_submission(event, submission, form=None, assign_form=None, status=200):
    page = decisions.submission_page(submission)
    if assign_form is None:
        assign_form = AssignForm(prefix="assign")
    assign_form.reviewer.choices = [(r.id, r.member.name) for r in page.available]
    return render_template(
        "calls/manage_submission.html",
        event=event,
        call=submission.call,
        submission=submission,
        page=page,
        form=form or _decision_form(submission),
        assign_form=assign_form,
        score=decisions.score_text,
        now=utcnow(),
    ), status


@bp.get("/events/manage/<int:event_id>/submissions/<int:submission_id>")
@organizer_required
def manage_submission(event_id: int, submission_id: int):
    event, submission = _managed_submission(event_id, submission_id)
    return _render_submission(event, submission)


@bp.get("/events/manage/<int:event_id>/submissions/<int:submission_id>/pdf")
@organizer_required
def manage_submission_pdf(event_id: int, submission_id: int):
    """The submission's PDF, or an earlier version's (?round=N), with the authors' names:
    organizers see them."""
    _event, submission = _managed_submission(event_id, submission_id)
    name = submission.pdf_file
    number = request.args.get("round", type=int)
    if number is not None and number != decisions.current_round(submission):
        revision = db.session.scalar(
            sa.select(SubmissionRevision).where(
                SubmissionRevision.submission_id == submission.id,
                SubmissionRevision.round == number,
            )
        )
        name = revision.pdf_file if revision is not None else None
    path = services.submission_dir() / name if name else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=f"{slugify(submission.title, max_length=60, fallback='submission')}.pdf",
        as_attachment=False,
        max_age=0,
    )


@bp.post("/events/manage/<int:event_id>/submissions/<int:submission_id>/decision")
@organizer_required
def decide(event_id: int, submission_id: int):
    event, submission = _managed_submission(event_id, submission_id)
    form = _decision_form(submission)
    if not form.validate():
        return _render_submission(event, submission, form=form, status=400)
    try:
        decisions.decide(
            submission,
            form.decision.data or None,
            accepted_as=form.accepted_as.data,
            revise_by=form.revise_by.data,
        )
    except DomainError as exc:  # raised before anything was changed
        if not attach_to_form(form, exc):
            flash(exc.message, "error")
        return _render_submission(event, submission, form=form, status=exc.status_code)
    db.session.commit()
    if submission.is_decided:
        flash(_("The decision is recorded. It is mailed when you send the decisions."), "success")
    else:
        flash(_("The decision is taken back."), "success")
    return redirect(
        url_for("calls.manage_submission", event_id=event.id, submission_id=submission.id)
    )


@bp.post("/events/manage/<int:event_id>/submissions/<int:submission_id>/reviewers")
@organizer_required
def assign_reviewer(event_id: int, submission_id: int):
    event, submission = _managed_submission(event_id, submission_id)
    page = decisions.submission_page(submission)
    form = AssignForm(prefix="assign")
    form.reviewer.choices = [(r.id, r.member.name) for r in page.available]
    if not form.validate():
        return _render_submission(event, submission, assign_form=form, status=400)
    reviewer = db.session.get(Reviewer, form.reviewer.data)
    try:
        # Through reviewing, so the reviewer is mailed their new assignment.
        reviews.assign_by_hand(submission, reviewer)
    except DomainError as exc:
        flash(exc.message, "error")
        return _render_submission(event, submission, assign_form=form, status=exc.status_code)
    db.session.commit()
    flash(_("%(name)s reviews this submission.", name=reviewer.member.name), "success")
    return redirect(
        url_for("calls.manage_submission", event_id=event.id, submission_id=submission.id)
    )


@bp.post(
    "/events/manage/<int:event_id>/submissions/<int:submission_id>/reviewers/<int:reviewer_id>/remove"
)
@organizer_required
def unassign_reviewer(event_id: int, submission_id: int, reviewer_id: int):
    event, submission = _managed_submission(event_id, submission_id)
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None or reviewer.call_id != submission.call_id:
        abort(404)
    services.unassign(submission, reviewer)
    db.session.commit()
    flash(_("%(name)s no longer reviews this submission.", name=reviewer.member.name), "success")
    return redirect(
        url_for("calls.manage_submission", event_id=event.id, submission_id=submission.id)
    )


# --- the decisions page ------------------------------------------------------------------


def _call_or_404(event):
    call = services.call_for_event(event.id)
    if call is None:
        abort(404)
    return call


def _render_decisions(event, call, forms=None, status=200):
    stored = decisions.stored_templates(call)
    templates = []
    for kind, label in DECISIONS.items():
        subject, body, edited = decisions.template_for(call, kind, stored)
        form = (forms or {}).get(kind) or TemplateForm(
            prefix=kind, data={"subject": subject, "body": body}
        )
        templates.append({"kind": kind, "label": label, "form": form, "edited": edited})
    return render_template(
        "calls/decisions.html",
        event=event,
        call=call,
        overview=decisions.overview(call),
        templates=templates,
        placeholders=decisions.PLACEHOLDERS,
    ), status


@bp.get("/events/manage/<int:event_id>/decisions")
@organizer_required
def manage_decisions(event_id: int):
    event = _managed_event(event_id)
    return _render_decisions(event, _call_or_404(event))


@bp.post("/events/manage/<int:event_id>/decisions/templates/<kind>")
@organizer_required
def save_decision_template(event_id: int, kind: str):
    event = _managed_event(event_id)
    call = _call_or_404(event)
    if kind not in DECISIONS:
        abort(404)
    form = TemplateForm(prefix=kind)
    if form.validate():
        try:
            template = decisions.save_template(call, kind, form.subject.data, form.body.data)
        except DomainError as exc:
            if not attach_to_form(form, exc):
                flash(exc.message, "error")
        else:
            db.session.commit()
            if template is None:
                flash(_("The default message is used again."), "success")
            else:
                flash(_("The message is saved: it is sent as you wrote it."), "success")
            return redirect(url_for("calls.manage_decisions", event_id=event.id))
    return _render_decisions(event, call, forms={kind: form}, status=400)


@bp.post("/events/manage/<int:event_id>/decisions/send")
@organizer_required
def send_decisions(event_id: int):
    event = _managed_event(event_id)
    call = _call_or_404(event)
    sent = decisions.send_decisions(call)
    db.session.commit()
    if sent:
        flash(
            ngettext(
                "%(num)d decision is on its way to its authors.",
                "%(num)d decisions are on their way to the authors.",
                sent,
            ),
            "success",
        )
    else:
        flash(_("There is no decision left to send."), "info")
    return redirect(url_for("calls.manage_decisions", event_id=event.id))


# --- revise and resubmit (the author) ----------------------------------------------------


@bp.route("/members/me/submissions/<int:submission_id>/revise", methods=["GET", "POST"])
@login_required
def revise_submission(submission_id: int):
    submission = services.own_submission(submission_id, current_user)
    if submission is None:
        abort(404)
    call = submission.call
    if not decisions.can_revise(submission):
        flash(_("This submission can no longer be revised."), "error")
        return redirect(url_for("calls.my_submissions"))
    form = _submission_form(submission)
    form.set_call(call)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                decisions.revise(submission, _submission_values(form), _uploaded_pdf(form))
            except DomainError as exc:  # raised before anything was changed
                if not attach_to_form(form, exc):
                    flash(exc.message, "error")
                status = exc.status_code
            else:
                db.session.commit()
                flash(_("Your revision is received and goes back to the reviewers."), "success")
                return redirect(url_for("calls.my_submissions"))
    return render_template(
        "calls/revise.html",
        form=form,
        call=call,
        event=call.event,
        submission=submission,
        comments=decisions.comments_for_authors(submission),
    ), status
