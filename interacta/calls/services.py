"""The rules of calls for papers; no `request`, so the CLI and tests call them directly."""

from __future__ import annotations

import functools
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from interacta.calls import notifications
from interacta.calls.models import (
    BLIND_MODES,
    CONTRIBUTION_TYPES,
    Assignment,
    Call,
    Criterion,
    DeclaredConflict,
    Reviewer,
    Submission,
    SubmissionRevision,
)
from interacta.core.errors import DomainError, NotAllowed
from interacta.core.models import utcnow
from interacta.core.text import normalize_email
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.services import normalize_orcid
from interacta.publications import files

logger = logging.getLogger(__name__)

MAX_CRITERIA = 10
MAX_WEIGHT = 10


class InvalidCall(DomainError):
    """A value of the call is not acceptable (names the form field)."""


@dataclass
class CallValues:
    """What an organizer enters; `deadline` is a wall-clock time in the event's zone."""

    deadline: datetime
    scope: str = ""
    types: list[str] = field(default_factory=lambda: ["paper"])
    tracks: list[str] = field(default_factory=list)
    abstract_word_limit: int = 300
    pdf_required: bool = False
    blind_mode: str = "double"
    #: (name, weight) pairs, weight 1-MAX_WEIGHT
    criteria: list[tuple[str, int]] = field(default_factory=list)
    reviews_per_submission: int = 2
    decision_on: date | None = None


def call_for_event(event_id: int) -> Call | None:
    """The event's call, if it has one."""
    return db.session.scalar(_call_for_event_statement(), {"event_id": event_id})


@functools.cache
def _call_for_event_statement() -> sa.Select:
    """Built once with its cache key (every event page asks): the event is bound when run."""
    return sa.select(Call).where(Call.event_id == sa.bindparam("event_id"))


def event_page_call(event_id: int) -> Call | None:
    """call_for_event for the event's page, which holds the event already: the call alone,
    without its joined event (read, it comes from the session; a third less work)."""
    return db.session.scalar(_event_page_call_statement(), {"event_id": event_id})


@functools.cache
def _event_page_call_statement() -> sa.Select:
    return _call_for_event_statement().options(sa.orm.lazyload(Call.event))


def parse_criteria(text: str) -> list[tuple[str, int]]:
    """Lines "Name | weight" (weight 1 when left out) as (name, weight) pairs."""
    criteria = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, weight = line.partition("|")
        name = name.strip()
        try:
            value = int(weight.strip()) if weight.strip() else 1
        except ValueError:
            raise InvalidCall(
                _("Write each criterion as “Name | weight”, the weight a whole number."),
                field="criteria",
            ) from None
        criteria.append((name, value))
    return criteria


def format_criteria(call: Call) -> str:
    return "\n".join(f"{c.name} | {c.weight}" for c in call.criteria)


def _validate(values: CallValues, event: Event) -> datetime:
    types = [t for t in values.types if t in CONTRIBUTION_TYPES]
    if not types or len(types) != len(values.types):
        raise InvalidCall(_("Choose at least one contribution type."), field="types")
    if values.blind_mode not in BLIND_MODES:
        raise InvalidCall(_("Choose single-blind or double-blind review."), field="blind_mode")
    if not 20 <= values.abstract_word_limit <= 5000:
        raise InvalidCall(
            _("The word limit must be between 20 and 5000 words."), field="abstract_word_limit"
        )
    if not 1 <= values.reviews_per_submission <= 10:
        raise InvalidCall(
            _("Each submission needs between 1 and 10 reviews."), field="reviews_per_submission"
        )
    if not values.criteria:
        raise InvalidCall(_("Name at least one review criterion."), field="criteria")
    if len(values.criteria) > MAX_CRITERIA:
        raise InvalidCall(_("At most %(n)d review criteria.", n=MAX_CRITERIA), field="criteria")
    names = set()
    for name, weight in values.criteria:
        if not name or len(name) > 120:
            raise InvalidCall(
                _("Each criterion needs a name of at most 120 characters."), field="criteria"
            )
        if not 1 <= weight <= MAX_WEIGHT:
            raise InvalidCall(
                _("Each weight must be between 1 and %(n)d.", n=MAX_WEIGHT), field="criteria"
            )
        if name.casefold() in names:
            raise InvalidCall(_("Two criteria have the same name."), field="criteria")
        names.add(name.casefold())
    try:
        deadline = event_services.local_to_utc(values.deadline, event.timezone)
    except event_services.NonexistentLocalTime as exc:
        raise InvalidCall(str(exc), field="deadline") from None
    if deadline > event.ends_at:
        raise InvalidCall(_("The deadline must be before the event ends."), field="deadline")
    if values.decision_on and values.decision_on < values.deadline.date():
        raise InvalidCall(
            _("The decision date cannot be before the deadline."), field="decision_on"
        )
    return deadline


def save_call(event: Event, values: CallValues) -> Call:
    """Open the event's call, or change it; the deadline is read in the event's zone."""
    deadline = _validate(values, event)
    call = call_for_event(event.id)
    if call is None:
        call = Call(event_id=event.id, event=event)
        db.session.add(call)
    call.scope = values.scope.strip()
    call.types = ",".join(t for t in CONTRIBUTION_TYPES if t in values.types)
    call.tracks = "\n".join(t.strip() for t in values.tracks if t.strip())
    call.abstract_word_limit = values.abstract_word_limit
    call.pdf_required = values.pdf_required
    call.deadline_at = deadline
    call.blind_mode = values.blind_mode
    call.reviews_per_submission = values.reviews_per_submission
    call.decision_on = values.decision_on
    _set_criteria(call, values.criteria)
    db.session.flush()
    logger.info("call %s of event %s saved", call.id, event.id)
    return call


def _set_criteria(call: Call, criteria: list[tuple[str, int]]) -> None:
    by_name = {c.name.casefold(): c for c in call.criteria}
    kept = []
    for position, (name, weight) in enumerate(criteria):
        criterion = by_name.pop(name.casefold(), None) or Criterion(name=name)
        criterion.name, criterion.weight, criterion.position = name, weight, position
        kept.append(criterion)
    call.criteria = kept


def closes_in(call: Call, now: datetime | None = None) -> str | None:
    """ "Closes in 3 days" (hours, minutes when near); None once closed."""
    left = call.deadline_at - (now or utcnow())
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return None
    if seconds >= 2 * 86400:
        days = seconds // 86400
        return ngettext("Closes in %(num)d day.", "Closes in %(num)d days.", days)
    if seconds >= 3600:
        hours = seconds // 3600
        return ngettext("Closes in %(num)d hour.", "Closes in %(num)d hours.", hours)
    minutes = max(1, seconds // 60)
    return ngettext("Closes in %(num)d minute.", "Closes in %(num)d minutes.", minutes)


def public_call(slug: str, member=None) -> Call | None:
    """The call of a visible, not cancelled event, or None."""
    event = event_services.load_event_page(slug)
    if event is None or not event_services.is_visible(event, member):
        return None
    return call_for_event(event.id)


# --- submissions -------------------------------------------------------------------------


class CallClosed(DomainError):
    status_code = 409


class InvalidSubmission(DomainError):
    """A value of the submission is not acceptable (names the form field)."""


class DuplicateTitle(DomainError):
    status_code = 409
    field = "title"


MAX_COAUTHORS = 20
#: The names we give stored PDFs; no other name is ever deleted.
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")
_WORD = re.compile(r"\S+")


@dataclass
class SubmissionValues:
    title: str
    contribution_type: str
    abstract: str
    track: str = ""
    keywords: str = ""
    #: [{"name", "affiliation", "email", "orcid"}]
    coauthors: list[dict] = field(default_factory=list)
    consent_publication: bool = False


def count_words(text: str) -> int:
    """Words as the page's counter counts them: runs of non-space characters."""
    return len(_WORD.findall(text or ""))


def title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def parse_coauthors(text: str) -> list[dict]:
    """Lines "Name | Affiliation | Email | ORCID" (the last three optional)."""
    people = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", ""]
        name, affiliation, email, orcid = parts[:4]
        if not name or len(name) > 120 or len(affiliation) > 200:
            raise InvalidSubmission(
                _("Give each co-author a name (at most 120 characters) on a line of its own."),
                field="coauthors",
            )
        email = normalize_email(email) if email else ""
        if email and (len(email) > 320 or "@" not in email.strip("@")):
            raise InvalidSubmission(
                _("%(email)s is not an email address.", email=email), field="coauthors"
            )
        try:
            orcid = normalize_orcid(orcid) or ""
        except ValueError as exc:
            raise InvalidSubmission(str(exc), field="coauthors") from None
        people.append({"name": name, "affiliation": affiliation, "email": email, "orcid": orcid})
    if len(people) > MAX_COAUTHORS:
        raise InvalidSubmission(_("At most %(n)d co-authors.", n=MAX_COAUTHORS), field="coauthors")
    return people


def format_coauthors(submission: Submission) -> str:
    return "\n".join(
        " | ".join((c["name"], c["affiliation"], c["email"], c["orcid"])).rstrip(" |")
        for c in submission.coauthors or []
    )


def check_open(call: Call, now: datetime | None = None) -> None:
    if not call.is_open(now):
        raise CallClosed(_("The call is closed: nothing can be submitted or changed any more."))


def _check_submission(
    call: Call, member, values: SubmissionValues, exclude_id: int | None = None
) -> None:
    if not values.title.strip() or len(values.title.strip()) > 300:
        raise InvalidSubmission(_("Give a title of at most 300 characters."), field="title")
    if values.contribution_type not in call.type_keys:
        raise InvalidSubmission(
            _("Choose one of the contribution types of this call."), field="contribution_type"
        )
    if call.track_list and values.track not in call.track_list:
        raise InvalidSubmission(_("Choose one of the tracks of this call."), field="track")
    words = count_words(values.abstract)
    if words == 0:
        raise InvalidSubmission(_("Write an abstract."), field="abstract")
    if words > call.abstract_word_limit:
        raise InvalidSubmission(
            _(
                "The abstract has %(words)d words; this call allows at most %(limit)d.",
                words=words,
                limit=call.abstract_word_limit,
            ),
            field="abstract",
        )
    query = sa.select(Submission.id).where(
        Submission.call_id == call.id,
        Submission.member_id == member.id,
        Submission.title_key == title_key(values.title),
        Submission.status != "withdrawn",
    )
    if exclude_id is not None:
        query = query.where(Submission.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DuplicateTitle(_("You have already submitted a contribution with this title."))


def _apply(submission: Submission, values: SubmissionValues) -> None:
    submission.title = values.title.strip()
    submission.title_key = title_key(values.title)
    submission.contribution_type = values.contribution_type
    submission.track = values.track
    submission.abstract = values.abstract.strip()
    submission.keywords = values.keywords.strip()[:500]
    submission.coauthors = list(values.coauthors)
    submission.consent_publication = values.consent_publication


def submission_dir() -> Path:
    path = Path(current_app.instance_path) / "calls"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store_pdf(submission: Submission, data: bytes) -> str | None:
    """Store checked PDF bytes; returns the replaced file's name (deleted after commit)."""
    files.check_pdf(data)
    name = f"{secrets.token_hex(16)}.pdf"
    (submission_dir() / name).write_bytes(data)
    old, submission.pdf_file, submission.pdf_size = submission.pdf_file, name, len(data)
    return old


def delete_submission_pdf(name: str | None) -> None:
    if name and _STORED_NAME.fullmatch(name):
        (submission_dir() / name).unlink(missing_ok=True)


def submit(
    call: Call,
    member,
    values: SubmissionValues,
    pdf: bytes | None = None,
    now: datetime | None = None,
) -> Submission:
    """A verified member submits to an open call; a receipt is mailed."""
    check_open(call, now)
    if member.email_verified_at is None:
        raise NotAllowed(_("Please confirm your email address before you submit."))
    _check_submission(call, member, values)
    if call.pdf_required and not pdf:
        raise InvalidSubmission(_("This call asks for the full paper as a PDF."), field="pdf")
    submission = Submission(call=call, call_id=call.id, member_id=member.id, member=member)
    _apply(submission, values)
    if pdf:
        _store_pdf(submission, pdf)
    db.session.add(submission)
    db.session.flush()
    notifications.receipt(submission, "submitted")
    logger.info("submission %s to call %s", submission.id, call.id)
    return submission


def update_submission(
    submission: Submission,
    values: SubmissionValues,
    pdf: bytes | None = None,
    now: datetime | None = None,
) -> str | None:
    """The author changes a submission until the deadline; returns a replaced PDF's name."""
    if not submission.is_active:
        raise CallClosed(_("This submission was withdrawn."))
    if submission.status != "submitted":
        raise CallClosed(_("A decision was made: this submission can no longer be changed."))
    check_open(submission.call, now)
    _check_submission(submission.call, submission.member, values, exclude_id=submission.id)
    _apply(submission, values)
    old = _store_pdf(submission, pdf) if pdf else None
    db.session.flush()
    notifications.receipt(submission, "changed")
    return old


def withdraw(submission: Submission, now: datetime | None = None) -> None:
    """The author withdraws a submission until the deadline."""
    if not submission.is_active:
        return
    check_open(submission.call, now)
    submission.status = "withdrawn"
    submission.withdrawn_at = now or utcnow()
    db.session.flush()
    notifications.receipt(submission, "withdrawn")


def member_submissions(member_id: int) -> list[Submission]:
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.member_id == member_id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def own_submission(submission_id: int, member) -> Submission | None:
    submission = db.session.get(Submission, submission_id)
    if submission is None or member is None or submission.member_id != member.id:
        return None
    return submission


# --- personal data -----------------------------------------------------------------------


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_member(member) -> list[dict]:
    """A member's submissions, for their data export: with the decisions sent to them and
    the earlier versions of revised ones."""
    submissions = member_submissions(member.id)
    revisions: dict[int, list[SubmissionRevision]] = {}
    for revision in db.session.scalars(
        sa.select(SubmissionRevision)
        .where(SubmissionRevision.submission_id.in_([s.id for s in submissions] or [-1]))
        .order_by(SubmissionRevision.round)
    ):
        revisions.setdefault(revision.submission_id, []).append(revision)
    result = []
    for s in submissions:
        sent = s.decision_sent_at is not None
        result.append(
            {
                "event": s.call.event.title,
                "call_url": f"/events/{s.call.event.slug}/call",
                "title": s.title,
                "type": s.contribution_type,
                "track": s.track,
                "abstract": s.abstract,
                "keywords": s.keywords,
                "coauthors": s.coauthors,
                "has_pdf": bool(s.pdf_file),
                "consent_publication": s.consent_publication,
                # A decision not sent yet is still the organizers' draft.
                "status": s.status if sent or not s.is_decided else "submitted",
                "version": s.round,
                "decision": (
                    {
                        "status": s.status,
                        "accepted_as": s.accepted_as,
                        "revise_by": _when(s.revise_by),
                        "sent_at": _when(s.decision_sent_at),
                    }
                    if sent
                    else None
                ),
                "earlier_versions": [
                    {
                        "version": r.round,
                        "title": r.title,
                        "type": r.contribution_type,
                        "track": r.track,
                        "abstract": r.abstract,
                        "keywords": r.keywords,
                        "coauthors": r.coauthors,
                        "has_pdf": bool(r.pdf_file),
                        "decision": r.decision,
                        "revised_at": _when(r.created_at),
                    }
                    for r in revisions.get(s.id, [])
                ],
                "submitted_at": s.created_at.isoformat(),
                "withdrawn_at": _when(s.withdrawn_at),
            }
        )
    return result


def erase_member(member) -> None:
    """Withdraw the member's submissions, unless published as a working paper, and cut
    them loose from the account; the PDFs of every version are deleted, and a withdrawn
    contribution's session leaves the agenda (after the erasure, nothing of theirs stays
    behind a submission but what was published)."""
    now = utcnow()
    submissions = member_submissions(member.id)
    revisions = list(
        db.session.scalars(
            sa.select(SubmissionRevision).where(
                SubmissionRevision.submission_id.in_([s.id for s in submissions] or [-1])
            )
        )
    )
    names = [r.pdf_file for r in revisions]
    for revision in revisions:
        revision.pdf_file = revision.pdf_size = None
    for submission in submissions:
        published = submission.publication is not None and submission.publication.is_published
        if submission.is_active and not published:
            submission.status, submission.withdrawn_at = "withdrawn", now
            if submission.agenda_session_id is not None:
                event_services.remove_session(submission.agenda_session_id)
                submission.agenda_session_id = None
        names.append(submission.pdf_file)
        submission.pdf_file = submission.pdf_size = None
        submission.member_id = None
    db.session.flush()
    for name in names:
        delete_submission_pdf(name)


# --- reviewers and assignment ------------------------------------------------------------


class NotAReviewer(DomainError):
    status_code = 404


class ConflictOfInterest(DomainError):
    status_code = 409


def reviewers(call: Call) -> list[Reviewer]:
    return list(
        db.session.scalars(
            sa.select(Reviewer).where(Reviewer.call_id == call.id).order_by(Reviewer.id)
        )
    )


def add_reviewer(call: Call, member) -> Reviewer:
    """Make a member a reviewer of the call (once)."""
    existing = db.session.scalar(
        sa.select(Reviewer).where(Reviewer.call_id == call.id, Reviewer.member_id == member.id)
    )
    if existing is not None:
        return existing
    reviewer = Reviewer(call_id=call.id, member_id=member.id, member=member)
    db.session.add(reviewer)
    db.session.flush()
    return reviewer


def set_preferences(reviewer: Reviewer, tracks: list[str], conflicts: list[int]) -> None:
    """A reviewer states the tracks they prefer and the submissions they must not review."""
    call = db.session.get(Call, reviewer.call_id)
    known = set(call.track_list)
    reviewer.preferred_tracks = "\n".join(t for t in tracks if t in known)
    ids = set(
        db.session.scalars(
            sa.select(Submission.id).where(
                Submission.call_id == call.id, Submission.id.in_(conflicts or [-1])
            )
        )
    )
    db.session.execute(
        sa.delete(DeclaredConflict).where(DeclaredConflict.reviewer_id == reviewer.id)
    )
    for submission_id in sorted(ids):
        db.session.add(DeclaredConflict(reviewer_id=reviewer.id, submission_id=submission_id))
    db.session.execute(
        sa.delete(Assignment).where(
            Assignment.reviewer_id == reviewer.id, Assignment.submission_id.in_(ids or {-1})
        )
    )
    db.session.flush()


def _fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _authors(submission: Submission) -> tuple[set[str], set[str], set[str]]:
    """The authors' emails, names and affiliations, folded."""
    people = list(submission.coauthors or [])
    member = submission.member
    if member is not None:
        people.append(
            {"name": member.name, "email": member.email or "", "affiliation": member.affiliation}
        )
    emails = {_fold(p.get("email")) for p in people} - {""}
    names = {_fold(p.get("name")) for p in people} - {""}
    affiliations = {_fold(p.get("affiliation")) for p in people} - {""}
    return emails, names, affiliations


def conflicts(submissions: list[Submission], reviewer_list: list[Reviewer]) -> set[tuple[int, int]]:
    """(submission id, reviewer id) pairs that must never be assigned: the reviewer is an
    author or co-author, shares an author's affiliation, or declared a conflict."""
    declared = {
        (submission_id, reviewer_id)
        for submission_id, reviewer_id in db.session.execute(
            sa.select(DeclaredConflict.submission_id, DeclaredConflict.reviewer_id).where(
                DeclaredConflict.reviewer_id.in_([r.id for r in reviewer_list] or [-1])
            )
        )
    }
    pairs = set(declared)
    for submission in submissions:
        emails, names, affiliations = _authors(submission)
        for reviewer in reviewer_list:
            member = reviewer.member
            if (
                reviewer.member_id == submission.member_id
                or _fold(member.email) in emails
                or _fold(member.name) in names
                or (member.affiliation and _fold(member.affiliation) in affiliations)
            ):
                pairs.add((submission.id, reviewer.id))
    return pairs


def active_submissions(call: Call) -> list[Submission]:
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.call_id == call.id, Submission.status != "withdrawn")
            .order_by(Submission.id)
        )
    )


def assignments(call: Call) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Submission, Submission.id == Assignment.submission_id)
            .where(Submission.call_id == call.id)
            .order_by(Assignment.submission_id, Assignment.reviewer_id)
        )
    )


def assign(call: Call) -> int:
    """Give each active submission the call's number of reviewers, the least loaded first
    (a preferred track breaks ties), never one with a conflict; then even out the loads.
    Existing assignments stay. Returns the number of assignments made."""
    subs = active_submissions(call)
    revs = reviewers(call)
    blocked = conflicts(subs, revs)
    have: dict[int, set[int]] = {s.id: set() for s in subs}
    load = {r.id: 0 for r in revs}
    for a in assignments(call):
        if a.submission_id in have:
            have[a.submission_id].add(a.reviewer_id)
            load[a.reviewer_id] = load.get(a.reviewer_id, 0) + 1
    need = call.reviews_per_submission
    made: list[tuple[int, int]] = []

    def eligible(sub: Submission) -> list[Reviewer]:
        return [r for r in revs if (sub.id, r.id) not in blocked and r.id not in have[sub.id]]

    # The hardest submissions (fewest eligible reviewers) first.
    for sub in sorted(subs, key=lambda s: (len(eligible(s)), s.id)):
        while len(have[sub.id]) < need:
            choices = eligible(sub)
            if not choices:
                break
            best = min(choices, key=lambda r: (load[r.id], sub.track not in r.preferences, r.id))
            have[sub.id].add(best.id)
            load[best.id] += 1
            made.append((sub.id, best.id))
    made_set = set(made)
    # Even out: move one of the new assignments from the busiest to the idlest reviewer
    # wherever the idlest may take it.
    for _round in range(len(made) + 1):
        busiest = max(revs, key=lambda r: (load[r.id], -r.id), default=None)
        idlest = min(revs, key=lambda r: (load[r.id], r.id), default=None)
        if busiest is None or load[busiest.id] - load[idlest.id] <= 1:
            break
        movable = next(
            (
                (s, b)
                for s, b in sorted(made_set)
                if b == busiest.id and (s, idlest.id) not in blocked and idlest.id not in have[s]
            ),
            None,
        )
        if movable is None:
            break
        s, b = movable
        made_set.discard((s, b))
        made_set.add((s, idlest.id))
        have[s].discard(b)
        have[s].add(idlest.id)
        load[b] -= 1
        load[idlest.id] += 1
    for submission_id, reviewer_id in sorted(made_set):
        db.session.add(Assignment(submission_id=submission_id, reviewer_id=reviewer_id))
    db.session.flush()
    return len(made_set)


def assign_by_hand(submission: Submission, reviewer: Reviewer) -> Assignment:
    """The organizer gives a submission to a reviewer; a conflict is refused."""
    if reviewer.call_id != submission.call_id:
        raise NotAReviewer(_("This member does not review for this call."))
    if (submission.id, reviewer.id) in conflicts([submission], [reviewer]):
        raise ConflictOfInterest(
            _(
                "%(name)s has a conflict of interest with this submission.",
                name=reviewer.member.name,
            )
        )
    existing = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.submission_id == submission.id, Assignment.reviewer_id == reviewer.id
        )
    )
    if existing is not None:
        return existing
    assignment = Assignment(submission_id=submission.id, reviewer_id=reviewer.id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def unassign(submission: Submission, reviewer: Reviewer) -> None:
    db.session.execute(
        sa.delete(Assignment).where(
            Assignment.submission_id == submission.id, Assignment.reviewer_id == reviewer.id
        )
    )
    db.session.flush()
