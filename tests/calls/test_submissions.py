"""Submitting to a call: the rules, the pages and the receipts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.calls import services
from interacta.calls.models import Submission
from interacta.core.models import OutboxMessage, utcnow

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _values(**overrides):
    values = {
        "title": "Shared awareness in flood response",
        "contribution_type": "paper",
        "track": "Disaster response",
        "abstract": "word " * 50,
        "keywords": "floods, coordination",
        "coauthors": [
            {"name": "Ana Co", "affiliation": "Uni A", "email": "ana@example.org", "orcid": ""}
        ],
    }
    values.update(overrides)
    return services.SubmissionValues(**values)


def _mails(db, to):
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_addr == to)))


def test_submit_stores_and_mails_a_receipt_with_a_copy(app, db, make_call, make_member):
    call = make_call()
    author = make_member(language="de")
    with app.test_request_context():
        submission = services.submit(call, author, _values())
    assert submission.status == "submitted"
    (mail,) = _mails(db, author.email)
    assert "Eingegangen" in mail.subject
    assert "Shared awareness in flood response" in mail.text_body
    assert "Ana Co, Uni A, ana@example.org" in mail.text_body


def test_word_limit_is_checked_on_the_server(app, db, make_call, make_member):
    call = make_call(abstract_word_limit=40)
    with app.test_request_context(), pytest.raises(services.InvalidSubmission) as caught:
        services.submit(call, make_member(), _values(abstract="word " * 41))
    assert caught.value.field == "abstract"
    assert "41" in caught.value.message


def test_deadline_holds_to_the_minute(app, db, make_call, make_member):
    call = make_call()
    author = make_member()
    with app.test_request_context():
        services.submit(call, author, _values(), now=call.deadline_at - timedelta(seconds=1))
        with pytest.raises(services.CallClosed):
            services.submit(call, author, _values(title="Another"), now=call.deadline_at)


def test_one_submission_per_title_per_author(app, db, make_call, make_member):
    call = make_call()
    author = make_member()
    with app.test_request_context():
        first = services.submit(call, author, _values())
        with pytest.raises(services.DuplicateTitle):
            services.submit(call, author, _values(title="  SHARED awareness in flood   response"))
        services.submit(call, make_member(), _values())  # another author may
        services.withdraw(first)
        services.submit(call, author, _values())  # after withdrawing, again


def test_required_pdf_type_and_track_are_checked(app, db, make_call, make_member):
    call = make_call(pdf_required=True)
    author = make_member()
    with app.test_request_context():
        with pytest.raises(services.InvalidSubmission) as caught:
            services.submit(call, author, _values())
        assert caught.value.field == "pdf"
        with pytest.raises(services.InvalidSubmission) as caught:
            services.submit(call, author, _values(contribution_type="panel"), pdf=PDF)
        assert caught.value.field == "contribution_type"
        with pytest.raises(services.InvalidSubmission) as caught:
            services.submit(call, author, _values(track="Astrology"), pdf=PDF)
        assert caught.value.field == "track"
        submission = services.submit(call, author, _values(), pdf=PDF)
    assert (services.submission_dir() / submission.pdf_file).read_bytes() == PDF


def test_unverified_members_cannot_submit(app, db, make_call, make_member):
    with app.test_request_context(), pytest.raises(services.NotAllowed):
        services.submit(make_call(), make_member(email_verified_at=None), _values())


def test_coauthors_are_parsed_and_checked():
    people = services.parse_coauthors(
        "Ana Co | Uni A | ANA@example.org | https://orcid.org/0000-0002-1825-0097\nBo"
    )
    assert people[0]["email"] == "ana@example.org"
    assert people[0]["orcid"] == "0000-0002-1825-0097"
    assert people[1] == {"name": "Bo", "affiliation": "", "email": "", "orcid": ""}
    with pytest.raises(services.InvalidSubmission):
        services.parse_coauthors("Ana | Uni | ana@example.org | 0000-0002-1825-0098")
    with pytest.raises(services.InvalidSubmission):
        services.parse_coauthors("Ana | Uni | not-an-address")


def test_change_and_withdraw_mail_receipts_and_stop_at_the_deadline(
    app, db, make_call, make_member
):
    call = make_call()
    author = make_member()
    with app.test_request_context():
        submission = services.submit(call, author, _values())
        services.update_submission(submission, _values(title="A better title"))
        with pytest.raises(services.CallClosed):
            services.withdraw(submission, now=call.deadline_at)
        services.withdraw(submission)
    assert submission.status == "withdrawn"
    subjects = [m.subject for m in _mails(db, author.email)]
    assert [s.split(":")[0] for s in subjects] == ["Received", "Changed", "Withdrawn"]


# --- the pages ---------------------------------------------------------------------------


def test_visitor_is_sent_to_sign_in_and_back(client, db, make_call):
    call = make_call()
    response = client.get(f"/events/{call.event.slug}/call/submit")
    assert response.status_code == 302
    assert "/members/login" in response.headers["Location"]
    assert "call%2Fsubmit" in response.headers["Location"]


def test_member_submits_through_the_form_and_sees_it_listed(client, db, auth, make_call):
    call = make_call()
    author = auth.login_as(call.event.organizer)
    page = client.get(f"/events/{call.event.slug}/call/submit").get_data(as_text=True)
    assert 'data-word-limit="300"' in page and "js/calls.js" in page
    response = client.post(
        f"/events/{call.event.slug}/call/submit",
        data={
            "title": "Civil protection",
            "contribution_type": "poster",
            "track": "Peacebuilding",
            "abstract": "A short abstract.",
            "coauthors": "Bo Co | Uni B",
            "consent_publication": "y",
            "pdf": (io.BytesIO(PDF), "paper.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    submission = db.session.scalar(sa.select(Submission))
    assert submission.member_id == author.id and submission.pdf_file
    assert submission.consent_publication and submission.coauthors[0]["name"] == "Bo Co"
    listed = client.get("/members/me/submissions").get_data(as_text=True)
    assert "Civil protection" in listed and "Withdraw" in listed


def test_a_file_that_is_not_a_pdf_is_refused(client, db, auth, make_call, make_member):
    call = make_call()
    auth.login_as(make_member())
    response = client.post(
        f"/events/{call.event.slug}/call/submit",
        data={
            "title": "Civil protection",
            "contribution_type": "paper",
            "track": "Peacebuilding",
            "abstract": "A short abstract.",
            "pdf": (io.BytesIO(b"MZ not a pdf"), "paper.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "not a PDF" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_closed_call_sends_the_submitter_back(client, db, auth, make_call, make_member):
    call = make_call()
    call.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.login_as(make_member())
    response = client.get(f"/events/{call.event.slug}/call/submit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{call.event.slug}/call")


def test_only_the_author_changes_or_withdraws(app, client, db, auth, make_call, make_member):
    call = make_call()
    author = make_member()
    with app.test_request_context():
        submission = services.submit(call, author, _values())
    db.session.commit()
    auth.login_as(make_member())
    assert client.get(f"/members/me/submissions/{submission.id}/edit").status_code == 404
    assert client.post(f"/members/me/submissions/{submission.id}/withdraw").status_code == 404
    auth.login_as(author)
    edit = client.get(f"/members/me/submissions/{submission.id}/edit")
    assert edit.status_code == 200 and "Ana Co | Uni A | ana@example.org" in edit.get_data(
        as_text=True
    )
    assert client.post(f"/members/me/submissions/{submission.id}/withdraw").status_code == 302
    assert db.session.get(Submission, submission.id).status == "withdrawn"


def test_export_and_erasure_of_a_members_submissions(app, db, make_call, make_member):
    from interacta.core.registry import erase_member_data, export_member_data

    call = make_call()
    author = make_member()
    with app.test_request_context():
        submission = services.submit(call, author, _values(), pdf=PDF)
        stored = services.submission_dir() / submission.pdf_file
        exported = export_member_data(author)["call_submissions"]
        assert exported[0]["title"] == "Shared awareness in flood response"
        erase_member_data(author)
    assert submission.status == "withdrawn" and submission.member_id is None
    assert not stored.exists()
