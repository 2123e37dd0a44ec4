"""Reviewing: the reviewer's queue and review, reviewers of a call, the organizer's table
of submissions with their scores, and reviews in a member's data export and erasure.

No `request` here: the views, the CLI and the tests call these directly."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from interacta.calls import review_notifications, services
from interacta.calls.models import (
    RECOMMENDATIONS,
    Assignment,
    Call,
    DeclaredConflict,
    Review,
    Reviewer,
    Submission,
)
from interacta.calls.scoring import ScoreSummary, summarize
from interacta.core.errors import Conflict, DomainError, NotFound
from interacta.core.models import utcnow
from interacta.core.text import normalize_email
from interacta.extensions import db
from interacta.members.models import Member

logger = logging.getLogger(__name__)

SCORES = range(1, 6)
MAX_COMMENT = 20000


def current_round(submission: Submission) -> int:
    """The round a review of `submission` belongs to now: 1, then one more per revision
    (revise and resubmit, calls.decisions). The one place that reads `Submission.round`."""
    return submission.round or 1


def is_decided(submission: Submission) -> bool:
    """A decision was made (or the submission withdrawn): its reviews can no longer change."""
    return submission.status != "submitted"


# --- the reviewer's side -----------------------------------------------------------------


@dataclass
class QueueItem:
    assignment: Assignment
    submission: Submission
    review: Review | None

    @property
    def call(self) -> Call:
        return self.submission.call

    @property
    def is_decided(self) -> bool:
        return is_decided(self.submission)


def reviewer_queue(member_id: int) -> list[QueueItem]:
    """The member's assigned submissions across calls, with their review of this round;
    withdrawn submissions left out. Three queries, however long the queue."""
    rows = db.session.execute(
        sa.select(Assignment, Submission)
        .join(Submission, Submission.id == Assignment.submission_id)
        .join(Reviewer, Reviewer.id == Assignment.reviewer_id)
        .where(Reviewer.member_id == member_id, Submission.status != "withdrawn")
        .order_by(Submission.call_id, Submission.title_key, Submission.id)
    ).all()
    reviews = _reviews_by_pair([a.reviewer_id for a, _s in rows])
    return [QueueItem(a, s, reviews.get((s.id, a.reviewer_id, current_round(s)))) for a, s in rows]


def _reviews_by_pair(reviewer_ids: list[int]) -> dict[tuple[int, int, int], Review]:
    if not reviewer_ids:
        return {}
    found = db.session.scalars(sa.select(Review).where(Review.reviewer_id.in_(set(reviewer_ids))))
    return {(r.submission_id, r.reviewer_id, r.round): r for r in found}


@dataclass
class ReviewerCall:
    """A call the member reviews for, with what they may declare before assignment."""

    reviewer: Reviewer
    call: Call
    #: The call's active submissions (id, title): conflicts are declared among them.
    submissions: list[tuple[int, str]]
    conflicts: set[int]


def reviewer_calls(member_id: int) -> list[ReviewerCall]:
    """The calls the member reviews for, their submissions and the declared conflicts."""
    revs = _reviewer_rows(member_id)
    if not revs:
        return []
    calls = _calls_by_id({r.call_id for r in revs})
    call_ids = list(calls)
    titles: dict[int, list[tuple[int, str]]] = {}
    for sid, call_id, title in db.session.execute(
        sa.select(Submission.id, Submission.call_id, Submission.title)
        .where(Submission.call_id.in_(call_ids), Submission.status != "withdrawn")
        .order_by(Submission.title_key, Submission.id)
    ):
        titles.setdefault(call_id, []).append((sid, title))
    declared: dict[int, set[int]] = {}
    for reviewer_id, submission_id in db.session.execute(
        sa.select(DeclaredConflict.reviewer_id, DeclaredConflict.submission_id).where(
            DeclaredConflict.reviewer_id.in_([r.id for r in revs])
        )
    ):
        declared.setdefault(reviewer_id, set()).add(submission_id)
    return [
        ReviewerCall(r, calls[r.call_id], titles.get(r.call_id, []), declared.get(r.id, set()))
        for r in revs
    ]


def _reviewer_rows(member_id: int) -> list[Reviewer]:
    return list(
        db.session.scalars(
            sa.select(Reviewer).where(Reviewer.member_id == member_id).order_by(Reviewer.id)
        )
    )


def _calls_by_id(ids) -> dict[int, Call]:
    """Calls with their events (joined) and criteria (one more query)."""
    return {c.id: c for c in db.session.scalars(sa.select(Call).where(Call.id.in_(ids or [-1])))}


def reviewer_call_count(member_id: int) -> int:
    """How many calls the member reviews for (the account page links to the queue)."""
    return db.session.scalar(
        sa.select(sa.func.count(Reviewer.id)).where(Reviewer.member_id == member_id)
    )


def own_reviewer(reviewer_id: int, member) -> Reviewer | None:
    """The member's own reviewer row of a call, or None (someone else's is not found)."""
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None or member is None or reviewer.member_id != member.id:
        return None
    return reviewer


def own_assignment(assignment_id: int, member) -> Assignment | None:
    """The assignment if `member` is its reviewer, else None (the page is then not found)."""
    if member is None:
        return None
    return db.session.scalar(
        sa.select(Assignment)
        .join(Reviewer, Reviewer.id == Assignment.reviewer_id)
        .where(Assignment.id == assignment_id, Reviewer.member_id == member.id)
        .options(joinedload(Assignment.submission))
    )


def review_of(assignment: Assignment) -> Review | None:
    """The assigned reviewer's review of the submission in its current round."""
    submission = assignment.submission
    return db.session.scalar(
        sa.select(Review).where(
            Review.submission_id == submission.id,
            Review.reviewer_id == assignment.reviewer_id,
            Review.round == current_round(submission),
        )
    )


CLOSED = _l("Decisions have been made on this submission: the review can no longer change.")


class ReviewsClosed(DomainError):
    status_code = 409


class InvalidReview(DomainError):
    """A value of the review is not acceptable (names the form field)."""


@dataclass
class ReviewValues:
    #: {criterion id: score 1-5}
    scores: dict[int, int | None] = field(default_factory=dict)
    comment_authors: str = ""
    comment_organizers: str = ""
    recommendation: str = ""


def save_review(assignment: Assignment, values: ReviewValues) -> Review:
    """Write or change the reviewer's review of this round; refused once decided."""
    submission = assignment.submission
    if is_decided(submission):
        raise ReviewsClosed(str(CLOSED))
    call = submission.call
    scores = {}
    for criterion in call.criteria:
        score = values.scores.get(criterion.id)
        if score not in SCORES:
            raise InvalidReview(
                _("Give %(criterion)s a score from 1 to 5.", criterion=criterion.name),
                field=f"score_{criterion.id}",
            )
        scores[str(criterion.id)] = int(score)
    if values.recommendation not in RECOMMENDATIONS:
        raise InvalidReview(_("Choose a recommendation."), field="recommendation")
    for name in ("comment_authors", "comment_organizers"):
        if len(getattr(values, name)) > MAX_COMMENT:
            raise InvalidReview(
                _("At most %(n)d characters.", n=MAX_COMMENT), field=name
            )  # pragma: no cover - the form's length check answers first
    review = review_of(assignment)
    if review is None:
        review = Review(
            submission_id=submission.id,
            reviewer_id=assignment.reviewer_id,
            round=current_round(submission),
        )
        db.session.add(review)
    review.scores = scores
    review.comment_authors = values.comment_authors.strip()
    review.comment_organizers = values.comment_organizers.strip()
    review.recommendation = values.recommendation
    review.updated_at = utcnow()
    db.session.flush()
    logger.info("review %s of submission %s saved", review.id, submission.id)
    return review


def set_preferences(reviewer: Reviewer, tracks: list[str], conflicts: list[int]) -> None:
    """The reviewer's preferred tracks and declared conflicts (until decisions are made)."""
    services.set_preferences(reviewer, tracks, conflicts)


def is_double_blind(submission: Submission) -> bool:
    return submission.call.blind_mode == "double"


def authors_for_reviewer(submission: Submission) -> list[dict]:
    """The authors a reviewer may see: none in double-blind review; names and
    affiliations (never emails) in single-blind review."""
    if is_double_blind(submission):
        return []
    people = []
    if submission.member is not None:
        people.append(
            {"name": submission.member.name, "affiliation": submission.member.affiliation or ""}
        )
    for person in submission.coauthors or []:
        people.append({"name": person.get("name", ""), "affiliation": person.get("affiliation")})
    return people


class PaperUnavailable(DomainError):
    status_code = 404


#: Metadata entries that can name a person (the authors, or whoever made the file).
_PERSONAL_INFO = ("/Author", "/Creator", "/Producer", "/LastModifiedBy", "/Company", "/Manager")


def paper_for_reviewer(submission: Submission) -> bytes:
    """The submission's PDF as a reviewer downloads it: in double-blind review without
    the author, creator and producer in its document information and without XMP metadata
    (which repeats them); refused when the file cannot be read to do so."""
    if not submission.pdf_file:
        raise PaperUnavailable(_("This submission has no PDF."))
    path = services.submission_dir() / submission.pdf_file
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PaperUnavailable(_("This submission has no PDF.")) from None
    if not is_double_blind(submission):
        return data
    return strip_pdf_metadata(data)


def strip_pdf_metadata(data: bytes) -> bytes:
    """`data` rewritten without personal metadata (raises PaperUnavailable if unreadable)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data))
        writer = PdfWriter(clone_from=reader)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        logger.warning("a submitted PDF could not be read to strip its metadata")
        raise PaperUnavailable(
            _("The PDF cannot be made anonymous for download; please ask the organizers.")
        ) from None
    info = dict(reader.metadata or {})
    kept = {k: v for k, v in info.items() if k not in _PERSONAL_INFO and k != "/Keywords"}
    kept = {k: v for k, v in kept.items() if k in ("/Title", "/Subject")}
    writer.metadata = None
    if kept:
        writer.add_metadata(kept)
    root = writer._root_object
    root.pop(NameObject("/Metadata"), None)
    root.pop(NameObject("/PieceInfo"), None)
    for page in writer.pages:
        page.pop(NameObject("/Metadata"), None)
        page.pop(NameObject("/PieceInfo"), None)
    # The objects no longer referenced (the old information dictionary, the XMP stream)
    # would otherwise still be written into the file.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- reviewers of a call, assignment and its mails ---------------------------------------


class NoSuchMember(DomainError):
    status_code = 404
    field = "email"


def add_reviewer_by_email(call: Call, email: str) -> Reviewer:
    """Make the active member with this email a reviewer of the call."""
    address = normalize_email(email or "")
    member = db.session.scalar(
        sa.select(Member).where(
            Member.email == address, Member.is_active.is_(True), Member.erased_at.is_(None)
        )
    )
    if member is None or not address:
        raise NoSuchMember(_("No member has this email address."))
    return services.add_reviewer(call, member)


def remove_reviewer(call: Call, reviewer_id: int) -> None:
    """Take a reviewer off the call with their assignments; refused once they reviewed."""
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None or reviewer.call_id != call.id:
        raise NotFound(_("This member does not review for this call."))
    written = db.session.scalar(
        sa.select(sa.func.count(Review.id)).where(Review.reviewer_id == reviewer.id)
    )
    if written:
        raise Conflict(
            _("%(name)s has already written reviews for this call.", name=reviewer.member.name)
        )
    _delete_reviewers([reviewer.id])


def _delete_reviewers(ids: list[int]) -> None:
    """Delete reviewer rows; their reviews stay, anonymous (the foreign keys say the same,
    spelled out here so it holds whatever the database enforces)."""
    if not ids:
        return
    db.session.execute(sa.delete(Assignment).where(Assignment.reviewer_id.in_(ids)))
    db.session.execute(sa.delete(DeclaredConflict).where(DeclaredConflict.reviewer_id.in_(ids)))
    db.session.execute(
        sa.update(Review).where(Review.reviewer_id.in_(ids)).values(reviewer_id=None),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        sa.delete(Reviewer).where(Reviewer.id.in_(ids)),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.flush()


def _assignment_pairs(call: Call) -> set[tuple[int, int]]:
    return {(a.submission_id, a.reviewer_id) for a in services.assignments(call)}


def assign(call: Call) -> int:
    """Assign reviewers (calls.services.assign) and mail each reviewer who got new
    submissions, once. Returns the number of assignments made."""
    before = _assignment_pairs(call)
    made = services.assign(call)
    new = _assignment_pairs(call) - before
    _mail_new(call, new)
    return made


def assign_by_hand(submission: Submission, reviewer: Reviewer) -> Assignment:
    """Give a submission to a reviewer by hand (calls.services.assign_by_hand) and mail
    the reviewer when it is new to them."""
    existed = db.session.scalar(
        sa.select(Assignment.id).where(
            Assignment.submission_id == submission.id, Assignment.reviewer_id == reviewer.id
        )
    )
    assignment = services.assign_by_hand(submission, reviewer)
    if existed is None:
        _mail_new(submission.call, {(submission.id, reviewer.id)})
    return assignment


def _mail_new(call: Call, pairs: set[tuple[int, int]]) -> None:
    by_reviewer: dict[int, list[int]] = {}
    for submission_id, reviewer_id in pairs:
        by_reviewer.setdefault(reviewer_id, []).append(submission_id)
    if not by_reviewer:
        return
    revs = db.session.scalars(sa.select(Reviewer).where(Reviewer.id.in_(by_reviewer)))
    titles = dict(
        db.session.execute(
            sa.select(Submission.id, Submission.title).where(
                Submission.id.in_([s for ids in by_reviewer.values() for s in ids])
            )
        ).all()
    )
    for reviewer in sorted(revs, key=lambda r: r.id):
        new_titles = sorted(titles[s] for s in by_reviewer[reviewer.id])
        review_notifications.new_assignments(reviewer.member, call, new_titles)


# --- the organizer's table ---------------------------------------------------------------

SORTS = ("title", "type", "track", "reviews", "mean", "spread", "status")


@dataclass
class SubmissionRow:
    submission: Submission
    assigned: int
    needed: int
    summary: ScoreSummary

    @property
    def done(self) -> int:
        return self.summary.reviews


def submission_rows(call: Call, sort: str = "title", direction: str = "asc") -> list[SubmissionRow]:
    """Every submission of the call with its reviews of the current round, the weighted
    mean and the spread; sorted by `sort` (one of SORTS). Three queries, however many."""
    subs = list(
        db.session.scalars(
            sa.select(Submission).where(Submission.call_id == call.id).order_by(Submission.id)
        )
    )
    ids = [s.id for s in subs] or [-1]
    assigned = dict(
        db.session.execute(
            sa.select(Assignment.submission_id, sa.func.count(Assignment.id))
            .where(Assignment.submission_id.in_(ids))
            .group_by(Assignment.submission_id)
        ).all()
    )
    reviews: dict[int, list[Review]] = {}
    for review in db.session.scalars(sa.select(Review).where(Review.submission_id.in_(ids))):
        reviews.setdefault(review.submission_id, []).append(review)
    criteria = list(call.criteria)
    rows = []
    for s in subs:
        this_round = [r for r in reviews.get(s.id, []) if r.round == current_round(s)]
        rows.append(
            SubmissionRow(
                s,
                assigned.get(s.id, 0),
                call.reviews_per_submission,
                summarize(this_round, criteria),
            )
        )
    return sort_rows(rows, sort, direction)


def sort_rows(rows: list[SubmissionRow], sort: str, direction: str) -> list[SubmissionRow]:
    """Sorted by a column; rows without a score go last either way, ties by title."""
    sort = sort if sort in SORTS else "title"
    reverse = direction == "desc"
    text = {
        "title": lambda r: r.submission.title_key,
        "type": lambda r: r.submission.type_label.casefold(),
        "track": lambda r: r.submission.track.casefold(),
        "status": lambda r: r.submission.status_label.casefold(),
    }
    numbers = {
        "reviews": lambda r: r.done,
        "mean": lambda r: r.summary.mean,
        "spread": lambda r: r.summary.spread,
    }
    rows = sorted(rows, key=lambda r: (r.submission.title_key, r.submission.id))
    if sort in text:
        return sorted(rows, key=text[sort], reverse=reverse)
    key = numbers[sort]
    scored = sorted((r for r in rows if key(r) is not None), key=key, reverse=reverse)
    return scored + [r for r in rows if key(r) is None]


def csv_rows(call: Call, sort: str = "title", direction: str = "asc"):
    """The table's rows as plain values for the CSV export (the header is the view's)."""
    for row in submission_rows(call, sort, direction):
        s, summary = row.submission, row.summary
        yield [
            s.id,
            s.title,
            s.contribution_type,
            s.track,
            row.done,
            row.needed,
            row.assigned,
            "" if summary.mean is None else f"{summary.mean:.2f}",
            "" if summary.spread is None else f"{summary.spread:.2f}",
            "yes" if summary.disagreement else "",
            s.status,
        ]


# --- personal data -----------------------------------------------------------------------


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def export_member(member) -> dict:
    """The calls the member reviews for and the reviews they wrote, for their data export."""
    revs = _reviewer_rows(member.id)
    calls = _calls_by_id({r.call_id for r in revs})
    by_id = {r.id: r for r in revs}
    written = db.session.execute(
        sa.select(Review, Submission.title)
        .join(Submission, Submission.id == Review.submission_id)
        .where(Review.reviewer_id.in_(list(by_id) or [-1]))
        .order_by(Review.id)
    ).all()
    return {
        "reviewer_of": [
            {
                "event": calls[r.call_id].event.title,
                "preferred_tracks": sorted(r.preferences),
            }
            for r in revs
        ],
        "reviews": [
            {
                "event": calls[by_id[review.reviewer_id].call_id].event.title,
                "submission_title": title,
                "round": review.round,
                "scores": {
                    c.name: review.scores.get(str(c.id))
                    for c in calls[by_id[review.reviewer_id].call_id].criteria
                },
                "comment_for_the_authors": review.comment_authors,
                "comment_for_the_organizers": review.comment_organizers,
                "recommendation": review.recommendation,
                "written_at": _iso(review.created_at),
                "changed_at": _iso(review.updated_at),
            }
            for review, title in written
        ],
    }


def erase_member(member) -> None:
    """The member stops reviewing: their reviewer rows, assignments and declared
    conflicts go; the reviews they wrote stay for the submissions, anonymous."""
    ids = list(db.session.scalars(sa.select(Reviewer.id).where(Reviewer.member_id == member.id)))
    _delete_reviewers(ids)
