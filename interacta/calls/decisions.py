"""Deciding on submissions: accept (as a type of the call), reject, or revise and resubmit;
decisions are recorded, changeable until the organizer sends them all at once (through
the outbox), and then carried into the event's agenda and the working-paper series.

The authors revise a submission asked back until the new deadline: the earlier version
is kept (SubmissionRevision), the round goes up and it goes back to the same reviewers.

A submission whose status is not "submitted" is decided (or withdrawn): reviews of it are
closed until a revision reopens it for a new round.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from interacta.calls import decision_notifications, services
from interacta.calls.models import (
    CONTRIBUTION_TYPES,
    DECIDED_STATUSES,
    DECISION_STATUS,
    DECISIONS,
    Assignment,
    Call,
    DecisionTemplate,
    Review,
    Reviewer,
    Submission,
    SubmissionRevision,
)
from interacta.calls.reviews import current_round
from interacta.calls.scoring import ScoreSummary, summarize
from interacta.core.errors import Conflict, DomainError
from interacta.core.models import utcnow
from interacta.core.text import normalize_email
from interacta.events import services as event_services
from interacta.extensions import db
from interacta.members.models import Member
from interacta.publications import files
from interacta.publications import services as publication_services

logger = logging.getLogger(__name__)

#: The placeholders a decision mail template may use.
PLACEHOLDERS = ("name", "title", "event", "type", "deadline", "link")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


class InvalidDecision(DomainError):
    """A decision cannot be recorded as given (names the form field)."""


class DecisionSent(Conflict):
    """The decision was mailed: it no longer changes."""


# --- deciding ----------------------------------------------------------------------------


def decision_of(submission: Submission) -> str | None:
    """The key of DECISIONS the submission's status stands for, None when undecided."""
    for key, status in DECISION_STATUS.items():
        if submission.status == status:
            return key
    return None


def decide(
    submission: Submission,
    decision: str | None,
    accepted_as: str | None = None,
    revise_by: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Record (or change, or with `decision` None take back) the decision on a submission.

    `revise_by` is a wall-clock time in the event's zone: the revision's deadline, in the
    future and before the event starts. Nothing is mailed (see `send_decisions`)."""
    now = now or utcnow()
    if submission.status == "withdrawn":
        raise InvalidDecision(_("This submission was withdrawn."))
    if submission.decision_sent_at is not None:
        raise DecisionSent(_("The decision was sent to the authors: it can no longer change."))
    call = submission.call
    event = call.event
    if not decision:
        submission.status = "submitted"
        submission.accepted_as = submission.revise_by = submission.decided_at = None
        db.session.flush()
        return
    if decision not in DECISIONS:
        raise InvalidDecision(_("Choose a decision."), field="decision")
    deadline = None
    if decision == "accept":
        accepted_as = accepted_as or submission.contribution_type
        if accepted_as not in call.type_keys:
            raise InvalidDecision(
                _("Choose one of the contribution types of this call."), field="accepted_as"
            )
    if decision == "revise":
        if revise_by is None:
            raise InvalidDecision(_("Give the deadline for the revision."), field="revise_by")
        try:
            deadline = event_services.local_to_utc(revise_by, event.timezone)
        except event_services.NonexistentLocalTime as exc:
            raise InvalidDecision(str(exc), field="revise_by") from None
        if deadline <= now:
            raise InvalidDecision(
                _("The deadline for the revision must be in the future."), field="revise_by"
            )
        if deadline >= event.starts_at:
            raise InvalidDecision(
                _("The deadline for the revision must be before the event starts."),
                field="revise_by",
            )
    submission.status = DECISION_STATUS[decision]
    submission.accepted_as = accepted_as if decision == "accept" else None
    submission.revise_by = deadline
    submission.decided_at = now
    db.session.flush()
    logger.info("decision %s on submission %s", decision, submission.id)


# --- the organizer's page of one submission ----------------------------------------------


@dataclass
class RoundReviews:
    round: int
    reviews: list[Review]
    summary: ScoreSummary


@dataclass
class SubmissionPage:
    submission: Submission
    authors: list[dict]
    rounds: list[RoundReviews]
    revisions: list[SubmissionRevision]
    assigned: list[Reviewer]
    #: Reviewers of the call not assigned to this submission (hand assignment).
    available: list[Reviewer]


def managed_submission(event_id: int, submission_id: int) -> Submission | None:
    """The submission, if it belongs to the call of that event."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.call.event_id != event_id:
        return None
    return submission


def submission_page(submission: Submission) -> SubmissionPage:
    """Everything the organizer's page of one submission shows, in a fixed number of
    queries: reviews of every round with their reviewers, revisions, assignments."""
    call = submission.call
    reviews = list(
        db.session.scalars(
            sa.select(Review)
            .where(Review.submission_id == submission.id)
            .options(selectinload(Review.reviewer).joinedload(Reviewer.member))
            .order_by(Review.round, Review.id)
        )
    )
    # The current round is shown even before its first review.
    by_round: dict[int, list[Review]] = {current_round(submission): []}
    for review in reviews:
        by_round.setdefault(review.round, []).append(review)
    rounds = [
        RoundReviews(number, items, summarize(items, call.criteria))
        for number, items in sorted(by_round.items(), reverse=True)
    ]
    revisions = list(
        db.session.scalars(
            sa.select(SubmissionRevision)
            .where(SubmissionRevision.submission_id == submission.id)
            .order_by(SubmissionRevision.round.desc())
        )
    )
    assigned_ids = set(
        db.session.scalars(
            sa.select(Assignment.reviewer_id).where(Assignment.submission_id == submission.id)
        )
    )
    all_reviewers = services.reviewers(call)
    return SubmissionPage(
        submission=submission,
        authors=authors_of([submission])[submission.id],
        rounds=rounds,
        revisions=revisions,
        assigned=[r for r in all_reviewers if r.id in assigned_ids],
        available=[r for r in all_reviewers if r.id not in assigned_ids],
    )


def authors_of(submissions: list[Submission]) -> dict[int, list[dict]]:
    """Each submission's authors in order (the submitting member first), each linked to
    the member with that email address where there is one (`member_id`); two queries."""
    emails = {
        normalize_email(c["email"])
        for s in submissions
        for c in (s.coauthors or [])
        if c.get("email")
    }
    by_email = (
        dict(
            db.session.execute(
                sa.select(Member.email, Member.id).where(Member.email.in_(sorted(emails)))
            ).all()
        )
        if emails
        else {}
    )
    result: dict[int, list[dict]] = {}
    for s in submissions:
        people = []
        if s.member is not None:
            people.append(
                {
                    "name": s.member.name,
                    "affiliation": s.member.affiliation or "",
                    "email": s.member.email or "",
                    "orcid": getattr(s.member, "orcid", None) or "",
                    "member_id": s.member.id,
                }
            )
        for c in s.coauthors or []:
            email = normalize_email(c["email"]) if c.get("email") else ""
            people.append({**c, "email": email, "member_id": by_email.get(email)})
        result[s.id] = people
    return result


def speakers_line(authors: list[dict]) -> str:
    return ", ".join(a["name"] for a in authors)


# --- decision mails ----------------------------------------------------------------------


def default_template(kind: str) -> tuple[str, str]:
    """The default subject and body of a decision mail, in the current language."""
    if kind == "accept":
        return (
            _("Accepted: {title}"),
            _(
                "Dear {name},\n\nwe are pleased to tell you that your contribution “{title}”"
                " is accepted for {event}, as {type}.\n\nThe organizers will put it on the"
                " programme and write to you about the details.\n\nYour submissions: {link}"
            ),
        )
    if kind == "reject":
        return (
            _("Your submission to {event}: {title}"),
            _(
                "Dear {name},\n\nthank you for your contribution “{title}” to {event}. We"
                " regret that we cannot accept it this time.\n\nWe hope the reviewers'"
                " comments below are useful to you.\n\nYour submissions: {link}"
            ),
        )
    return (
        _("Please revise: {title}"),
        _(
            "Dear {name},\n\nthe reviewers of {event} ask you to revise your contribution"
            " “{title}” and to submit it again by {deadline}. The same reviewers will read"
            " the new version.\n\nTheir comments are below. Revise your submission here:"
            " {link}"
        ),
    )


def stored_templates(call: Call) -> dict[str, DecisionTemplate]:
    return {
        t.kind: t
        for t in db.session.scalars(
            sa.select(DecisionTemplate).where(DecisionTemplate.call_id == call.id)
        )
    }


def template_for(call: Call, kind: str, stored: dict | None = None) -> tuple[str, str, bool]:
    """(subject, body, edited): the organizer's wording, or the default in the current
    language."""
    stored = stored_templates(call) if stored is None else stored
    template = stored.get(kind)
    if template is not None:
        return template.subject, template.body, True
    subject, body = default_template(kind)
    return subject, body, False


def save_template(call: Call, kind: str, subject: str, body: str) -> DecisionTemplate | None:
    """Keep the organizer's wording of one decision mail; both empty: back to the default."""
    if kind not in DECISIONS:
        raise InvalidDecision(_("Choose a decision."))
    subject, body = (subject or "").strip(), (body or "").strip()
    existing = stored_templates(call).get(kind)
    if not subject and not body:
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return None
    if not subject or len(subject) > 300:
        raise InvalidDecision(_("Give a subject of at most 300 characters."), field="subject")
    if not body or len(body) > 20000:
        raise InvalidDecision(_("Write the message (at most 20000 characters)."), field="body")
    unknown = set(re.findall(r"\{(\w+)\}", subject + body)) - set(PLACEHOLDERS)
    if unknown:
        raise InvalidDecision(
            _(
                "Unknown placeholder: %(names)s. Use %(known)s.",
                names=", ".join("{" + n + "}" for n in sorted(unknown)),
                known=", ".join("{" + n + "}" for n in PLACEHOLDERS),
            ),
            field="body",
        )
    template = existing or DecisionTemplate(call_id=call.id, kind=kind)
    template.subject, template.body = subject, body
    if existing is None:
        db.session.add(template)
    db.session.flush()
    return template


def fill(text: str, values: dict[str, str]) -> str:
    """The template with its placeholders filled (other braces stay as written)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def comments_for_authors(submission: Submission) -> list[str]:
    """The reviewers' comments for the authors of the current round (never the
    confidential ones, never who wrote them)."""
    return [
        c.strip()
        for c in db.session.scalars(
            sa.select(Review.comment_authors)
            .where(Review.submission_id == submission.id, Review.round == current_round(submission))
            .order_by(Review.id)
        )
        if c and c.strip()
    ]


# --- the decisions page and sending ------------------------------------------------------


@dataclass
class Overview:
    counts: dict[str, int]
    #: Submissions still without a decision.
    undecided: list[Submission]
    unsent: list[Submission]
    sent: int


def overview(call: Call) -> Overview:
    """Counts per decision, the submissions still without one, the decisions not sent."""
    subs = services.active_submissions(call)
    counts = {key: 0 for key in DECISIONS}
    unsent = []
    for s in subs:
        key = decision_of(s)
        if key is None:
            continue
        counts[key] += 1
        if s.decision_sent_at is None:
            unsent.append(s)
    return Overview(
        counts=counts,
        undecided=[s for s in subs if s.status == "submitted"],
        unsent=unsent,
        sent=sum(1 for s in subs if s.is_decided and s.decision_sent_at is not None),
    )


def send_decisions(call: Call, now: datetime | None = None) -> int:
    """Mail every decision not sent yet, each once, with the reviewers' comments for the
    authors; accepted contributions become agenda sessions, accepted papers (with the
    authors' consent) draft working papers. Returns how many decisions went out."""
    now = now or utcnow()
    pending = list(
        db.session.scalars(
            sa.select(Submission)
            .where(
                Submission.call_id == call.id,
                Submission.status.in_(DECIDED_STATUSES),
                Submission.decision_sent_at.is_(None),
            )
            .order_by(Submission.id)
            .with_for_update(of=Submission)
        )
    )
    if not pending:
        return 0
    stored = stored_templates(call)
    authors = authors_of(pending)
    for submission in pending:
        submission.decision_sent_at = now
        if submission.status == "accepted":
            _carry_accepted(submission, authors[submission.id])
        decision_notifications.decision(
            submission, decision_of(submission), stored.get(decision_of(submission))
        )
    db.session.flush()
    logger.info("%d decisions of call %s sent", len(pending), call.id)
    return len(pending)


def _carry_accepted(submission: Submission, authors: list[dict]) -> None:
    event = submission.call.event
    if submission.agenda_session_id is None:
        session = event_services.add_session(event, submission.title, speakers_line(authors))
        submission.agenda_session_id = session.id
    if (
        submission.publication_id is None
        and submission.consent_publication
        and submission.accepted_as == "paper"
    ):
        submission.publication_id = _working_paper(submission, authors).id


def _working_paper(submission: Submission, authors: list[dict]):
    """A draft working paper of the accepted paper, "presented at" the event."""
    event = submission.call.event
    pdf = None
    if submission.pdf_file:
        path = services.submission_dir() / submission.pdf_file
        if path.is_file():
            pdf = path.read_bytes()
    data = publication_services.PublicationInput(
        kind="working_paper",
        title=submission.title,
        year=event.starts_at.year,
        authors=[
            publication_services.AuthorInput(
                name=a["name"],
                affiliation=a.get("affiliation") or None,
                email=a.get("email") or None,
                orcid=a.get("orcid") or None,
            )
            for a in authors
        ],
        abstract=submission.abstract,
        keywords=submission.keywords,
        presented_at_event_id=event.id,
    )
    pub, _old = publication_services.save_with_pdf(None, data, pdf=pdf)
    return pub


# --- the event page ----------------------------------------------------------------------


def accepted_contributions(event_id: int) -> list[tuple[Submission, list[dict]]]:
    """The contributions accepted for the event and announced to their authors, with
    their authors; a fixed number of queries."""
    subs = list(db.session.scalars(_accepted_statement(), {"event_id": event_id}))
    authors = authors_of(subs)
    return [(s, authors[s.id]) for s in subs]


@functools.cache
def _accepted_statement() -> sa.Select:
    """Built once with its cache key (every event page asks): the event is bound when run."""
    return (
        sa.select(Submission)
        .join(Call, Call.id == Submission.call_id)
        .where(
            Call.event_id == sa.bindparam("event_id"),
            Submission.status == "accepted",
            Submission.decision_sent_at.is_not(None),
        )
        .options(selectinload(Submission.member))
        .order_by(Submission.title_key)
    )


# --- revise and resubmit -----------------------------------------------------------------


class RevisionClosed(Conflict):
    pass


def can_revise(submission: Submission, now: datetime | None = None) -> bool:
    return (
        submission.status == "revise"
        and submission.decision_sent_at is not None
        and submission.revise_by is not None
        and (now or utcnow()) < submission.revise_by
    )


def revise(
    submission: Submission,
    values: services.SubmissionValues,
    pdf: bytes | None = None,
    now: datetime | None = None,
) -> SubmissionRevision:
    """The author submits the revised version: the previous one is kept with its decision,
    the round goes up, the same reviewers review again; a receipt is mailed."""
    now = now or utcnow()
    if not can_revise(submission, now):
        raise RevisionClosed(_("This submission can no longer be revised."))
    services._check_submission(submission.call, submission.member, values, exclude_id=submission.id)
    if pdf:
        files.check_pdf(pdf)
    previous = SubmissionRevision(
        submission_id=submission.id,
        round=current_round(submission),
        title=submission.title,
        contribution_type=submission.contribution_type,
        track=submission.track,
        abstract=submission.abstract,
        keywords=submission.keywords,
        coauthors=list(submission.coauthors or []),
        pdf_file=submission.pdf_file,
        pdf_size=submission.pdf_size,
        decision=submission.status,
        decided_at=submission.decided_at,
        revise_by=submission.revise_by,
        created_at=now,
    )
    db.session.add(previous)
    services._apply(submission, values)
    if pdf:
        # The earlier file stays: the revision row keeps its name.
        services._store_pdf(submission, pdf)
    submission.round = current_round(submission) + 1
    submission.status = "submitted"
    submission.decided_at = submission.decision_sent_at = submission.revise_by = None
    submission.accepted_as = None
    db.session.flush()
    decision_notifications.revised(submission)
    logger.info("submission %s revised (round %s)", submission.id, submission.round)
    return previous


def revision_pdfs(submission_ids: list[int]) -> list[str]:
    """The stored PDF names of earlier versions (for erasure)."""
    if not submission_ids:
        return []
    return [
        name
        for name in db.session.scalars(
            sa.select(SubmissionRevision.pdf_file).where(
                SubmissionRevision.submission_id.in_(submission_ids)
            )
        )
        if name
    ]


def type_choices(call: Call) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in CONTRIBUTION_TYPES.items() if k in call.type_keys]


def score_text(value: float | None) -> str:
    """A mean or spread as the page's language writes it ("3.50", "3,50"); "–" for none."""
    if value is None:
        return "–"
    return format_decimal(round(value, 2), format="0.00")


def sent_comments(submissions: list[Submission]) -> dict[int, list[str]]:
    """The reviewers' comments for the authors of each submission whose decision was sent
    (of the round decided), in one query."""
    rounds = {s.id: current_round(s) for s in submissions if s.decision_sent_at is not None}
    if not rounds:
        return {}
    result: dict[int, list[str]] = {}
    rows = db.session.execute(
        sa.select(Review.submission_id, Review.round, Review.comment_authors)
        .where(Review.submission_id.in_(sorted(rounds)))
        .order_by(Review.id)
    )
    for submission_id, number, comment in rows:
        if number == rounds[submission_id] and comment and comment.strip():
            result.setdefault(submission_id, []).append(comment.strip())
    return result
