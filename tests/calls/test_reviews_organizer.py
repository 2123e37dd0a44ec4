"""The organizer's submissions page: reviewers, assignment, the table of scores with its
sorting and CSV export; reviews in a member's data export and erasure; the demo."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from interacta.calls import reviews, services
from interacta.calls.models import Assignment, Review, Reviewer, Submission


def _submission(db, call, title, *, status="submitted", track="Peacebuilding", kind="paper"):
    submission = Submission(
        call=call,
        member_id=None,
        title=title,
        title_key=services.title_key(title),
        contribution_type=kind,
        track=track,
        abstract="An abstract.",
        status=status,
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def _review(db, submission, reviewer, score, recommendation="accept", **extra):
    review = Review(
        submission_id=submission.id,
        reviewer_id=reviewer.id,
        round=1,
        scores={str(c.id): score for c in submission.call.criteria},
        recommendation=recommendation,
        **extra,
    )
    db.session.add(review)
    db.session.flush()
    return review


@pytest.fixture
def scored(db, make_call, make_member):
    """A call with three submissions: one agreed on (4 and 5), one disputed (1 and 5), one
    without reviews; two reviewers."""
    call = make_call(criteria=[("Relevance", 1)], reviews_per_submission=2)
    one, two = (services.add_reviewer(call, make_member(name=n)) for n in ("Rev One", "Rev Two"))
    agreed = _submission(db, call, "Agreed paper", track="Disaster response")
    disputed = _submission(db, call, "Disputed paper", kind="poster")
    _submission(db, call, "Unread paper")
    _review(db, agreed, one, 4)
    _review(db, agreed, two, 5)
    _review(db, disputed, one, 1, "reject")
    _review(db, disputed, two, 5)
    db.session.commit()
    return call


def test_organizer_sees_reviews_mean_spread_and_the_disagreement_flag(client, auth, db, scored):
    auth.login_as(scored.event.organizer)
    response = client.get(f"/events/manage/{scored.event.id}/submissions")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Rev One" in html and "Rev Two" in html  # the reviewers of the call
    assert "4.50" in html and "3.00" in html and "4.00" in html  # means and the spread
    assert html.count(">disagreement<") == 1
    assert "2 / 2" in html and "0 / 2" in html
    disputed = db.session.scalar(
        sa.select(Submission.id).where(Submission.title == "Disputed paper")
    )
    assert f"/events/manage/{scored.event.id}/submissions/{disputed}" in html


@pytest.mark.parametrize(
    ("sort", "direction", "order"),
    [
        ("title", "asc", ["Agreed", "Disputed", "Unread"]),
        ("title", "desc", ["Unread", "Disputed", "Agreed"]),
        ("mean", "desc", ["Agreed", "Disputed", "Unread"]),
        ("mean", "asc", ["Disputed", "Agreed", "Unread"]),
        ("spread", "desc", ["Disputed", "Agreed", "Unread"]),
        ("type", "desc", ["Disputed", "Agreed", "Unread"]),
        ("track", "asc", ["Agreed", "Disputed", "Unread"]),
        ("reviews", "asc", ["Unread", "Agreed", "Disputed"]),
    ],
)
def test_table_sorts_by_each_column(client, auth, db, scored, sort, direction, order):
    auth.login_as(scored.event.organizer)
    html = client.get(
        f"/events/manage/{scored.event.id}/submissions?sort={sort}&dir={direction}"
    ).get_data(as_text=True)
    positions = [html.index(f"{title} paper</a>") for title in order]
    assert positions == sorted(positions)
    assert 'aria-sort="ascending"' in html or 'aria-sort="descending"' in html


def test_csv_export_has_the_table_and_neutralises_formulas(client, auth, db, scored):
    _submission(db, scored, '=HYPERLINK("http://evil")')
    db.session.commit()
    auth.login_as(scored.event.organizer)
    response = client.get(f"/events/manage/{scored.event.id}/submissions.csv?sort=mean&dir=desc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][1] == "Title" and rows[0][7] == "Weighted mean"
    assert rows[1][1] == "Agreed paper" and rows[1][7] == "4.50"
    assert rows[2][1] == "Disputed paper" and rows[2][9] == "yes"
    assert '\'=HYPERLINK("http://evil")' in [r[1] for r in rows]


def test_table_needs_a_constant_number_of_queries(
    client, auth, db, make_call, make_member, count_queries
):
    def queries_for(n):
        call = make_call(criteria=[("Relevance", 2), ("Clarity", 1)])
        revs = [services.add_reviewer(call, make_member()) for _ in range(3)]
        for i in range(n):
            s = _submission(db, call, f"Paper {i}", kind="poster" if i % 2 else "paper")
            for r in revs[: 1 + i % 3]:
                db.session.add(Assignment(submission_id=s.id, reviewer_id=r.id))
                _review(db, s, r, 1 + (i + r.id) % 5)
        db.session.commit()
        auth.login_as(call.event.organizer)
        client.get(f"/events/manage/{call.event.id}/submissions")  # warm up the session
        with count_queries() as counter:
            response = client.get(f"/events/manage/{call.event.id}/submissions?sort=mean")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("Paper ") >= n
        return counter.count

    assert queries_for(5) == queries_for(20)


def test_organizer_adds_and_removes_reviewers_by_email(client, auth, db, make_call, make_member):
    call = make_call()
    person = make_member(email="rita@example.org", name="Rita Reviewer")
    auth.login_as(call.event.organizer)
    url = f"/events/manage/{call.event.id}"
    response = client.post(f"{url}/reviewers", data={"email": " Rita@Example.org "})
    assert response.status_code == 302
    reviewer = db.session.scalar(sa.select(Reviewer).where(Reviewer.member_id == person.id))
    assert reviewer is not None and reviewer.call_id == call.id

    unknown = client.post(f"{url}/reviewers", data={"email": "nobody@example.org"})
    assert unknown.status_code == 404
    assert "No member has this email address." in unknown.get_data(as_text=True)

    assert client.post(f"{url}/reviewers/remove", data={"reviewer": reviewer.id}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Reviewer.id))) == 0


def test_a_reviewer_who_reviewed_cannot_be_removed(client, auth, db, scored):
    reviewer = db.session.scalars(sa.select(Reviewer)).first()
    auth.login_as(scored.event.organizer)
    client.post(
        f"/events/manage/{scored.event.id}/reviewers/remove", data={"reviewer": reviewer.id}
    )
    assert db.session.get(Reviewer, reviewer.id) is not None
    html = client.get(f"/events/manage/{scored.event.id}/submissions").get_data(as_text=True)
    assert "has already written reviews for this call" in html


def test_assign_button_assigns_and_says_how_many(client, auth, db, make_call, make_member, outbox):
    call = make_call(reviews_per_submission=2)
    for _ in range(3):
        services.add_reviewer(call, make_member())
    for n in range(3):
        _submission(db, call, f"Paper {n}")
    db.session.commit()
    auth.login_as(call.event.organizer)
    response = client.post(f"/events/manage/{call.event.id}/assign", follow_redirects=True)
    assert "6 assignments made; the reviewers are told by mail." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 6
    assert len(outbox()) == 3


def test_another_organizer_cannot_see_the_submissions(client, auth, db, scored, make_member):
    auth.login_as(make_member(role="organizer"))
    assert client.get(f"/events/manage/{scored.event.id}/submissions").status_code == 403
    assert client.get(f"/events/manage/{scored.event.id}/submissions.csv").status_code == 403


def test_event_without_a_call_has_no_submissions_page(client, auth, db, make_event):
    event = make_event()
    auth.login_as(event.organizer)
    assert client.get(f"/events/manage/{event.id}/submissions").status_code == 404


# --- personal data -----------------------------------------------------------------------


def test_export_has_the_reviews_and_erasure_keeps_them_anonymous(app, db, scored):
    from interacta.core.registry import erase_member_data, export_member_data

    reviewer = db.session.scalar(sa.select(Reviewer).order_by(Reviewer.id))
    member = reviewer.member
    review = db.session.scalar(sa.select(Review).where(Review.reviewer_id == reviewer.id))
    review.comment_authors, review.comment_organizers = "Well argued.", "Between us: weak."
    db.session.commit()
    exported = export_member_data(member)["call_reviews"]
    assert exported["reviewer_of"][0]["event"] == scored.event.title
    titles = {r["submission_title"] for r in exported["reviews"]}
    assert titles == {"Agreed paper", "Disputed paper"}
    first = next(r for r in exported["reviews"] if r["submission_title"] == "Agreed paper")
    assert first["scores"] == {"Relevance": 4} and first["recommendation"] == "accept"
    assert first["comment_for_the_authors"] == "Well argued."
    assert first["comment_for_the_organizers"] == "Between us: weak."

    erase_member_data(member)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Reviewer, reviewer.id) is None
    kept = db.session.get(Review, review.id)
    assert kept is not None and kept.reviewer_id is None
    assert kept.comment_authors == "Well argued." and kept.scores
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 4
    summary = {r.submission.title: r.summary for r in reviews.submission_rows(scored)}
    assert summary["Agreed paper"].mean == 4.5  # the anonymous review still counts


def test_demo_has_reviewers_assignments_and_a_disagreement(app, db, runner):
    from interacta.core.registry import demo_seeders

    for seeder in demo_seeders():
        seeder.seed()
        db.session.commit()
    call = db.session.scalar(sa.select(services.Call))
    assert call is not None and services.reviewers(call)
    assert services.assignments(call)
    rows = reviews.submission_rows(call)
    assert any(r.summary.disagreement for r in rows)
    assert sum(r.done for r in rows) >= 3
