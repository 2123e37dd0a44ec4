"""Reviewing, as the reviewer sees it: the queue, preferences, the review form, blind
review (pages, mails and the PDF) and the mail that announces new assignments."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from interacta.calls import reviews, services
from interacta.calls.models import Assignment, DeclaredConflict, Review, Submission

XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator><rdf:Seq><rdf:li>Petra Penname</rdf:li></rdf:Seq></dc:creator>"
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def signed_pdf(author: str = "Petra Penname") -> bytes:
    """A one-page PDF whose metadata (document info and XMP) names its author."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata(
        {
            "/Author": author,
            "/Creator": f"{author}'s word processor",
            "/Producer": f"Produced by {author}",
            "/Title": "Flood response",
        }
    )
    xmp = StreamObject()
    xmp.set_data(XMP.replace(b"Petra Penname", author.encode()))
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def setup(app, db, make_call, make_member):
    """A call (blind mode as asked) with one submission by Petra Penname and a co-author,
    and a reviewer assigned to it."""

    def make(blind_mode="double", pdf=True):
        call = make_call(blind_mode=blind_mode, criteria=[("Relevance", 2), ("Clarity", 1)])
        author = make_member(
            name="Petra Penname", affiliation="Penname Institute", email="petra@example.org"
        )
        submission = Submission(
            call=call,
            member_id=author.id,
            member=author,
            title="Shared awareness in flood response",
            title_key="shared awareness in flood response",
            contribution_type="paper",
            track="Disaster response",
            abstract="What we observed in the floods.",
            keywords="floods, liaison",
            coauthors=[
                {
                    "name": "Carl Coauthor",
                    "affiliation": "Coauthor College",
                    "email": "carl@example.org",
                    "orcid": "",
                }
            ],
        )
        if pdf:
            name = "a" * 32 + ".pdf"
            with app.test_request_context():
                (services.submission_dir() / name).write_bytes(signed_pdf())
            submission.pdf_file, submission.pdf_size = name, 1000
        db.session.add(submission)
        db.session.flush()
        person = make_member(name="Rita Reviewer", language="fr")
        reviewer = services.add_reviewer(call, person)
        assignment = reviews.assign_by_hand(submission, reviewer)
        db.session.commit()
        return call, submission, reviewer, assignment

    return make


def score_form(call, **overrides):
    data = {f"score_{c.id}": "4" for c in call.criteria}
    data.update(
        comment_authors="Clear and useful.",
        comment_organizers="Accept it.",
        recommendation="accept",
    )
    data.update(overrides)
    return data


# --- the queue ---------------------------------------------------------------------------


def test_reviewer_without_anything_to_review_sees_an_empty_queue(client, auth, make_member):
    auth.login_as(make_member())
    html = client.get("/reviews/").get_data(as_text=True)
    assert "You have nothing to review." in html


def test_queue_lists_assigned_submissions_and_whether_my_review_is_done(client, auth, db, setup):
    call, submission, reviewer, assignment = setup()
    auth.login_as(reviewer.member)
    html = client.get("/reviews/").get_data(as_text=True)
    assert "Shared awareness in flood response" in html
    assert call.event.title in html
    assert f"/reviews/{assignment.id}" in html
    assert "To do" in html

    response = client.post(f"/reviews/{assignment.id}", data=score_form(call))
    assert response.status_code == 302
    html = client.get("/reviews/").get_data(as_text=True)
    assert "Done" in html and "To do" not in html


def test_reviewer_declares_preferences_and_conflicts_before_assignment(
    client, auth, db, make_call, make_member
):
    call = make_call()
    author = make_member()
    submission = Submission(
        call=call,
        member_id=author.id,
        title="My friend's paper",
        title_key="my friend's paper",
        contribution_type="paper",
        track="Peacebuilding",
        abstract="An abstract.",
    )
    db.session.add(submission)
    reviewer = services.add_reviewer(call, make_member())
    db.session.commit()
    auth.login_as(reviewer.member)
    html = client.get("/reviews/").get_data(as_text=True)
    assert "No submission is assigned to you yet." in html
    assert "My friend&#39;s paper" in html and "Peacebuilding" in html

    prefix = f"r{reviewer.id}-"
    response = client.post(
        f"/reviews/preferences/{reviewer.id}",
        data={prefix + "tracks": ["Peacebuilding"], prefix + "conflicts": [str(submission.id)]},
    )
    assert response.status_code == 302
    assert db.session.get(type(reviewer), reviewer.id).preferences == {"Peacebuilding"}
    assert db.session.scalar(
        sa.select(DeclaredConflict).where(DeclaredConflict.reviewer_id == reviewer.id)
    )
    assert reviews.assign(call) == 0  # the only reviewer declared a conflict


def test_someone_elses_preferences_are_not_found(client, auth, db, make_call, make_member):
    reviewer = services.add_reviewer(make_call(), make_member())
    db.session.commit()
    auth.login_as(make_member())
    assert client.post(f"/reviews/preferences/{reviewer.id}").status_code == 404


# --- the review --------------------------------------------------------------------------


def test_reviewer_writes_and_then_changes_a_review(client, auth, db, setup):
    call, submission, reviewer, assignment = setup()
    auth.login_as(reviewer.member)
    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert "<legend>Relevance" in page and 'type="radio"' in page
    assert "What we observed in the floods." in page and "floods, liaison" in page

    assert client.post(f"/reviews/{assignment.id}", data=score_form(call)).status_code == 302
    review = db.session.scalar(sa.select(Review).where(Review.submission_id == submission.id))
    assert review.round == 1 and review.recommendation == "accept"
    assert set(review.scores.values()) == {4}
    assert review.comment_organizers == "Accept it."

    relevance = call.criteria[0]
    changed = score_form(call, recommendation="revise", **{f"score_{relevance.id}": "2"})
    assert client.post(f"/reviews/{assignment.id}", data=changed).status_code == 302
    db.session.expire_all()
    (review,) = db.session.scalars(sa.select(Review)).all()
    assert review.recommendation == "revise" and review.scores[str(relevance.id)] == 2
    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert '<input checked id="recommendation-2"' in page  # "revise" stays chosen


def test_a_score_left_out_is_shown_beside_its_criterion(client, auth, db, setup):
    call, submission, reviewer, assignment = setup()
    auth.login_as(reviewer.member)
    data = score_form(call)
    del data[f"score_{call.criteria[1].id}"]
    response = client.post(f"/reviews/{assignment.id}", data=data)
    assert response.status_code == 400
    assert "Give a score from 1 to 5." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_service_refuses_a_score_out_of_range_and_an_unknown_recommendation(setup):
    call, submission, reviewer, assignment = setup()
    scores = {c.id: 4 for c in call.criteria}
    with pytest.raises(reviews.InvalidReview):
        reviews.save_review(
            assignment,
            reviews.ReviewValues(
                scores={**scores, call.criteria[0].id: 6}, recommendation="accept"
            ),
        )
    with pytest.raises(reviews.InvalidReview):
        reviews.save_review(assignment, reviews.ReviewValues(scores=scores, recommendation="maybe"))


def test_review_is_read_only_once_decisions_are_made(client, auth, db, setup):
    call, submission, reviewer, assignment = setup()
    auth.login_as(reviewer.member)
    client.post(f"/reviews/{assignment.id}", data=score_form(call))
    submission = db.session.get(Submission, submission.id)
    submission.status = "accepted"  # a decision (any status but "submitted")
    db.session.commit()

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert "your review can no longer be changed" in page
    assert "Save my review" not in page and "disabled" in page
    response = client.post(
        f"/reviews/{assignment.id}", data=score_form(call, recommendation="reject")
    )
    assert response.status_code == 409
    assert db.session.scalar(sa.select(Review.recommendation)) == "accept"
    with pytest.raises(reviews.ReviewsClosed):
        reviews.save_review(assignment, reviews.ReviewValues())


def test_only_the_assigned_reviewer_opens_the_review(client, auth, db, setup, make_member):
    call, submission, reviewer, assignment = setup()
    other = services.add_reviewer(call, make_member())
    db.session.commit()
    for member in (other.member, submission.member, call.event.organizer):
        auth.login_as(member)
        assert client.get(f"/reviews/{assignment.id}").status_code == 404
        assert client.get(f"/reviews/{assignment.id}/paper.pdf").status_code == 404
        assert client.post(f"/reviews/{assignment.id}", data=score_form(call)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_reviewers_never_see_each_others_names(client, auth, db, setup, make_member):
    call, submission, reviewer, assignment = setup(blind_mode="single")
    second = services.add_reviewer(call, make_member(name="Sven Second"))
    services.assign_by_hand(submission, second)
    db.session.commit()
    auth.login_as(second.member)
    theirs = db.session.scalar(sa.select(Assignment.id).where(Assignment.reviewer_id == second.id))
    client.post(f"/reviews/{theirs}", data=score_form(call))
    auth.login_as(reviewer.member)
    for url in ("/reviews/", f"/reviews/{assignment.id}"):
        assert "Sven Second" not in client.get(url).get_data(as_text=True)


def test_a_review_belongs_to_the_submissions_current_round(setup):
    call, submission, reviewer, assignment = setup()
    assert reviews.current_round(submission) == 1
    submission.round = 2  # as revise and resubmit sets it
    review = reviews.save_review(
        assignment,
        reviews.ReviewValues(scores={c.id: 3 for c in call.criteria}, recommendation="minor"),
    )
    assert review.round == 2


# --- blind review ------------------------------------------------------------------------

AUTHOR_TRACES = (
    "Petra Penname",
    "Penname Institute",
    "petra@example.org",
    "Carl Coauthor",
    "Coauthor College",
    "carl@example.org",
)


def test_double_blind_pages_and_mail_name_no_author(client, auth, db, setup, outbox):
    call, submission, reviewer, assignment = setup(blind_mode="double")
    auth.login_as(reviewer.member)
    for url in ("/reviews/", f"/reviews/{assignment.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "Shared awareness in flood response" in html
        assert not [t for t in AUTHOR_TRACES if t in html], url
    (mail,) = outbox(reviewer.member.email)
    assert not [t for t in AUTHOR_TRACES if t in mail.text_body + mail.html_body]


def test_double_blind_pdf_has_no_author_metadata(client, auth, db, setup):
    call, submission, reviewer, assignment = setup(blind_mode="double")
    auth.login_as(reviewer.member)
    response = client.get(f"/reviews/{assignment.id}/paper.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert b"Petra" not in response.data and b"Penname" not in response.data
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.get("/Author") is None and reader.metadata.get("/Creator") is None
    assert reader.xmp_metadata is None
    assert len(reader.pages) == 1


def test_single_blind_shows_the_authors_and_the_original_pdf(client, auth, db, setup):
    call, submission, reviewer, assignment = setup(blind_mode="single")
    auth.login_as(reviewer.member)
    html = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert "Petra Penname" in html and "Carl Coauthor" in html and "Coauthor College" in html
    assert "carl@example.org" not in html  # never the emails
    pdf = client.get(f"/reviews/{assignment.id}/paper.pdf")
    assert PdfReader(io.BytesIO(pdf.data)).metadata["/Author"] == "Petra Penname"


def test_a_pdf_that_cannot_be_anonymised_is_not_handed_out(client, auth, db, setup, app):
    call, submission, reviewer, assignment = setup(blind_mode="double")
    with app.test_request_context():
        (services.submission_dir() / submission.pdf_file).write_bytes(
            b"%PDF-1.4\n/Author (Petra Penname)\n%%EOF\n"
        )
    auth.login_as(reviewer.member)
    response = client.get(f"/reviews/{assignment.id}/paper.pdf")
    assert response.status_code == 404
    assert b"Penname" not in response.data


def test_submission_without_pdf_says_so(client, auth, db, setup):
    call, submission, reviewer, assignment = setup(pdf=False)
    auth.login_as(reviewer.member)
    assert "No PDF was submitted." in client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert client.get(f"/reviews/{assignment.id}/paper.pdf").status_code == 404


# --- mail --------------------------------------------------------------------------------


def test_hand_assignment_mails_the_reviewer_once_in_their_language(db, setup, outbox):
    call, submission, reviewer, assignment = setup()
    (mail,) = outbox(reviewer.member.email)
    assert "Shared awareness in flood response" in mail.text_body
    assert "/fr/reviews/" in mail.text_body
    assert mail.subject.startswith("Soumissions à évaluer")
    reviews.assign_by_hand(submission, reviewer)  # already assigned: no second mail
    assert len(outbox(reviewer.member.email)) == 1


def test_assign_mails_each_reviewer_with_new_assignments_once(db, make_call, make_member, outbox):
    call = make_call(reviews_per_submission=1)
    revs = [services.add_reviewer(call, make_member()) for _ in range(2)]
    for n in range(4):
        db.session.add(
            Submission(
                call=call,
                member_id=make_member().id,
                title=f"Paper {n}",
                title_key=f"paper {n}",
                contribution_type="paper",
                track="Peacebuilding",
                abstract="An abstract.",
            )
        )
    db.session.flush()
    assert reviews.assign(call) == 4
    for reviewer in revs:
        (mail,) = outbox(reviewer.member.email)
        assert mail.text_body.count("- Paper ") == 2
        assert "/reviews/" in mail.text_body
    assert reviews.assign(call) == 0
    assert len(outbox()) == 2  # nothing new, no new mail


def test_account_page_links_a_reviewer_to_their_reviews(client, auth, db, setup, make_member):
    call, submission, reviewer, assignment = setup()
    auth.login_as(reviewer.member)
    assert 'href="/reviews/"' in client.get("/members/me").get_data(as_text=True)
    auth.login_as(make_member())
    assert 'href="/reviews/"' not in client.get("/members/me").get_data(as_text=True)
