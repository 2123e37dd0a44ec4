"""Routes of reviewing: the reviewer's queue and review (/reviews/...), and the
organizer's submissions page with reviewers, assignment, scores and the CSV export.

Thin views: load, check access, call calls.reviews, commit once, render or redirect."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from interacta.calls import bp, reviews
from interacta.calls import services as call_services
from interacta.calls.review_forms import AddReviewerForm, preferences_form, review_form
from interacta.calls.views import _managed_event
from interacta.core.auth import login_required, organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.text import csv_safe, slugify
from interacta.events.models import Event
from interacta.extensions import db

# --- the reviewer ------------------------------------------------------------------------


@bp.get("/reviews/")
@login_required
def review_queue():
    calls = reviews.reviewer_calls(current_user.id)
    return render_template(
        "calls/review_queue.html",
        items=reviews.reviewer_queue(current_user.id),
        calls=[(item, preferences_form(item)) for item in calls],
    )


@bp.post("/reviews/preferences/<int:reviewer_id>")
@login_required
def review_preferences(reviewer_id: int):
    reviewer = reviews.own_reviewer(reviewer_id, current_user)
    if reviewer is None:
        abort(404)
    item = next(i for i in reviews.reviewer_calls(current_user.id) if i.reviewer.id == reviewer_id)
    form = preferences_form(item, formdata=request.form)
    if not form.validate():
        flash(_("Please choose among the tracks and submissions of this call."), "error")
        return redirect(url_for("calls.review_queue"))
    reviews.set_preferences(reviewer, form.tracks.data or [], form.conflicts.data or [])
    db.session.commit()
    flash(_("Your preferences are saved."), "success")
    return redirect(url_for("calls.review_queue") + f"#call-{reviewer.call_id}")


def _own_assignment(assignment_id: int):
    assignment = reviews.own_assignment(assignment_id, current_user)
    if assignment is None:
        abort(404)
    return assignment


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    submission = assignment.submission
    call = submission.call
    existing = reviews.review_of(assignment)
    decided = reviews.is_decided(submission)
    status = 200
    if request.method == "POST" and not decided:
        form = review_form(call, formdata=request.form)
        status = 400
        if form.validate():
            values = reviews.ReviewValues(
                scores={int(f.name.removeprefix("score_")): f.data for f in form.score_fields},
                comment_authors=form.comment_authors.data or "",
                comment_organizers=form.comment_organizers.data or "",
                recommendation=form.recommendation.data or "",
            )
            try:
                reviews.save_review(assignment, values)
            except DomainError as exc:  # raised before anything was changed
                if not attach_to_form(form, exc):
                    flash(exc.message, "error")
                status = exc.status_code
            else:
                db.session.commit()
                flash(
                    _("Your review is saved. You can change it until decisions are made."),
                    "success",
                )
                return redirect(url_for("calls.review_queue"))
    else:
        if request.method == "POST":
            flash(
                _("Decisions have been made on this submission: the review can no longer change."),
                "error",
            )
            status = 409
        form = review_form(call, review=existing, read_only=decided)
    return render_template(
        "calls/review.html",
        form=form,
        assignment=assignment,
        submission=submission,
        call=call,
        event=call.event,
        review=existing,
        decided=decided,
        authors=reviews.authors_for_reviewer(submission),
    ), status


@bp.get("/reviews/<int:assignment_id>/paper.pdf")
@login_required
def review_paper(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    data = reviews.paper_for_reviewer(assignment.submission)
    response = Response(data, mimetype="application/pdf")
    name = slugify(assignment.submission.title, max_length=60, fallback="submission")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the organizer -----------------------------------------------------------------------


def _call_of(event: Event):
    call = call_services.call_for_event(event.id)
    if call is None:
        abort(404, _("This event has no call for papers."))
    return call


def submission_page_url(event_id: int, submission_id: int) -> str:
    """The organizer's page of one submission (its reviews, reviewers and decision)."""
    return url_for("calls.manage_submission", event_id=event_id, submission_id=submission_id)


def _sort_args() -> tuple[str, str]:
    sort = request.args.get("sort", "title")
    sort = sort if sort in reviews.SORTS else "title"
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    return sort, direction


@bp.get("/events/manage/<int:event_id>/submissions")
@organizer_required
def manage_submissions(event_id: int, add_form=None, status: int = 200):
    event = _managed_event(event_id)
    call = _call_of(event)
    sort, direction = _sort_args()
    return render_template(
        "calls/manage_submissions.html",
        event=event,
        call=call,
        rows=reviews.submission_rows(call, sort, direction),
        reviewers=call_services.reviewers(call),
        add_form=add_form or AddReviewerForm(),
        sort=sort,
        direction=direction,
        sorts=reviews.SORTS,
        submission_url=submission_page_url,
    ), status


@bp.post("/events/manage/<int:event_id>/reviewers")
@organizer_required
def manage_add_reviewer(event_id: int):
    event = _managed_event(event_id)
    call = _call_of(event)
    form = AddReviewerForm()
    if form.validate():
        try:
            reviewer = reviews.add_reviewer_by_email(call, form.email.data)
        except DomainError as exc:
            attach_to_form(form, exc)
            return manage_submissions(event.id, add_form=form, status=exc.status_code)
        db.session.commit()
        flash(_("%(name)s reviews for this call.", name=reviewer.member.name), "success")
        return redirect(url_for("calls.manage_submissions", event_id=event.id) + "#reviewers")
    return manage_submissions(event.id, add_form=form, status=400)


@bp.post("/events/manage/<int:event_id>/reviewers/remove")
@organizer_required
def manage_remove_reviewer(event_id: int):
    event = _managed_event(event_id)
    call = _call_of(event)
    try:
        reviews.remove_reviewer(call, request.form.get("reviewer", type=int) or 0)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The reviewer is removed, with their assignments."), "success")
    return redirect(url_for("calls.manage_submissions", event_id=event.id) + "#reviewers")


@bp.post("/events/manage/<int:event_id>/assign")
@organizer_required
def manage_assign(event_id: int):
    event = _managed_event(event_id)
    call = _call_of(event)
    made = reviews.assign(call)
    db.session.commit()
    if made:
        flash(
            ngettext(
                "%(num)d assignment made; the reviewer is told by mail.",
                "%(num)d assignments made; the reviewers are told by mail.",
                made,
            ),
            "success",
        )
    else:
        flash(_("No assignment was needed (or none is possible without a conflict)."), "info")
    return redirect(url_for("calls.manage_submissions", event_id=event.id))


@bp.get("/events/manage/<int:event_id>/submissions.csv")
@organizer_required
def manage_submissions_csv(event_id: int):
    event = _managed_event(event_id)
    call = _call_of(event)
    sort, direction = _sort_args()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Id"), _("Title"), _("Type"), _("Track"), _("Reviews done"), _("Reviews needed"),
         _("Reviewers assigned"), _("Weighted mean"), _("Spread"), _("Disagreement"),
         _("Status")]
    )  # fmt: skip
    for row in reviews.csv_rows(call, sort, direction):
        writer.writerow([csv_safe(v) if isinstance(v, str) else v for v in row])
    body = "\ufeff" + out.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-submissions.csv"'
    return response
