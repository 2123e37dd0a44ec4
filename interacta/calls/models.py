"""A call for papers of an event and its review criteria."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, TimestampMixin, utcnow
from interacta.events.models import AgendaSession, Event
from interacta.members.models import Member
from interacta.publications.models import Publication

#: Labels are lazy: each is written in the language of the page that shows it.
CONTRIBUTION_TYPES = {
    "paper": _l("Paper"),
    "talk": _l("Talk"),
    "poster": _l("Poster"),
    "panel": _l("Panel"),
}
BLIND_MODES = {
    "single": _l("Single-blind (reviewers see the authors)"),
    "double": _l("Double-blind (reviewers and authors do not see each other)"),
}


class Call(TimestampMixin, Base):
    """An event's call for contributions; one per event."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    #: Markdown; rendered with the |markdown filter (sanitised).
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    #: The contribution types accepted, comma-separated keys of CONTRIBUTION_TYPES.
    types: Mapped[str] = mapped_column(sa.String(100), default="paper")
    #: Tracks or topics, one per line; may be empty.
    tracks: Mapped[str] = mapped_column(sa.Text, default="")
    abstract_word_limit: Mapped[int] = mapped_column(default=300)
    pdf_required: Mapped[bool] = mapped_column(default=False)
    #: UTC; entered and shown in the event's time zone. Submissions close at this minute.
    deadline_at: Mapped[datetime]
    #: single | double
    blind_mode: Mapped[str] = mapped_column(sa.String(10), default="double")
    reviews_per_submission: Mapped[int] = mapped_column(default=2)
    decision_on: Mapped[date | None]

    event: Mapped[Event] = relationship(lazy="joined")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call",
        order_by="Criterion.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def type_keys(self) -> list[str]:
        return [t for t in self.types.split(",") if t]

    @property
    def type_labels(self) -> list[str]:
        return [str(CONTRIBUTION_TYPES.get(t, t)) for t in self.type_keys]

    @property
    def track_list(self) -> list[str]:
        return [t.strip() for t in self.tracks.splitlines() if t.strip()]

    @property
    def blind_label(self) -> str:
        return str(BLIND_MODES.get(self.blind_mode, self.blind_mode))

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) < self.deadline_at

    def __repr__(self) -> str:
        return f"<Call {self.id} event={self.event_id}>"


class Criterion(Base):
    """A review criterion: scored 1-5, weighted in the submission's mean."""

    __tablename__ = "call_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    weight: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[Call] = relationship(back_populates="criteria", lazy="select")

    @property
    def cache_parent(self) -> Call | None:
        """A change to a criterion is a change to its call (interacta.core.cache)."""
        return self.call


SUBMISSION_STATUSES = {
    "submitted": _l("submitted"),
    "withdrawn": _l("withdrawn"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
    "revise": _l("revise and resubmit"),
}
#: The statuses a decision gives (interacta.calls.decisions); "submitted" means undecided.
DECIDED_STATUSES = ("accepted", "rejected", "revise")


class Submission(TimestampMixin, Base):
    """A member's contribution to a call."""

    __tablename__ = "submissions"
    __table_args__ = (sa.Index("ix_submissions_call_status", "call_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    #: The title folded (case, spaces) for the one-submission-per-title rule.
    title_key: Mapped[str] = mapped_column(sa.String(300))
    #: A key of CONTRIBUTION_TYPES offered by the call.
    contribution_type: Mapped[str] = mapped_column(sa.String(20))
    track: Mapped[str] = mapped_column(sa.String(200), default="")
    abstract: Mapped[str] = mapped_column(sa.Text)
    keywords: Mapped[str] = mapped_column(sa.String(500), default="")
    #: [{"name", "affiliation", "email", "orcid"}], in the order of the author list.
    coauthors: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Stored name in the instance's calls folder (random hex + .pdf).
    pdf_file: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_size: Mapped[int | None]
    #: The authors agree to publication (a working paper) if accepted.
    consent_publication: Mapped[bool] = mapped_column(default=False)
    #: submitted (no decision yet) | withdrawn | accepted | rejected | revise
    status: Mapped[str] = mapped_column(sa.String(20), default="submitted")
    withdrawn_at: Mapped[datetime | None]
    #: 1 for the first version; each revision (revise and resubmit) adds one.
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    #: With status "accepted": the CONTRIBUTION_TYPES key it is accepted as.
    accepted_as: Mapped[str | None] = mapped_column(sa.String(20))
    decided_at: Mapped[datetime | None]
    #: When the decision mail was queued; until then the decision can still change.
    decision_sent_at: Mapped[datetime | None]
    #: With status "revise": the revision is due by this moment (UTC).
    revise_by: Mapped[datetime | None]
    #: The agenda session an accepted contribution became.
    agenda_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_sessions.id", ondelete="SET NULL")
    )
    #: The draft working paper an accepted paper became (with the authors' consent).
    publication_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("publications.id", ondelete="SET NULL")
    )

    call: Mapped[Call] = relationship(lazy="joined")
    member: Mapped[Member | None] = relationship(lazy="select")
    agenda_session: Mapped[AgendaSession | None] = relationship(lazy="select")
    publication: Mapped[Publication | None] = relationship(lazy="select")

    @property
    def status_label(self) -> str:
        return str(SUBMISSION_STATUSES.get(self.status, self.status))

    @property
    def type_label(self) -> str:
        return str(CONTRIBUTION_TYPES.get(self.contribution_type, self.contribution_type))

    @property
    def is_active(self) -> bool:
        return self.status != "withdrawn"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def accepted_as_label(self) -> str:
        key = self.accepted_as or self.contribution_type
        return str(CONTRIBUTION_TYPES.get(key, key))

    @property
    def author_status_label(self) -> str:
        """The status as the author sees it: a decision only once it was sent."""
        if self.is_decided and self.decision_sent_at is None:
            return str(SUBMISSION_STATUSES["submitted"])
        return self.status_label

    def __repr__(self) -> str:
        return f"<Submission {self.id} {self.status} call={self.call_id}>"


class Reviewer(Base):
    """A member who reviews for a call, with the tracks they prefer."""

    __tablename__ = "call_reviewers"
    __table_args__ = (sa.UniqueConstraint("call_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    #: Tracks the reviewer prefers, one per line (assignment tries them first).
    preferred_tracks: Mapped[str] = mapped_column(sa.Text, default="")

    member: Mapped[Member] = relationship(lazy="joined")

    @property
    def preferences(self) -> set[str]:
        return {t.strip() for t in self.preferred_tracks.splitlines() if t.strip()}


class DeclaredConflict(Base):
    """A reviewer's declaration: "I must not review this submission"."""

    __tablename__ = "review_conflicts"

    reviewer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_reviewers.id", ondelete="CASCADE"), primary_key=True
    )
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )


class Assignment(Base):
    """A submission given to a reviewer to review."""

    __tablename__ = "review_assignments"
    __table_args__ = (sa.UniqueConstraint("submission_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_reviewers.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(lazy="select")
    reviewer: Mapped[Reviewer] = relationship(lazy="select")


#: A reviewer's overall recommendation.
RECOMMENDATIONS = {
    "accept": _l("Accept"),
    "minor": _l("Accept with minor changes"),
    "revise": _l("Revise and resubmit"),
    "reject": _l("Reject"),
}


class Review(TimestampMixin, Base):
    """One reviewer's review of one submission in one round (a revision starts a new round).

    The review outlives its reviewer: when the reviewing member is erased, `reviewer_id`
    becomes NULL and the review stays, anonymous, with its scores and comments."""

    __tablename__ = "reviews"
    __table_args__ = (sa.UniqueConstraint("submission_id", "reviewer_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("call_reviewers.id", ondelete="SET NULL"), index=True
    )
    #: 1 for the first version; each revision (revise and resubmit) adds one.
    round: Mapped[int] = mapped_column(default=1)
    #: {str(criterion id): score 1-5}
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Shown to the authors with the decision.
    comment_authors: Mapped[str] = mapped_column(sa.Text, default="")
    #: Only the organizers see it.
    comment_organizers: Mapped[str] = mapped_column(sa.Text, default="")
    #: A key of RECOMMENDATIONS.
    recommendation: Mapped[str] = mapped_column(sa.String(10))

    submission: Mapped[Submission] = relationship(lazy="select")
    reviewer: Mapped[Reviewer | None] = relationship(lazy="select")

    @property
    def recommendation_label(self) -> str:
        return str(RECOMMENDATIONS.get(self.recommendation, self.recommendation))

    def __repr__(self) -> str:
        return f"<Review {self.id} submission={self.submission_id} round={self.round}>"


class SubmissionRevision(Base):
    """A submission as it was before a revision (revise and resubmit): one row per
    earlier round, with the decision that round received."""

    __tablename__ = "submission_revisions"
    __table_args__ = (sa.UniqueConstraint("submission_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    contribution_type: Mapped[str] = mapped_column(sa.String(20))
    track: Mapped[str] = mapped_column(sa.String(200), default="")
    abstract: Mapped[str] = mapped_column(sa.Text)
    keywords: Mapped[str] = mapped_column(sa.String(500), default="")
    coauthors: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The stored PDF of that version (kept when the revision brought a new one).
    pdf_file: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_size: Mapped[int | None]
    #: The decision that round received (a status of DECIDED_STATUSES).
    decision: Mapped[str] = mapped_column(sa.String(20), default="revise")
    decided_at: Mapped[datetime | None]
    revise_by: Mapped[datetime | None]
    #: When the revision replaced this version.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SubmissionRevision {self.submission_id} round={self.round}>"


#: What the organizer decides; the status each gives a submission.
DECISIONS = {
    "accept": _l("Accept"),
    "reject": _l("Reject"),
    "revise": _l("Revise and resubmit"),
}
DECISION_STATUS = {"accept": "accepted", "reject": "rejected", "revise": "revise"}


class DecisionTemplate(Base):
    """The organizer's own wording of a decision mail (without one, the default in the
    recipient's language is sent)."""

    __tablename__ = "decision_templates"
    __table_args__ = (sa.UniqueConstraint("call_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    #: A key of DECISIONS.
    kind: Mapped[str] = mapped_column(sa.String(10))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
