"""Demo data: an open call for papers on the next symposium or conference."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from interacta.calls import services
from interacta.calls.models import Call, Review, Submission
from interacta.core.models import utcnow
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member

logger = logging.getLogger(__name__)

SCOPE = """We invite papers, talks and posters on how civilian and military actors work
together before, during and after crises.

- coordination in disaster response
- the protection of civilians
- lessons learned from recent operations
"""


def seed() -> None:
    """A call on the next published symposium or conference; skips if one exists."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Call)):
        return
    now = utcnow()
    event = db.session.scalar(
        sa.select(Event)
        .where(
            Event.kind.in_(("symposium", "conference")),
            Event.status == "published",
            Event.starts_at > now + timedelta(days=20),
        )
        .order_by(Event.starts_at)
    )
    if event is None:
        return
    deadline = services.event_services.utc_to_local_naive(
        (now + timedelta(days=10)).replace(minute=0, second=0, microsecond=0), event.timezone
    )
    call = services.save_call(
        event,
        services.CallValues(
            deadline=deadline,
            scope=SCOPE,
            types=["paper", "talk", "poster"],
            tracks=["Disaster response", "Protection of civilians", "Lessons learned"],
            criteria=[("Relevance", 2), ("Originality", 1), ("Clarity", 1)],
        ),
    )
    _submissions(call)
    _reviews(call)
    logger.info("seeded a demo call for papers on %s", event.slug)


PAPERS = [
    ("Shared situational awareness in flood response", "paper", "Disaster response"),
    ("Liaison officers as brokers of trust", "talk", "Protection of civilians"),
    ("After-action reviews that change practice", "poster", "Lessons learned"),
    ("Humanitarian notification systems in practice", "paper", "Protection of civilians"),
]


def _submissions(call: Call) -> None:
    """A few submissions by verified demo members (no receipts mailed)."""
    members = list(
        db.session.scalars(
            sa.select(Member)
            .where(Member.email_verified_at.is_not(None), Member.role == "member")
            .order_by(Member.id)
            .limit(len(PAPERS))
        )
    )
    for member, (title, kind, track) in zip(members, PAPERS, strict=False):
        db.session.add(
            Submission(
                call=call,
                member_id=member.id,
                title=title,
                title_key=services.title_key(title),
                contribution_type=kind,
                track=track,
                abstract=f"{title}: what we observed, what we propose, and why it matters.",
                keywords="civil-military interaction, coordination",
                coauthors=[
                    {
                        "name": "Ana Novak",
                        "affiliation": "University of Ljubljana",
                        "email": "",
                        "orcid": "",
                    }
                ],
                consent_publication=True,
            )
        )
    db.session.flush()


#: Reviewers (by demo email): the demo member, so signing in as them shows a queue, and
#: two scholars. (Eva Novak shares the co-author's university: a conflict on every paper.)
REVIEWERS = ("member@interacta.example", "demo5@interacta.example", "demo17@interacta.example")
#: Scores given per paper (in PAPERS order), one review per assigned reviewer, first ones
#: first: the second paper gets a disagreement; the last papers wait for their reviews.
SCORES = [(4, 5), (1, 5), (3,), ()]
RECOMMENDATION = {1: "reject", 2: "reject", 3: "revise", 4: "minor", 5: "accept"}


def _reviews(call: Call) -> None:
    """Reviewers, the automatic assignment (no mails) and a few reviews."""
    people = db.session.scalars(sa.select(Member).where(Member.email.in_(REVIEWERS)))
    for member in sorted(people, key=lambda m: REVIEWERS.index(m.email)):
        services.add_reviewer(call, member)
    services.assign(call)
    by_submission: dict[int, list[int]] = {}
    for assignment in services.assignments(call):
        by_submission.setdefault(assignment.submission_id, []).append(assignment.reviewer_id)
    submissions = services.active_submissions(call)
    for submission, scores in zip(submissions, SCORES, strict=False):
        for reviewer_id, score in zip(by_submission.get(submission.id, []), scores, strict=False):
            db.session.add(
                Review(
                    submission_id=submission.id,
                    reviewer_id=reviewer_id,
                    round=1,
                    scores={str(c.id): score for c in call.criteria},
                    comment_authors="A clear question; the evidence could be stronger.",
                    comment_organizers="",
                    recommendation=RECOMMENDATION[score],
                )
            )
    db.session.flush()
