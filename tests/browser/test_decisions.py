"""A call for papers from submission to programme, in a real browser: a member submits, two
reviewers review on their pages, the organizer accepts and sends the decisions; the
decision mail is in the dev mailbox, the contribution is on the event's agenda, the working
paper a draft."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.calls import services as call_services
from interacta.calls.models import Review, Submission
from interacta.core.models import OutboxMessage, utcnow
from interacta.events.models import Event
from interacta.events.services import utc_to_local_naive
from interacta.extensions import db
from interacta.members import services as member_services
from interacta.members.models import Member
from interacta.publications.models import Publication
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TITLE = "Liaison officers as brokers of trust"


def _sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server + "/members/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_member_submits_reviewers_review_organizer_accepts_and_it_reaches_the_programme(
    live_app, live_server, page
):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        start = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        organizer = Member(email=f"org-{tag}@example.org", name="Olga Organizer",
                           role="organizer", email_verified_at=utcnow())  # fmt: skip
        author = Member(email=f"author-{tag}@example.org", name="Aino Author",
                        affiliation="Nordhaven University", email_verified_at=utcnow())  # fmt: skip
        readers = [
            Member(
                email=f"rev{n}-{tag}@example.org",
                name=f"Reviewer {name}",
                affiliation=f"Institute {n}",
                email_verified_at=utcnow(),
            )  # fmt: skip
            for n, name in enumerate(("Rosa", "Rami"))
        ]
        for person in (organizer, author, *readers):
            member_services.set_password(person, PASSWORD)
        db.session.add_all([organizer, author, *readers])
        db.session.flush()
        event = Event(slug=f"cmi-symposium-{tag}", title="CMI Symposium", kind="symposium",
                      starts_at=start, ends_at=start + timedelta(hours=8),
                      timezone="Europe/Brussels", venue_name="Hall", status="published",
                      published_at=utcnow(), organizer_id=organizer.id)  # fmt: skip
        db.session.add(event)
        db.session.flush()
        call = call_services.save_call(
            event,
            call_services.CallValues(
                deadline=utc_to_local_naive(utcnow() + timedelta(days=7), event.timezone).replace(
                    second=0, microsecond=0
                ),
                scope="Papers on coordination.",
                types=["paper", "talk"],
                criteria=[("Relevance", 2), ("Clarity", 1)],
            ),
        )
        db.session.commit()
        slug, event_id, author_email, organizer_email = (
            event.slug, event.id, author.email, organizer.email,
        )  # fmt: skip
        reader_ids = [r.id for r in readers]
        reader_emails = [r.email for r in readers]
        db.session.remove()

    # The member submits through the page.
    _sign_in(page, live_server, author_email)
    page.goto(f"{live_server}/events/{slug}/call")
    page.get_by_role("link", name="Submit a contribution").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Type of contribution").select_option("paper")
    page.get_by_label("Abstract").fill("How liaison officers build trust with civilians.")
    page.get_by_label("Co-authors").fill("Ana Novak | University of Ljubljana")
    page.get_by_label("If accepted, the paper may be published").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/members/me/submissions")
    assert TITLE in page.inner_text("main")

    # The organizer gives it to two reviewers, who review it on their own pages.
    with live_app.app_context():
        submission = db.session.scalar(sa.select(Submission).where(Submission.title == TITLE))
        call = submission.call
        for member_id in reader_ids:
            reviewer = call_services.add_reviewer(call, db.session.get(Member, member_id))
            call_services.assign_by_hand(submission, reviewer)
        db.session.commit()
        submission_id = submission.id
        db.session.remove()
    for n, email in enumerate(reader_emails):
        _sign_in(page, live_server, email)
        page.goto(live_server + "/reviews/")
        page.get_by_role("link", name=TITLE, exact=True).click()
        assert "Aino Author" not in page.inner_text("main")  # double-blind
        page.get_by_role("group", name="Relevance").get_by_label(str(4 + n)).check()
        page.get_by_role("group", name="Clarity").get_by_label(str(4 + n)).check()
        page.get_by_label("Comment for the authors").fill(f"Comment {n} for the authors.")
        page.get_by_label("Confidential comment for the organizers").fill(
            f"Only for organizers {n}."
        )
        page.get_by_role("group", name="Recommendation").get_by_label("Accept", exact=True).check()
        page.get_by_role("button", name="Save my review").click()
        assert "Your review is saved." in page.inner_text(".flashes")
    with live_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Review.id)).where(Review.submission_id == submission_id)
            )
            == 2
        )
        db.session.remove()

    # The organizer reads the reviews and accepts on the submission's page.
    _sign_in(page, live_server, organizer_email)
    page.goto(f"{live_server}/events/manage/{event_id}/submissions/{submission_id}")
    text = page.inner_text("main")
    assert "Reviewer Rosa" in text and "Only for organizers 1." in text and "4.50" in text
    assert axe_violations(page) == []
    page.get_by_role("combobox", name="Decision", exact=True).select_option("accept")
    page.get_by_label("Accepted as").select_option("paper")
    page.get_by_role("button", name="Save the decision").click()
    assert "The decision is recorded" in page.inner_text("main")

    page.get_by_role("link", name="Decisions", exact=True).click()
    assert TITLE in page.inner_text("main")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send decisions (1)").click()
    assert "on its way" in page.inner_text("main")
    assert "Every decision made is sent." in page.inner_text("main")

    # The decision mail is in the dev mailbox, with the comments for the authors only.
    with live_app.app_context():
        mail = db.session.scalar(
            sa.select(OutboxMessage).where(
                OutboxMessage.to_addr == author_email,
                OutboxMessage.template == "calls/mail/decision",
            )
        )
        mail_id = mail.id
        assert "Comment 0 for the authors." in mail.text_body
        assert "Only for organizers" not in mail.text_body and "Reviewer Rosa" not in mail.text_body
        db.session.remove()
    page.goto(f"{live_server}/dev/mailbox/{mail_id}")
    assert TITLE in page.inner_text("body")

    # The contribution is on the event's agenda and in its "Accepted contributions".
    page.goto(f"{live_server}/events/{slug}")
    assert TITLE in page.inner_text("#accepted-title + ul")
    assert TITLE in page.inner_text("table.agenda")
    assert "Aino Author, Ana Novak" in page.inner_text("table.agenda")

    # The working paper is a draft, presented at the event; the organizer's page links it.
    with live_app.app_context():
        pub = db.session.scalar(sa.select(Publication).where(Publication.title == TITLE))
        assert pub.status == "draft" and pub.kind == "working_paper"
        assert pub.presented_at_event_id == event_id
        db.session.remove()
    page.goto(f"{live_server}/events/manage/{event_id}/submissions/{submission_id}")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/publications/manage/*/edit")
