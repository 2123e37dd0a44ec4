"""Reviewers, conflicts of interest and the automatic assignment."""

from __future__ import annotations

from collections import Counter

import pytest

from interacta.calls import services
from interacta.calls.models import Submission


def _submission(db, call, author, title, coauthors=(), track="Disaster response"):
    submission = Submission(
        call=call,
        member_id=author.id,
        member=author,
        title=title,
        title_key=services.title_key(title),
        contribution_type="paper",
        track=track,
        abstract="An abstract.",
        coauthors=list(coauthors),
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def test_forty_submissions_eight_reviewers_with_conflicts(db, make_call, make_member):
    call = make_call(reviews_per_submission=2)
    people = [make_member(name=f"Reviewer {n}", affiliation=f"Institute {n}") for n in range(8)]
    revs = [services.add_reviewer(call, p) for p in people]
    authors = [make_member(name=f"Author {n}", affiliation=f"College {n % 5}") for n in range(10)]
    subs = []
    for n in range(40):
        coauthors = []
        if n % 7 == 0:  # a reviewer is a co-author
            coauthors.append({"name": f"Reviewer {n % 8}", "affiliation": "", "email": ""})
        if n % 9 == 0:  # a co-author shares a reviewer's affiliation
            coauthors.append({"name": "Someone", "affiliation": f"institute {(n + 3) % 8}"})
        author = people[n % 8] if n % 11 == 0 else authors[n % 10]  # a reviewer submits
        subs.append(_submission(db, call, author, f"Paper {n}", coauthors))
    services.set_preferences(revs[5], ["Peacebuilding"], [subs[1].id, subs[2].id])

    made = services.assign(call)

    assert made == 80
    blocked = services.conflicts(subs, revs)
    assert len(blocked) >= 10
    pairs = {(a.submission_id, a.reviewer_id) for a in services.assignments(call)}
    assert not pairs & blocked
    per_submission = Counter(s for s, _ in pairs)
    assert all(per_submission[s.id] == 2 for s in subs)
    loads = Counter(r for _, r in pairs)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_assigning_again_keeps_what_exists_and_fills_the_gaps(db, make_call, make_member):
    call = make_call(reviews_per_submission=2)
    revs = [services.add_reviewer(call, make_member()) for _ in range(3)]
    first = _submission(db, call, make_member(), "First")
    assert services.assign(call) == 2
    before = {(a.submission_id, a.reviewer_id) for a in services.assignments(call)}
    _submission(db, call, make_member(), "Second")
    assert services.assign(call) == 2
    after = {(a.submission_id, a.reviewer_id) for a in services.assignments(call)}
    assert before < after and len(revs) == 3 and first.id in {s for s, _ in after}


def test_preferred_track_breaks_ties(db, make_call, make_member):
    call = make_call(reviews_per_submission=1)
    plain = services.add_reviewer(call, make_member())
    keen = services.add_reviewer(call, make_member())
    services.set_preferences(keen, ["Peacebuilding"], [])
    submission = _submission(db, call, make_member(), "Peace", track="Peacebuilding")
    services.assign(call)
    (assignment,) = services.assignments(call)
    assert assignment.reviewer_id == keen.id != plain.id
    assert assignment.submission_id == submission.id


def test_declared_conflict_and_authorship_block_manual_assignment(app, db, make_call, make_member):
    call = make_call()
    author = make_member(affiliation="Uni X")
    colleague = services.add_reviewer(call, make_member(affiliation="uni x"))
    other = services.add_reviewer(call, make_member())
    submission = _submission(db, call, author, "Mine")
    with app.test_request_context():
        with pytest.raises(services.ConflictOfInterest):
            services.assign_by_hand(submission, colleague)
        services.assign_by_hand(submission, other)
        services.set_preferences(other, [], [submission.id])  # declaring drops the assignment
        assert services.assignments(call) == []
        with pytest.raises(services.ConflictOfInterest):
            services.assign_by_hand(submission, other)
