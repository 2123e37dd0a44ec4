"""The pages of deciding: the organizer's submission page, the decisions page, the author's
revision, my submissions and the event page."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from interacta.calls import decisions, services
from interacta.calls.models import DecisionTemplate, Submission
from interacta.core.models import OutboxMessage, utcnow
from tests.calls.test_decisions import PDF, _local


def _url(submission, tail=""):
    return f"/events/manage/{submission.call.event_id}/submissions/{submission.id}{tail}"


def test_organizer_sees_reviews_with_names_scores_and_confidential_comments(
    client, db, auth, reviewed
):
    submission = reviewed(pdf=PDF)
    auth.login_as(submission.call.event.organizer)
    response = client.get(_url(submission))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert submission.title in html and "Ana Co" in html and "ana@example.org" in html
    assert "Reviewer Person 0" in html and "Reviewer Person 1" in html
    assert "SECRET one" in html and "Tighten section 2." in html
    assert "4.50" in html  # the weighted mean
    assert _url(submission, "/pdf") in html
    pdf = client.get(_url(submission, "/pdf"))
    assert pdf.status_code == 200 and pdf.data == PDF
    pdf.close()


def test_other_organizer_is_refused_and_other_events_submission_is_not_found(
    client, db, auth, reviewed, make_member, make_event
):
    submission = reviewed()
    auth.login_as(make_member(role="organizer"))
    assert client.get(_url(submission)).status_code == 403
    other = make_event(organizer=submission.call.event.organizer)
    auth.login_as(submission.call.event.organizer)
    assert client.get(f"/events/manage/{other.id}/submissions/{submission.id}").status_code == 404


def test_organizer_accepts_on_the_page_and_nothing_is_mailed_yet(client, db, auth, reviewed):
    submission = reviewed()
    auth.login_as(submission.call.event.organizer)
    mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    response = client.post(
        _url(submission, "/decision"),
        data={"decision-decision": "accept", "decision-accepted_as": "poster"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Submission, submission.id)
    assert saved.status == "accepted" and saved.accepted_as == "poster"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == mails


def test_revise_deadline_in_the_past_is_shown_beside_the_field(client, db, auth, reviewed):
    submission = reviewed()
    auth.login_as(submission.call.event.organizer)
    past = _local(utcnow() - timedelta(days=1), submission)
    response = client.post(
        _url(submission, "/decision"),
        data={"decision-decision": "revise", "decision-revise_by": past.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "must be in the future" in html and 'id="decision-revise_by-error"' in html
    assert db.session.get(Submission, submission.id).status == "submitted"


def test_organizer_assigns_and_removes_a_reviewer_by_hand(client, db, auth, reviewed, make_member):
    submission = reviewed()
    reviewer = services.add_reviewer(submission.call, make_member(name="Third Reader"))
    db.session.commit()
    auth.login_as(submission.call.event.organizer)
    response = client.post(_url(submission, "/reviewers"), data={"assign-reviewer": reviewer.id})
    assert response.status_code == 302
    assert reviewer.id in {a.reviewer_id for a in services.assignments(submission.call)}
    response = client.post(_url(submission, f"/reviewers/{reviewer.id}/remove"))
    assert response.status_code == 302
    assert reviewer.id not in {a.reviewer_id for a in services.assignments(submission.call)}


def test_send_decisions_page_counts_and_sends_each_once(app, client, db, auth, reviewed):
    submission = reviewed()
    event = submission.call.event
    with app.test_request_context():
        decisions.decide(submission, "accept")
    db.session.commit()
    auth.login_as(event.organizer)
    html = client.get(f"/events/manage/{event.id}/decisions").get_data(as_text=True)
    assert "Send decisions (1)" in html and submission.title in html
    response = client.post(f"/events/manage/{event.id}/decisions/send")
    assert response.status_code == 302
    client.post(f"/events/manage/{event.id}/decisions/send")
    mails = list(
        db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.to_addr == submission.member.email,
                OutboxMessage.template == "calls/mail/decision",
            )
        )
    )
    assert len(mails) == 1 and "Accepted" in mails[0].subject
    html = client.get(f"/events/manage/{event.id}/decisions").get_data(as_text=True)
    assert "Every decision made is sent." in html


def test_organizer_edits_a_decision_mail(client, db, auth, reviewed):
    submission = reviewed()
    event = submission.call.event
    auth.login_as(event.organizer)
    response = client.post(
        f"/events/manage/{event.id}/decisions/templates/reject",
        data={"reject-subject": "About {title}", "reject-body": "Dear {name}, sorry."},
    )
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(DecisionTemplate))
    assert stored.kind == "reject" and stored.body == "Dear {name}, sorry."
    bad = client.post(
        f"/events/manage/{event.id}/decisions/templates/reject",
        data={"reject-subject": "About {title}", "reject-body": "Dear {who}"},
    )
    assert bad.status_code == 400 and "Unknown placeholder" in bad.get_data(as_text=True)


def test_author_sees_the_decision_only_once_sent_then_revises(app, client, db, auth, reviewed):
    submission = reviewed()
    author = submission.member
    with app.test_request_context():
        decisions.decide(
            submission, "revise", revise_by=_local(utcnow() + timedelta(days=4), submission)
        )
    db.session.commit()
    auth.login_as(author)
    html = client.get("/members/me/submissions").get_data(as_text=True)
    assert "revise and resubmit" not in html and "A clear, useful paper." not in html
    assert client.get(f"/members/me/submissions/{submission.id}/revise").status_code == 302
    with app.test_request_context():
        decisions.send_decisions(submission.call)
    db.session.commit()
    html = client.get("/members/me/submissions").get_data(as_text=True)
    assert "revise and resubmit" in html and "A clear, useful paper." in html
    assert "SECRET" not in html and "Reviewer Person" not in html
    assert f"/members/me/submissions/{submission.id}/revise" in html
    form = client.get(f"/members/me/submissions/{submission.id}/revise").get_data(as_text=True)
    assert submission.title in form and "Tighten section 2." in form
    response = client.post(
        f"/members/me/submissions/{submission.id}/revise",
        data={
            "title": "The revised title",
            "contribution_type": "paper",
            "track": "Disaster response",
            "abstract": "revised " * 30,
            "pdf": (io.BytesIO(PDF), "new.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Submission, submission.id)
    assert saved.round == 2 and saved.status == "submitted" and saved.title == "The revised title"


def test_someone_elses_revision_page_is_not_found(client, db, auth, reviewed, make_member):
    submission = reviewed()
    auth.login_as(make_member())
    assert client.get(f"/members/me/submissions/{submission.id}/revise").status_code == 404


def test_event_page_lists_accepted_contributions_once_sent(app, client, db, reviewed):
    submission = reviewed()
    event = submission.call.event
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="paper")
    db.session.commit()
    assert "Accepted contributions" not in client.get(f"/events/{event.slug}").get_data(
        as_text=True
    )
    with app.test_request_context():
        decisions.send_decisions(submission.call)
    db.session.commit()
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Accepted contributions" in html
    assert html.count(submission.title) >= 2  # the list and the agenda
    assert "Ana Co (Uni A)" in html


def test_event_page_links_its_call_and_reads_it_without_the_event_again(
    client, db, make_call, count_queries
):
    call = make_call()
    db.session.commit()
    url = f"/events/{call.event.slug}"
    with count_queries() as counter:
        html = client.get(url).get_data(as_text=True)
    assert 'id="event-call-title"' in html and "Contributions are welcome." in html
    statements = [" ".join(s.split()) for s in counter.statements]
    asked = [s for s in statements if s.startswith("SELECT calls.id")]
    assert len(asked) == 1 and "JOIN events" not in asked[0]
