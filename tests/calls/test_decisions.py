"""Deciding on submissions: the rules, sending, revising, the agenda and working papers,
personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.calls import decisions, services
from interacta.calls.models import Submission, SubmissionRevision
from interacta.core.models import OutboxMessage, utcnow
from interacta.events import services as event_services
from interacta.events.models import AgendaSession
from interacta.events.services import utc_to_local_naive
from interacta.publications.models import Publication

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
        "consent_publication": True,
    }
    values.update(overrides)
    return services.SubmissionValues(**values)


def _mails(db, to):
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id)
        )
    )


def _local(moment, submission):
    return utc_to_local_naive(moment, submission.call.event.timezone).replace(
        second=0, microsecond=0
    )


def test_decision_is_recorded_but_not_mailed_until_sent(app, db, reviewed):
    submission = reviewed()
    before = len(_mails(db, submission.member.email))
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="poster")
    assert submission.status == "accepted" and submission.accepted_as == "poster"
    assert submission.decision_sent_at is None
    assert len(_mails(db, submission.member.email)) == before
    assert submission.author_status_label == "submitted"


def test_accepting_as_a_type_the_call_does_not_offer_is_refused(app, db, reviewed):
    submission = reviewed()
    with app.test_request_context(), pytest.raises(decisions.InvalidDecision) as caught:
        decisions.decide(submission, "accept", accepted_as="panel")
    assert caught.value.field == "accepted_as"
    assert submission.status == "submitted"


def test_revise_deadline_must_be_in_the_future_and_before_the_event(app, db, reviewed):
    submission = reviewed()
    event = submission.call.event
    with app.test_request_context():
        with pytest.raises(decisions.InvalidDecision, match="future"):
            decisions.decide(
                submission, "revise", revise_by=_local(utcnow() - timedelta(hours=1), submission)
            )
        with pytest.raises(decisions.InvalidDecision, match="before the event"):
            late = _local(event.starts_at + timedelta(hours=1), submission)
            decisions.decide(submission, "revise", revise_by=late)
        with pytest.raises(decisions.InvalidDecision) as caught:
            decisions.decide(submission, "revise")
    assert caught.value.field == "revise_by"
    assert submission.status == "submitted"


def test_revise_deadline_is_read_in_the_events_zone(app, db, reviewed, make_event):
    event = make_event(
        timezone="Asia/Tokyo",
        starts_at=(utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0),
    )
    submission = reviewed(event=event)
    wall = _local(utcnow() + timedelta(days=5), submission).replace(hour=12, minute=0)
    with app.test_request_context():
        decisions.decide(submission, "revise", revise_by=wall)
    assert utc_to_local_naive(submission.revise_by, "Asia/Tokyo") == wall


def test_decision_changes_until_sent_then_stays(app, db, reviewed):
    submission = reviewed()
    with app.test_request_context():
        decisions.decide(submission, "reject")
        decisions.decide(submission, "accept")
        assert submission.status == "accepted"
        decisions.decide(submission, None)
        assert submission.status == "submitted" and submission.decided_at is None
        decisions.decide(submission, "accept")
        assert decisions.send_decisions(submission.call) == 1
        with pytest.raises(decisions.DecisionSent):
            decisions.decide(submission, "reject")
    assert submission.status == "accepted"


def test_send_mails_each_decision_once_with_comments_for_authors_only(app, db, reviewed):
    submission = reviewed()
    email = submission.member.email
    before = len(_mails(db, email))
    with app.test_request_context():
        decisions.decide(submission, "reject")
        assert decisions.send_decisions(submission.call) == 1
        assert decisions.send_decisions(submission.call) == 0
    mails = _mails(db, email)[before:]
    assert len(mails) == 1
    (mail,) = mails
    assert submission.title in mail.subject or submission.call.event.title in mail.subject
    assert "A clear, useful paper." in mail.text_body
    assert "Tighten section 2." in mail.text_body
    assert "SECRET" not in mail.text_body and "SECRET" not in mail.html_body
    assert "Reviewer Person" not in mail.text_body and "Reviewer Person" not in mail.html_body
    assert "/members/me/submissions" in mail.text_body
    assert submission.decision_sent_at is not None
    assert submission.author_status_label == "rejected"


def test_default_decision_mail_is_in_the_authors_language(app, db, reviewed):
    submission = reviewed(language="fr")
    with app.test_request_context():
        decisions.decide(submission, "accept")
        decisions.send_decisions(submission.call)
    mail = _mails(db, submission.member.email)[-1]
    assert "accepté" in mail.text_body
    assert "/fr/members/me/submissions" in mail.text_body


def test_edited_template_is_sent_as_written_with_placeholders_filled(app, db, reviewed):
    submission = reviewed(language="fr")
    call = submission.call
    with app.test_request_context():
        decisions.save_template(
            call, "accept", "Good news: {title}", "Hello {name}, see {link} for {event}."
        )
        decisions.decide(submission, "accept")
        decisions.send_decisions(call)
    mail = _mails(db, submission.member.email)[-1]
    assert mail.subject == f"Good news: {submission.title}"
    assert f"Hello {submission.member.name}, see http" in mail.text_body
    assert call.event.title in mail.text_body
    # Our own link is clickable in the HTML part.
    assert 'href="http' in mail.html_body


def test_template_with_an_unknown_placeholder_is_refused(app, db, reviewed):
    submission = reviewed()
    with app.test_request_context(), pytest.raises(decisions.InvalidDecision, match="speaker"):
        decisions.save_template(submission.call, "reject", "Sorry", "Dear {speaker}")


def test_emptied_template_goes_back_to_the_default(app, db, reviewed):
    call = reviewed().call
    with app.test_request_context():
        decisions.save_template(call, "reject", "Sorry", "Not this time.")
        assert decisions.template_for(call, "reject")[2] is True
        decisions.save_template(call, "reject", "", "")
        subject, _body, edited = decisions.template_for(call, "reject")
    assert not edited and "{event}" in subject


def test_accepted_contribution_becomes_an_agenda_session_with_its_authors(app, db, reviewed):
    submission = reviewed()
    event = submission.call.event
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="paper")
        decisions.send_decisions(submission.call)
    session = db.session.get(AgendaSession, submission.agenda_session_id)
    assert session.event_id == event.id
    assert session.title == submission.title
    assert session.starts_at == event.starts_at and session.to_schedule
    assert submission.member.name in session.speakers and "Ana Co" in session.speakers


def test_scheduling_the_contribution_in_the_event_form_keeps_it_linked(app, db, reviewed):
    # The organizer gives the session its time (and unticks "to be scheduled"): it is the
    # same session, still the contribution's, so erasing the author would still find it.
    submission = reviewed()
    event = submission.call.event
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="paper")
        decisions.send_decisions(submission.call)
    session_id = submission.agenda_session_id
    rows = [
        event_services.SessionInput(
            s.title,
            s.starts_at + timedelta(hours=1),
            s.ends_at + timedelta(hours=1),
            s.speakers,
            to_schedule=False,
        )
        for s in event.sessions
    ]
    event_services.set_agenda(event, rows)
    db.session.expire_all()
    assert submission.agenda_session_id == session_id
    session = db.session.get(AgendaSession, session_id)
    assert session.title == submission.title and not session.to_schedule


def test_accepted_paper_with_consent_becomes_a_draft_working_paper(app, db, reviewed, make_member):
    coauthor = make_member(email="ana@example.org")
    submission = reviewed(pdf=PDF)
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="paper")
        decisions.send_decisions(submission.call)
    pub = db.session.get(Publication, submission.publication_id)
    assert pub.status == "draft" and pub.kind == "working_paper"
    assert pub.presented_at_event_id == submission.call.event_id
    assert pub.abstract == submission.abstract
    assert [a.name for a in pub.authors] == [submission.member.name, "Ana Co"]
    assert [a.member_id for a in pub.authors] == [submission.member_id, coauthor.id]
    assert pub.pdf_file and pub.pdf_size == len(PDF)


def test_no_working_paper_without_consent_or_for_a_poster(app, db, reviewed):
    without = reviewed(consent_publication=False)
    poster = reviewed(title="A poster")
    with app.test_request_context():
        decisions.decide(without, "accept", accepted_as="paper")
        decisions.decide(poster, "accept", accepted_as="poster")
        decisions.send_decisions(without.call)
        decisions.send_decisions(poster.call)
    assert without.publication_id is None and poster.publication_id is None
    assert without.agenda_session_id and poster.agenda_session_id


def test_accepted_contributions_show_only_once_sent(app, db, reviewed):
    submission = reviewed()
    event_id = submission.call.event_id
    with app.test_request_context():
        decisions.decide(submission, "accept")
        assert decisions.accepted_contributions(event_id) == []
        decisions.send_decisions(submission.call)
        ((shown, authors),) = decisions.accepted_contributions(event_id)
    assert shown.id == submission.id
    assert [a["name"] for a in authors] == [submission.member.name, "Ana Co"]


def _ask_for_revision(app, submission, days=5):
    with app.test_request_context():
        decisions.decide(
            submission, "revise", revise_by=_local(utcnow() + timedelta(days=days), submission)
        )
        decisions.send_decisions(submission.call)


def test_revision_keeps_history_and_goes_back_to_the_same_reviewers(app, db, reviewed):
    submission = reviewed(pdf=PDF)
    first_pdf = submission.pdf_file
    assigned = {a.reviewer_id for a in services.assignments(submission.call)}
    _ask_for_revision(app, submission)
    mail = _mails(db, submission.member.email)[-1]
    assert f"/members/me/submissions/{submission.id}/revise" in mail.text_body
    with app.test_request_context():
        decisions.revise(
            submission,
            _values(title="Shared awareness, revised", abstract="better " * 40),
            pdf=PDF + b" ",
        )
    assert submission.status == "submitted" and submission.round == 2
    assert decisions.current_round(submission) == 2
    assert submission.decision_sent_at is None and submission.revise_by is None
    assert submission.pdf_file != first_pdf
    (old,) = db.session.scalars(sa.select(SubmissionRevision)).all()
    assert old.round == 1 and old.title == "Shared awareness in flood response"
    assert old.pdf_file == first_pdf and old.decision == "revise"
    assert {a.reviewer_id for a in services.assignments(submission.call)} == assigned
    receipt = _mails(db, submission.member.email)[-1]
    assert "Revised" in receipt.subject and "Shared awareness, revised" in receipt.text_body


def test_revision_after_its_deadline_is_refused(app, db, reviewed):
    submission = reviewed()
    _ask_for_revision(app, submission)
    with app.test_request_context(), pytest.raises(decisions.RevisionClosed):
        decisions.revise(submission, _values(), now=submission.revise_by + timedelta(minutes=1))
    assert submission.round == 1


def test_revision_before_the_decision_is_sent_is_refused(app, db, reviewed):
    submission = reviewed()
    with app.test_request_context():
        decisions.decide(
            submission, "revise", revise_by=_local(utcnow() + timedelta(days=3), submission)
        )
        with pytest.raises(decisions.RevisionClosed):
            decisions.revise(submission, _values())


def test_decided_submission_can_no_longer_be_edited_by_its_author(app, db, reviewed):
    submission = reviewed()
    with app.test_request_context():
        decisions.decide(submission, "reject")
        with pytest.raises(services.CallClosed):
            services.update_submission(submission, _values(title="Changed"))
    assert submission.title == "Shared awareness in flood response"


def test_submission_page_shows_every_round_with_scores_and_reviewers(app, db, reviewed):
    submission = reviewed()
    page = decisions.submission_page(submission)
    (first,) = page.rounds
    assert first.round == 1 and first.summary.reviews == 2
    assert first.summary.mean == pytest.approx(4.5)
    assert {r.member.name for r in page.assigned} == {"Reviewer Person 0", "Reviewer Person 1"}
    assert [a["name"] for a in page.authors][1] == "Ana Co"


def test_export_has_sent_decisions_and_earlier_versions(app, db, reviewed):
    submission = reviewed()
    _ask_for_revision(app, submission)
    with app.test_request_context():
        decisions.revise(submission, _values(title="Second version"))
        decisions.decide(submission, "accept")
    (item,) = services.export_member(submission.member)
    assert item["version"] == 2
    assert item["status"] == "submitted" and item["decision"] is None  # not sent yet
    (earlier,) = item["earlier_versions"]
    assert earlier["title"] == "Shared awareness in flood response"
    assert earlier["decision"] == "revise"


def test_erasure_withdraws_submissions_and_takes_their_session_off_the_agenda(app, db, reviewed):
    submission = reviewed(pdf=PDF)
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="poster")
        decisions.send_decisions(submission.call)
    session_id = submission.agenda_session_id
    path = services.submission_dir() / submission.pdf_file
    assert path.exists()
    services.erase_member(submission.member)
    assert submission.status == "withdrawn" and submission.member_id is None
    assert db.session.get(AgendaSession, session_id) is None
    assert not path.exists()


def test_erasure_keeps_a_published_contribution(app, db, reviewed):
    submission = reviewed()
    with app.test_request_context():
        decisions.decide(submission, "accept", accepted_as="paper")
        decisions.send_decisions(submission.call)
    submission.publication.status = "published"
    services.erase_member(submission.member)
    assert submission.status == "accepted" and submission.member_id is None
    assert submission.agenda_session_id is not None
    assert db.session.get(Submission, submission.id).publication.is_published


def test_accepted_contributions_load_in_a_fixed_number_of_queries(app, db, reviewed, make_event):
    event = make_event(
        kind="symposium",
        starts_at=(utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0),
    )
    first = reviewed(event=event)
    call = first.call

    def accept_all():
        with app.test_request_context():
            for s in services.active_submissions(call):
                if s.status == "submitted":
                    decisions.decide(s, "accept", accepted_as="poster")
            decisions.send_decisions(call)
        db.session.expire_all()

    def queries() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        bind = db.session.get_bind()
        sa.event.listen(bind, "before_cursor_execute", count)
        try:
            assert decisions.accepted_contributions(event.id)
        finally:
            sa.event.remove(bind, "before_cursor_execute", count)
        return len(statements)

    accept_all()
    one = queries()
    for n in range(3):
        with app.test_request_context():
            services.submit(call, first.member, _values(title=f"Another paper {n}"))
    accept_all()
    assert len(decisions.accepted_contributions(event.id)) == 4
    db.session.expire_all()
    assert queries() == one


def test_demo_data_shows_each_stage_of_deciding(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    statuses = dict(
        db.session.execute(
            sa.select(Submission.status, sa.func.count()).group_by(Submission.status)
        ).all()
    )
    assert statuses.get("accepted") == 1 and statuses.get("revise") == 1
    assert statuses.get("rejected") == 1
    accepted = db.session.scalar(sa.select(Submission).where(Submission.status == "accepted"))
    assert accepted.agenda_session_id and accepted.publication.status == "draft"
    unsent = db.session.scalar(sa.select(Submission).where(Submission.status == "rejected"))
    assert unsent.decision_sent_at is None
    runner.invoke(args=["seed-demo"])  # a second run adds nothing
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Submission)
            .where(Submission.status == "accepted")
        )
        == 1
    )


def test_submission_page_shows_the_new_round_before_its_reviews(app, db, reviewed):
    submission = reviewed()
    _ask_for_revision(app, submission)
    with app.test_request_context():
        decisions.revise(submission, _values(title="Second version"))
    page = decisions.submission_page(submission)
    assert [(r.round, r.summary.reviews) for r in page.rounds] == [(2, 0), (1, 2)]
    assert [v.round for v in page.revisions] == [1]
