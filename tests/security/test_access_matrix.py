"""The route x role access matrix.

Every route of the app (read from its URL map) and each of its methods has a row in TABLE
giving the expected outcome for each of seven roles, allowed or refused, and
`test_route_for_every_role` checks every cell: a new route without a row, or a row whose
route is gone, fails `test_every_route_and_method_has_a_row`.

The roles, TABLE's columns in this order (ROLES):

- anon: a visitor without an account; for the links mailed to accounts, the visitor who
  has just joined (an unverified account) and holds its verification and reset links;
- guest: a visitor holding a guest registration's link (no account);
- member ("membr"): a signed-in member who is not registered for the event;
- participant ("part"): a member with a confirmed registration for the event;
- other_org ("other"): the organizer of another event;
- owner: the organizer of the event;
- admin.

Signed-in roles have a fresh sign-in (password typed just now). Token routes carry the
token the role holds (its own registration, calendar feed or account link); a role that
holds none tries an unknown one. Every request is made with CSRF protection on and a
valid token, so a refusal is about access, never about CSRF; each role's requests run in
a savepoint that is rolled back, so the roles do not see each other's changes.

A cell is an exact status ("200", "403", "404", ...), "login" (a redirect to sign in that
comes back to the page), "->" (a redirect to the row's DETAILS `to`, a pattern formatted
with the URL values) or "->name" (a redirect to DEST[name]). A refused cell (4xx or
"login") must also leave the database as it was: members, events, registrations,
publications, calendar tokens, queued mail, the audit and consent logs. DETAILS gives a
row's form data and URL values, and may add a `check` of what an allowed request did (a
row changed, a mail queued) or of what a page shows (the online link).
"""

from __future__ import annotations

import fnmatch
import io
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import g
from itsdangerous import URLSafeTimedSerializer

from interacta.calls import services as call_services
from interacta.calls.models import Review, Reviewer, Submission
from interacta.consent.models import ConsentLogEntry
from interacta.core.models import OutboxMessage, utcnow
from interacta.credentials.models import Certificate, CertificateSettings
from interacta.events.models import CalendarToken, Event, Registration
from interacta.extensions import limiter
from interacta.members import services as member_services
from interacta.members import tokens
from interacta.members.models import AuditLog, Member
from interacta.members.passwords import fingerprint
from interacta.network import digests
from interacta.network.models import Subscription
from interacta.network.services import create_organisation
from interacta.publications.models import Publication
from tests.conftest import Auth
from tests.fixtures.events import event_form_data
from tests.fixtures.members import GOOD_PASSWORD

ROLES = ("anon", "guest", "member", "participant", "other_org", "owner", "admin")
MEMBER_ROLES = ROLES[2:]
NEW_PASSWORD = "a brand new passphrase"
ONLINE_URL = "https://meet.example.org/matrix-room-4711"
#: A well-formed token nobody holds.
UNKNOWN_TOKEN = "Zq3" * 14
#: Where the "->name" cells expect a redirect to.
DEST = {
    "me": "/members/me",  # the account page
    "in": "/members/login",  # the sign-in page (not a refusal: no `next`)
    "ev": "/events/{slug}",  # the event page
    "my": "/events/my",  # the member's events
}


@dataclass
class Spec:
    """What a row's requests send, and what else to check (see DETAILS)."""

    #: where the row's "->" cells redirect to (a pattern formatted with the URL values)
    to: str | None = None
    #: form data, or (world, role) -> form data; every POST also gets a valid CSRF token
    data: Callable | dict | None = None
    #: (world, role) -> URL values, over the defaults of `_values`
    values: Callable | None = None
    #: (world, role, response, client, db) -> None: more assertions for a cell
    check: Callable | None = None


def parse_table(text: str) -> dict[str, dict[str, str]]:
    """TABLE as {"METHOD /rule": {role: cell}}."""
    rows = {}
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for line in lines[1:]:  # after the header
        *cells, key = line.split(None, len(ROLES))
        assert key not in rows, f"two rows for {key}"
        rows[key] = dict(zip(ROLES, cells, strict=True))
    return rows


# -- the world ----------------------------------------------------------------------------------


class World(SimpleNamespace):
    def __repr__(self) -> str:  # keeps failure reports to the point
        return "<the matrix world>"


@pytest.fixture
def world(db, make_member, make_event, make_registration, make_publication, make_call):
    """One event with its organizer, a participant, a guest; another organizer's event; a
    member, an admin, an unverified newcomer; publications; all as plain values."""
    people = {
        role: make_member(
            password=GOOD_PASSWORD,
            role={"other_org": "organizer", "owner": "organizer", "admin": "admin"}.get(
                role, "member"
            ),
            name=f"Matrix {role}",
        )
        for role in MEMBER_ROLES
    }
    newcomer = make_member(password=GOOD_PASSWORD, email_verified_at=None)
    event = make_event(
        organizer=people["owner"],
        format="hybrid",
        online_url=ONLINE_URL,
        capacity=10,
    )
    call = make_call(event=event)
    submission = Submission(
        call=call,
        member_id=people["participant"].id,
        title="Matrix paper",
        title_key="matrix paper",
        contribution_type="paper",
        track="Disaster response",
        abstract="An abstract.",
    )
    submission.pdf_file, submission.pdf_size = _submission_pdf(), 500
    db.session.add(submission)
    db.session.flush()
    # The member reviews for the call and is assigned the participant's paper.
    reviewer = call_services.add_reviewer(call, people["member"])
    assignment = call_services.assign_by_hand(submission, reviewer)
    # A second reviewer, not yet assigned, for the organizer to assign by hand.
    spare_reviewer = call_services.add_reviewer(call, make_member(name="Matrix reviewer"))
    draft = make_event(organizer=people["owner"], status="draft")
    other_event = make_event(organizer=people["other_org"])
    participation = make_registration(event=event, member=people["participant"])
    guest = make_registration(
        event=event, status="pending", email="guest@example.org", name="Gina Guest"
    )
    confirmed_guest = make_registration(event=event, email="carl@example.org", name="Carl Guest")
    certificate = Certificate(
        public_id="matrix-certificate",
        serial="IG-2026-MATRIX01",
        event_id=event.id,
        registration_id=participation.id,
        member_id=people["participant"].id,
        kind="attendance",
        holder_name="Matrix participant",
        event_title=event.title,
        event_kind=event.kind,
        event_starts_at=event.starts_at,
        event_ends_at=event.ends_at,
    )
    db.session.add(certificate)
    feeds = {}
    for role, person in people.items():
        feeds[role] = f"feed-{role}-" + "x" * 20
        db.session.add(CalendarToken(member_id=person.id, token=feeds[role]))
    pub = make_publication()
    pub.pdf_file, pub.pdf_size = _matrix_pdf(), 200
    draft_pub = make_publication(status="draft")
    from interacta.publications.models import PublicationImport

    pub_import = PublicationImport(
        filename="library.bib",
        file_format="bibtex",
        status="done",
        total=1,
        done=1,
        source="",
        report={"imported": [], "duplicates": [], "broken": []},
    )
    db.session.add(pub_import)
    organisation = create_organisation(
        "Matrix Organisation", is_partner=True, logo=b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    message = OutboxMessage(
        to_addr="someone@example.org",
        subject="A message",
        template="members/mail/verify",
        text_body="Hello",
    )
    db.session.add(message)
    db.session.flush()
    # Topic digests: each member role subscribed, and a confirmed guest subscriber.
    subscriptions = {
        role: digests.save_member_subscription(
            person, digests.Choices(frequency="weekly", event_kinds=["workshop"])
        )
        for role, person in people.items()
    }
    subscriptions["guest"] = digests.confirm_guest_subscription(
        digests.guest_confirm_token(
            "gina.reader@example.org",
            digests.Choices(frequency="monthly", publication_kinds=["report"]),
            "en",
            "Europe/Vienna",
        )
    )
    w = World(
        unsubscribe={role: digests.unsubscribe_token(s) for role, s in subscriptions.items()},
        subscription_ids={role: s.id for role, s in subscriptions.items()},
        subscribe_confirm={
            "guest": digests.guest_confirm_token(
                "gina.other@example.org",
                digests.Choices(frequency="weekly", event_kinds=["course"]),
                "de",
                "Europe/Berlin",
            )
        },
        other_event_id=other_event.id,
        member_ids={role: person.id for role, person in people.items()},
        emails={role: person.email for role, person in people.items()},
        newcomer_id=newcomer.id,
        event_id=event.id,
        event_slug=event.slug,
        draft_event_id=draft.id,
        draft_slug=draft.slug,
        participation_id=participation.id,
        participant_token=participation.token,
        guest_id=guest.id,
        guest_token=guest.token,
        guest_confirmed_id=confirmed_guest.id,
        certificate_id=certificate.id,
        feeds=feeds,
        pub_id=pub.id,
        pub_slug=pub.slug,
        draft_pub_id=draft_pub.id,
        import_id=pub_import.id,
        org_slug=organisation.slug,
        org_id=organisation.id,
        other_org_id=create_organisation("Matrix Other Organisation").id,
        message_id=message.id,
        submission_id=submission.id,
        reviewer_id=reviewer.id,
        assignment_id=assignment.id,
        criterion_ids=[c.id for c in call.criteria],
        spare_reviewer_id=spare_reviewer.id,
        verify={
            role: tokens.make_token(tokens.VERIFY, {"m": person.id, "e": person.email})
            for role, person in [*people.items(), ("anon", newcomer)]
        },
        reset={
            role: tokens.make_token(
                tokens.RESET, {"m": person.id, "h": fingerprint(person.password_hash)}
            )
            for role, person in [*people.items(), ("anon", newcomer)]
        },
        confirm_email={
            role: tokens.email_change_token(person, f"{role}.new@example.org")
            for role, person in people.items()
        },
    )
    db.session.commit()  # the world stays in the test's transaction; each role rolls back
    return w


def checkin_token(w, role) -> dict:
    """The participant's personal check-in link (their QR code's)."""
    from interacta.events import attendance
    from interacta.extensions import db

    return {"token": attendance.checkin_token(db.session.get(Registration, w.participation_id))}


def checkin_shows_the_name(w, role, response, client, db):
    if response.status_code == 200:
        assert "Matrix participant" in response.get_data(as_text=True)


def checked_in_by_link(w, role, response, client, db):
    if response.status_code == 200:
        assert _registration(db, w.participation_id, Registration.attended_at) is not None


def certificates_turned_on(w, role, response, client, db):
    if role in ("owner", "admin"):
        assert db.session.get(CertificateSettings, w.event_id).is_enabled


def certificate_issued_by_hand(w, role, response, client, db):
    if role in ("owner", "admin"):
        issued = db.session.scalar(
            sa.select(Certificate).where(Certificate.registration_id == w.guest_confirmed_id)
        )
        assert issued is not None and issued.manual_reason == "Attended"


def record_shows_own_certificates(w, role, response, client, db):
    """The record lists the certificate to its holder (the participant), to nobody else."""
    if response.status_code == 200:
        shown = "IG-2026-MATRIX01" in response.get_data(as_text=True)
        assert shown == (role == "participant"), role


def credential_has_no_email(w, role, response, client, db):
    """The holder's email is in it only as a salted hash."""
    body = response.get_data(as_text=True)
    assert w.emails["participant"] not in body and '"identityHash": "sha256$' in body


def certificate_revoked(w, role, response, client, db):
    if role in ("owner", "admin"):
        assert db.session.get(Certificate, w.certificate_id).revoked_reason == "Issued by mistake"


def attendance_report_shown(w, role, response, client, db):
    if response.status_code == 200:
        assert "1 rows skipped" in response.get_data(as_text=True)


def _matrix_pdf() -> str:
    """A small PDF in the publications folder (written once per test session)."""
    from interacta.publications import files

    name = "0" * 32 + ".pdf"
    path = files.pdf_dir() / name
    if not path.exists():
        path.write_bytes(b"%PDF-1.4\ntrailer << >>\n%%EOF\n")
    return name


def _submission_pdf() -> str:
    """A real PDF (pypdf reads it) in the calls folder, its author in the metadata."""
    from pypdf import PdfWriter

    from interacta.calls.services import submission_dir

    name = "1" * 32 + ".pdf"
    path = submission_dir() / name
    if not path.exists():
        writer = PdfWriter()
        writer.add_blank_page(100, 100)
        writer.add_metadata({"/Author": "Matrix participant"})
        with path.open("wb") as out:
            writer.write(out)
    return name


def _values(w, rule: str, role: str) -> dict:
    publication = rule.startswith("/publications/")
    return {
        "participation_id": w.participation_id,
        "draft_slug": w.draft_slug,
        "event_id": w.event_id,
        "slug": w.pub_slug
        if publication
        else w.org_slug
        if rule.startswith("/organisations/")
        else w.event_slug,
        "pub_id": w.pub_id,
        "import_id": w.import_id,
        "member_id": w.member_ids["member"],
        "message_id": w.message_id,
        "org_id": w.org_id,
        "submission_id": w.submission_id,
        "reviewer_id": w.reviewer_id,
        "kind": "reject",
        "assignment_id": w.assignment_id,
        "certificate_id": w.certificate_id,
        "public_id": "matrix-certificate",
        "filename": "css/site.css",
        "fmt": "bib",
    }


# -- tokens each role holds ---------------------------------------------------------------------


def registration_token(w, role):
    own = {"guest": w.guest_token, "participant": w.participant_token}
    return {"token": own.get(role, UNKNOWN_TOKEN)}


def feed_token(w, role):
    return {"token": w.feeds.get(role, UNKNOWN_TOKEN)}


def account_link(kind):
    def values(w, role):
        return {"token": getattr(w, kind).get(role, "not-a-valid-link")}

    return values


# -- form data ----------------------------------------------------------------------------------

EVENT_FORM = event_form_data()
PUBLICATION_FORM = {
    "kind": "journal_article",
    "title": "Shared Situational Awareness in Flood Response",
    "authors": "Maja Lindqvist | Nordhaven University",
    "year": "2025",
    "language": "en",
    "version_of": "0",
}
JOIN_FORM = {
    "name": "Nadia Novak",
    "email": "nadia.matrix@example.org",
    "password": GOOD_PASSWORD,
    "accept_privacy": "y",
}


def guest_form(w, role):
    email = "guest@example.org" if role == "guest" else "visitor@example.org"
    return {"name": "A Visitor", "email": email}


# -- checks of what an allowed request did ------------------------------------------------------


def _scalar(db, stmt):
    return db.session.execute(stmt).scalar()


def _member(db, member_id, column):
    return _scalar(db, sa.select(column).where(Member.id == member_id))


def _event(db, event_id, column):
    return _scalar(db, sa.select(column).where(Event.id == event_id))


def _registration(db, registration_id, column):
    return _scalar(db, sa.select(column).where(Registration.id == registration_id))


def _count(db, model, *where):
    return _scalar(db, sa.select(sa.func.count()).select_from(model).where(*where))


def _mails_to(db, address):
    return _count(db, OutboxMessage, OutboxMessage.to_addr == address)


def allowed_only(check):
    """Run `check` only on the cells that allow the request."""

    def run(w, role, response, client, db):
        if response.status_code < 400 and "/members/login?" not in response.headers.get(
            "Location", ""
        ):
            check(w, role, response, client, db)

    return run


def online_link_only_for_participants_and_organizers(w, role, response, client, db):
    html = response.get_data(as_text=True)
    shown = ONLINE_URL in html
    assert shown is (role in ("participant", "owner", "admin")), f"online link shown={shown}"


def signed_out(w, role, response, client, db):
    g.__dict__.clear()
    assert client.get("/members/me").status_code == 302


@allowed_only
def role_changed(w, role, response, client, db):
    assert _member(db, w.member_ids["member"], Member.role) == "organizer"


@allowed_only
def deactivated(w, role, response, client, db):
    assert _member(db, w.member_ids["member"], Member.is_active) is False


@allowed_only
def email_confirmed(w, role, response, client, db):
    assert _member(db, w.member_ids[role], Member.email) == f"{role}.new@example.org"


@allowed_only
def account_created_or_untouched(w, role, response, client, db):
    joined = _count(db, Member, Member.email == JOIN_FORM["email"])
    assert joined == (1 if role in ("anon", "guest") else 0)


@allowed_only
def profile_saved(w, role, response, client, db):
    assert _member(db, w.member_ids[role], Member.name) == "Renamed Member"


@allowed_only
def account_erased(w, role, response, client, db):
    assert _member(db, w.member_ids[role], Member.erased_at) is not None


@allowed_only
def email_change_mailed(w, role, response, client, db):
    assert _mails_to(db, "changed@example.org") == 1


@allowed_only
def password_changed(w, role, response, client, db):
    member = db.session.get(Member, w.member_ids[role])
    assert member_services.check_password(member, NEW_PASSWORD)


@allowed_only
def others_signed_out(w, role, response, client, db):
    assert _member(db, w.member_ids[role], Member.session_token)


@allowed_only
def password_reset(w, role, response, client, db):
    member_id = w.newcomer_id if role == "anon" else w.member_ids[role]
    assert member_services.check_password(db.session.get(Member, member_id), NEW_PASSWORD)


@allowed_only
def newcomer_verified(w, role, response, client, db):
    assert _member(db, w.newcomer_id, Member.email_verified_at) is not None


@allowed_only
def registered(w, role, response, client, db):
    if role == "anon":
        address = "visitor@example.org"
    elif role == "guest":
        address = "guest@example.org"
    else:
        address = w.emails[role]
    active = _count(
        db,
        Registration,
        Registration.event_id == w.event_id,
        Registration.email == address,
        Registration.status != "cancelled",
    )
    assert active == 1


@allowed_only
def event_created(w, role, response, client, db):
    assert _count(db, Event, Event.title == EVENT_FORM["title"]) == 1


@allowed_only
def event_edited(w, role, response, client, db):
    assert _event(db, w.event_id, Event.title) == EVENT_FORM["title"]


@allowed_only
def draft_published(w, role, response, client, db):
    assert _event(db, w.draft_event_id, Event.status) == "published"


@allowed_only
def event_cancelled(w, role, response, client, db):
    assert _event(db, w.event_id, Event.status) == "cancelled"


@allowed_only
def event_copied(w, role, response, client, db):
    assert _count(db, Event, Event.status == "draft") == 2


@allowed_only
def checked_in(w, role, response, client, db):
    assert _registration(db, w.participation_id, Registration.attended_at) is not None


@allowed_only
def participants_messaged(w, role, response, client, db):
    assert _mails_to(db, w.emails["participant"]) == 1


@allowed_only
def capacity_set(w, role, response, client, db):
    assert _event(db, w.event_id, Event.capacity) == 20


@allowed_only
def feed_renewed(w, role, response, client, db):
    token = _scalar(
        db, sa.select(CalendarToken.token).where(CalendarToken.member_id == w.member_ids[role])
    )
    assert token != w.feeds[role]


@allowed_only
def guest_confirmed(w, role, response, client, db):
    if role == "guest":
        assert _registration(db, w.guest_id, Registration.status) == "confirmed"


@allowed_only
def registration_cancelled(w, role, response, client, db):
    registration_id = w.guest_id if role == "guest" else w.participation_id
    assert _registration(db, registration_id, Registration.status) == "cancelled"


@allowed_only
def registration_listed(w, role, response, client, db):
    registration_id = w.guest_id if role == "guest" else w.participation_id
    assert _registration(db, registration_id, Registration.is_listed) is True


@allowed_only
def reservations_set(w, role, response, client, db):
    from interacta.events.models import SectorGroup

    seats = db.session.scalar(
        sa.select(SectorGroup.seats).where(SectorGroup.event_id == w.event_id)
    )
    assert seats == 2


@allowed_only
def publication_added(w, role, response, client, db):
    assert _count(db, Publication, Publication.title == PUBLICATION_FORM["title"]) == 1


def import_file(w, role):
    import io

    bib = b"@article{matrix, title = {Imported In The Matrix}, author = {A, B}, year = {2024}}"
    return {"file": (io.BytesIO(bib), "matrix.bib"), "status": "draft"}


@allowed_only
def publication_imported(w, role, response, client, db):
    assert _count(db, Publication, Publication.title == "Imported In The Matrix") == 1


@allowed_only
def publication_edited(w, role, response, client, db):
    title = _scalar(db, sa.select(Publication.title).where(Publication.id == w.pub_id))
    assert title == PUBLICATION_FORM["title"]


@allowed_only
def publication_published(w, role, response, client, db):
    status = _scalar(db, sa.select(Publication.status).where(Publication.id == w.draft_pub_id))
    assert status == "published"


@allowed_only
def publication_withdrawn(w, role, response, client, db):
    status = _scalar(db, sa.select(Publication.status).where(Publication.id == w.pub_id))
    assert status == "draft"


@allowed_only
def choice_logged(w, role, response, client, db):
    assert _count(db, ConsentLogEntry) == 1


def call_form(w, role):
    deadline = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    return {
        "scope": "Matrix scope",
        "types": ["talk"],
        "abstract_word_limit": "250",
        "deadline": deadline,
        "blind_mode": "single",
        "criteria": "Relevance | 3",
        "reviews_per_submission": "2",
    }


@allowed_only
def call_saved(w, role, response, client, db):
    from interacta.calls.models import Call

    assert _scalar(db, sa.select(Call.scope).where(Call.event_id == w.event_id)) == "Matrix scope"


SUBMISSION_FORM = {
    "title": "A matrix contribution",
    "contribution_type": "paper",
    "track": "Disaster response",
    "abstract": "Short and to the point.",
}


def _submission(db, **where):
    return _scalar(db, sa.select(Submission).filter_by(**where))


@allowed_only
def submitted(w, role, response, client, db):
    mine = _submission(db, member_id=w.member_ids[role], title=SUBMISSION_FORM["title"])
    assert mine is not None and _mails_to(db, w.emails[role]) == 1


@allowed_only
def submission_changed(w, role, response, client, db):
    assert _submission(db, id=w.submission_id).title == SUBMISSION_FORM["title"]


@allowed_only
def submission_withdrawn(w, role, response, client, db):
    assert _submission(db, id=w.submission_id).status == "withdrawn"


@allowed_only
def decision_recorded(w, role, response, client, db):
    assert _submission(db, id=w.submission_id).status == "rejected"


@allowed_only
def reviewer_assigned(w, role, response, client, db):
    from interacta.calls.models import Assignment

    assert _count(db, Assignment, Assignment.reviewer_id == w.spare_reviewer_id) == 1


@allowed_only
def decision_template_saved(w, role, response, client, db):
    from interacta.calls.models import DecisionTemplate

    assert _scalar(db, sa.select(DecisionTemplate.body)) == "Matrix body"


@allowed_only
def decisions_sent(w, role, response, client, db):
    # Nothing was decided: nothing is mailed, the page says so.
    assert _mails_to(db, w.emails["participant"]) == 0


def submission_pdf_for_organizers(w, role, response, client, db):
    if response.status_code == 200:
        assert response.mimetype == "application/pdf"


def review_form(w, role):
    data = {f"score_{criterion_id}": "3" for criterion_id in w.criterion_ids}
    return {**data, "comment_authors": "Matrix comment", "recommendation": "minor"}


@allowed_only
def review_saved(w, role, response, client, db):
    saved = _scalar(db, sa.select(Review.recommendation).where(Review.reviewer_id == w.reviewer_id))
    assert saved == "minor"


@allowed_only
def preferences_saved(w, role, response, client, db):
    saved = _scalar(db, sa.select(Reviewer.preferred_tracks).where(Reviewer.id == w.reviewer_id))
    assert saved == "Disaster response"


def review_page_is_blind(w, role, response, client, db):
    if response.status_code == 200:
        assert "Matrix paper" in response.get_data(as_text=True)
        assert "Matrix participant" not in response.get_data(as_text=True)


def paper_is_blind(w, role, response, client, db):
    if response.status_code == 200:
        assert response.data.startswith(b"%PDF") and b"Matrix participant" not in response.data


def submissions_table(w, role, response, client, db):
    if response.status_code == 200:
        assert "Matrix paper" in response.get_data(as_text=True)


@allowed_only
def reviewer_added(w, role, response, client, db):
    added = _scalar(
        db, sa.select(Reviewer.id).where(Reviewer.member_id == w.member_ids["other_org"])
    )
    assert added is not None


@allowed_only
def reviewer_removed(w, role, response, client, db):
    assert _scalar(db, sa.select(Reviewer.id).where(Reviewer.id == w.reviewer_id)) is None


def csv_lists_the_participants(w, role, response, client, db):
    if response.status_code == 200:
        assert "Gina Guest" in response.get_data(as_text=True)


def _subscription_is(db, w, role, state: str) -> None:
    """The role's own subscription is on at this frequency, or "gone" (off or deleted)."""
    if role not in w.subscription_ids:  # anon has none
        return
    row = db.session.get(Subscription, w.subscription_ids[role])
    if state == "gone":
        assert row is None or row.frequency == "off"
    else:
        assert row is not None and row.frequency == state


def guest_subscription_confirmed(w, role, response, client, db):
    if role == "guest":
        row = db.session.scalar(
            sa.select(Subscription).where(Subscription.email == "gina.other@example.org")
        )
        assert row is not None and row.frequency == "weekly" and row.language == "de"


# -- the matrix ---------------------------------------------------------------------------------

TABLE = """
anon  guest membr part  other owner admin  METHOD /rule
# pages, health, static files
200   200   200   200   200   200   200    GET /
200   200   200   200   200   200   200    GET /about
200   200   200   200   200   200   200    GET /imprint
200   200   200   200   200   200   200    GET /privacy
200   200   200   200   200   200   200    GET /healthz
200   200   200   200   200   200   200    GET /static/<path:filename>

# the development mailbox: on in the test configuration (debug or DEV_MAILBOX + testing
# only; tests/pages checks that it is 404 otherwise)
200   200   200   200   200   200   200    GET /dev/mailbox
200   200   200   200   200   200   200    GET /dev/mailbox/<int:message_id>

# cookies
200   200   200   200   200   200   200    GET /cookies
200   200   200   200   200   200   200    GET /cookies/preferences
->    ->    ->    ->    ->    ->    ->     POST /cookies/consent
->    ->    ->    ->    ->    ->    ->     POST /cookies/preferences/timezone
login login 403   403   403   403   200    GET /cookies/admin/log.csv
login login 403   403   403   403   200    GET /cookies/admin/stats

# members: joining, signing in, links from mails
200   200   ->me  ->me  ->me  ->me  ->me   GET /members/join
->    ->    ->me  ->me  ->me  ->me  ->me   POST /members/join
200   200   200   200   200   200   200    GET /members/join/sent
->in  400   400   400   400   400   400    GET /members/verify/<token>
200   200   ->me  ->me  ->me  ->me  ->me   GET /members/login
400   400   ->me  ->me  ->me  ->me  ->me   POST /members/login
->    ->    ->    ->    ->    ->    ->     POST /members/logout
200   200   200   200   200   200   200    GET /members/resend
200   200   200   200   200   200   200    POST /members/resend
200   200   200   200   200   200   200    GET /members/reset
200   200   200   200   200   200   200    POST /members/reset
200   400   200   200   200   200   200    GET /members/reset/<token>
->in  400   ->in  ->in  ->in  ->in  ->in   POST /members/reset/<token>
400   400   ->me  ->me  ->me  ->me  ->me   GET /members/confirm-email/<token>
200   200   200   200   200   200   200    GET /members/deleted

# members: the account
login login 200   200   200   200   200    GET /members/me
login login ->me  ->me  ->me  ->me  ->me   POST /members/me
login login ->    ->    ->    ->    ->     GET /members/me/email
login login ->me  ->me  ->me  ->me  ->me   POST /members/me/email
login login ->    ->    ->    ->    ->     GET /members/me/password
login login ->me  ->me  ->me  ->me  ->me   POST /members/me/password
login login ->    ->    ->    ->    ->     GET /members/me/sign-out-others
login login ->me  ->me  ->me  ->me  ->me   POST /members/me/sign-out-others

# a fresh session goes straight on (tests/members/test_reauthenticate.py for stale ones)
login login ->me  ->me  ->me  ->me  ->me   GET /members/reauthenticate
login login ->me  ->me  ->me  ->me  ->me   POST /members/reauthenticate
login login 200   200   200   200   200    GET /members/me/export
login login 200   200   200   200   200    GET /members/me/delete
login login ->    ->    ->    ->    ->     POST /members/me/delete
login login 200   200   200   200   200    GET /members/

# members: administration
login login 403   403   403   403   200    GET /members/admin
login login 403   403   403   403   ->     POST /members/admin/<int:member_id>/role
login login 403   403   403   403   ->     POST /members/admin/<int:member_id>/active

# events: public pages
200   200   200   200   200   200   200    GET /events/
200   200   200   200   200   200   200    GET /events/past
200   200   200   200   200   200   200    GET /events/calendar
200   200   200   200   200   200   200    GET /events/feed.ics
200   200   200   200   200   200   200    GET /events/<slug>
200   200   200   200   200   200   200    GET /events/<slug>.ics
200   200   ->ev  ->ev  ->ev  ->ev  ->ev   GET /events/<slug>/register
200   200   ->ev  ->ev  ->ev  ->ev  ->ev   POST /events/<slug>/register

# calls for papers (the event has an open call)
200   200   200   200   200   200   200    GET /events/<slug>/call
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/call
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/call
login login 200   200   200   200   200    GET /events/<slug>/call/submit
login login ->    ->    ->    ->    ->     POST /events/<slug>/call/submit
login login 200   200   200   200   200    GET /members/me/submissions
login login 404   200   404   404   404    GET /members/me/submissions/<int:submission_id>/edit
login login 404   ->    404   404   404    POST /members/me/submissions/<int:submission_id>/edit
login login 404   ->    404   404   404    POST /members/me/submissions/<int:submission_id>/withdraw
login login 404   ->    404   404   404    GET /members/me/submissions/<int:submission_id>/revise
login login 404   ->    404   404   404    POST /members/me/submissions/<int:submission_id>/revise
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/submissions/<int:submission_id>
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/submissions/<int:submission_id>/pdf
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/submissions/<int:submission_id>/decision
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/submissions/<int:submission_id>/reviewers
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/submissions/<int:submission_id>/reviewers/<int:reviewer_id>/remove
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/decisions
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/decisions/templates/<kind>
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/decisions/send

# reviewing: the member reviews for the call and has the participant's paper to review;
# nobody else opens that review, not even the organizers (they see reviews on their pages)
login login 200   200   200   200   200    GET /reviews/
login login ->    404   404   404   404    POST /reviews/preferences/<int:reviewer_id>
login login 200   404   404   404   404    GET /reviews/<int:assignment_id>
login login ->    404   404   404   404    POST /reviews/<int:assignment_id>
login login 200   404   404   404   404    GET /reviews/<int:assignment_id>/paper.pdf
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/submissions
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/submissions.csv
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/reviewers
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/reviewers/remove
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/assign

# events: a registration's own page, by its token only
404   200   404   200   404   404   404    GET /events/registration/<token>
404   ->    404   ->    404   404   404    POST /events/registration/<token>/confirm
404   ->    404   ->my  404   404   404    POST /events/registration/<token>/cancel
404   ->    404   ->    404   404   404    POST /events/registration/<token>/listing
404   404   404   404   404   200   200    GET /events/<slug>/participants

# events: members' own
login login 200   200   200   200   200    GET /events/my
login login ->    ->    ->    ->    ->     POST /events/my/feed/renew
404   404   200   200   200   200   200    GET /events/my/<token>.ics

# events: organizer tools
login login 403   403   200   200   200    GET /events/manage/
login login 403   403   200   200   200    GET /events/manage/new
login login 403   403   ->    ->    ->     POST /events/manage/new
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/edit
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/edit
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/preview
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/publish
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/cancel
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/cancel
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/duplicate
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/duplicate
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/participants
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/participants.csv
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/checkin
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/checkin
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/message
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/message
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/capacity
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/reservations
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/checkin/import
login login 403   403   403   200   200    POST /events/manage/<int:event_id>/checkin/import
# credentials: the organizer's certificates page of an event
login login 403   403   403   200   200    GET /credentials/manage/<int:event_id>
login login 403   403   403   ->    ->     POST /credentials/manage/<int:event_id>/settings
login login 403   403   403   ->    ->     POST /credentials/manage/<int:event_id>/issue
login login 403   403   403   ->    ->     POST /credentials/manage/<int:event_id>/issue-one
login login 403   403   403   ->    ->     POST /credentials/<int:certificate_id>/revoke
# credentials: anyone verifies a certificate by its public id
200   200   200   200   200   200   200    GET /credentials/<public_id>
200   200   200   200   200   200   200    GET /credentials/<public_id>.pdf
200   200   200   200   200   200   200    GET /credentials/<public_id>.jwt
200   200   200   200   200   200   200    GET /credentials/<public_id>.json
200   200   200   200   200   200   200    GET /credentials/issuer
200   200   200   200   200   200   200    GET /.well-known/jwks.json
# credentials: a member's own record of attended events and certificates
login login 200   200   200   200   200    GET /members/me/record
login login 200   200   200   200   200    GET /members/me/record.pdf
# events: a participant's personal check-in link (their QR code): its organizers only
login login 404   404   404   200   200    GET /events/checkin/<token>
login login 404   404   404   200   200    POST /events/checkin/<token>

# operations: the console and outbox (admins only); readiness for anyone (503 here: no job
# worker has run in the matrix's world); metrics only with METRICS_TOKEN, unset in tests
# (tests/admin checks the token and the development-only localhost rule)
login login 403   403   403   403   200    GET /admin
login login 403   403   403   403   200    GET /admin/mail
login login 403   403   403   403   200    GET /admin/mail/<int:message_id>
login login 403   403   403   403   ->     POST /admin/mail/<int:message_id>/resend
login login 403   403   403   403   ->     POST /admin/mail/retry-failed
503   503   503   503   503   503   503    GET /readyz
404   404   404   404   404   404   404    GET /metrics

# network: partner organisations, public
200   200   200   200   200   200   200    GET /partners
200   200   200   200   200   200   200    GET /organisations/<slug>
200   200   200   200   200   200   200    GET /organisations/<slug>/logo
login login 403   403   403   200   200    GET /events/manage/<int:event_id>/organisations
login login 403   403   403   ->    ->     POST /events/manage/<int:event_id>/organisations
login login 403   403   403   403   200    GET /admin/organisations
login login 403   403   403   403   ->     POST /admin/organisations
login login 403   403   403   403   200    GET /admin/organisations/<int:org_id>
login login 403   403   403   403   ->     POST /admin/organisations/<int:org_id>
login login 403   403   403   403   ->     POST /admin/organisations/<int:org_id>/merge

# network: topic digests. A member's settings; a visitor's form (members are sent to theirs);
# a guest's confirmation link (the guest role holds one); the unsubscribe link, which each
# subscriber holds for their own subscription (anon holds none) and which works without a
# session or CSRF token (RFC 8058 one-click)
login login 200   200   200   200   200    GET /members/me/subscriptions
login login ->    ->    ->    ->    ->     POST /members/me/subscriptions
200   200   ->    ->    ->    ->    ->     GET /subscriptions
200   200   ->    ->    ->    ->    ->     POST /subscriptions
404   200   404   404   404   404   404    GET /subscriptions/confirm/<token>
404   200   404   404   404   404   404    POST /subscriptions/confirm/<token>
404   200   200   200   200   200   200    GET /subscriptions/unsubscribe/<token>
404   200   200   200   200   200   200    POST /subscriptions/unsubscribe/<token>

# publications: public
200   200   200   200   200   200   200    GET /publications/
200   200   200   200   200   200   200    GET /publications/feed.atom
200   200   200   200   200   200   200    GET /publications/export.<any(bib, ris, json):fmt>
200   200   200   200   200   200   200    GET /publications/<slug>
200   200   200   200   200   200   200    GET /publications/<slug>.<any(bib, ris, json):fmt>
200   200   200   200   200   200   200    GET /publications/<slug>.pdf
200   200   200   200   200   200   200    GET /publications/<slug>.datacite.xml

# publications: harvesters (OAI-PMH; POST is form-encoded, exempt from CSRF, changes nothing)
200   200   200   200   200   200   200    GET /oai
200   200   200   200   200   200   200    POST /oai

# publications: any organizer manages the shared library
login login 403   403   200   200   200    GET /publications/manage/
login login 403   403   200   200   200    GET /publications/manage/new
login login 403   403   ->    ->    ->     POST /publications/manage/new
login login 403   403   200   200   200    GET /publications/manage/<int:pub_id>/edit
login login 403   403   ->    ->    ->     POST /publications/manage/<int:pub_id>/edit
login login 403   403   ->    ->    ->     POST /publications/manage/<int:pub_id>/publish
login login 403   403   ->    ->    ->     POST /publications/manage/<int:pub_id>/withdraw
login login 403   403   200   200   200    GET /publications/manage/import
login login 403   403   ->    ->    ->     POST /publications/manage/import
login login 403   403   200   200   200    GET /publications/manage/import/<int:import_id>
login login 403   403   200   200   200    GET /publications/manage/import/<int:import_id>/progress
"""  # noqa: E501 (rows of long routes)

MATRIX = parse_table(TABLE)

#: What the requests of a row send, where its "->" cells go, what else to check.
DETAILS: dict[str, Spec] = {
    "POST /cookies/consent": Spec(
        to="/cookies/preferences", data={"action": "reject_all"}, check=choice_logged
    ),
    "POST /cookies/preferences/timezone": Spec(
        to="/cookies/preferences#timezone", data={"timezone": "Asia/Tokyo"}
    ),
    "POST /members/join": Spec(
        to="/members/join/sent", data=JOIN_FORM, check=account_created_or_untouched
    ),
    "GET /members/verify/<token>": Spec(values=account_link("verify"), check=newcomer_verified),
    "POST /members/login": Spec(
        data={"email": "nobody@example.org", "password": "not the password"}
    ),
    "POST /members/logout": Spec(to="/", check=signed_out),
    "POST /members/resend": Spec(data={"email": "someone@example.org"}),
    "POST /members/reset": Spec(data={"email": "someone@example.org"}),
    "GET /members/reset/<token>": Spec(values=account_link("reset")),
    "POST /members/reset/<token>": Spec(
        values=account_link("reset"), data={"password": NEW_PASSWORD}, check=password_reset
    ),
    "GET /members/confirm-email/<token>": Spec(
        values=account_link("confirm_email"), check=email_confirmed
    ),
    "POST /members/me": Spec(
        data={"profile-name": "Renamed Member", "profile-timezone": "Europe/Vienna"},
        check=profile_saved,
    ),
    "GET /members/me/email": Spec(to="/members/me#email-title"),
    "POST /members/me/email": Spec(
        data={"email-new_email": "changed@example.org", "email-password": GOOD_PASSWORD},
        check=email_change_mailed,
    ),
    "GET /members/me/password": Spec(to="/members/me#password-title"),
    "POST /members/me/password": Spec(
        data={"pw-current": GOOD_PASSWORD, "pw-new": NEW_PASSWORD}, check=password_changed
    ),
    "GET /members/me/sign-out-others": Spec(to="/members/me#others-title"),
    "POST /members/me/sign-out-others": Spec(check=others_signed_out),
    "POST /members/reauthenticate": Spec(data={"password": GOOD_PASSWORD}),
    "POST /members/me/delete": Spec(
        to="/members/deleted", data={"password": GOOD_PASSWORD}, check=account_erased
    ),
    "POST /members/admin/<int:member_id>/role": Spec(
        to="/members/admin", data={"role": "organizer"}, check=role_changed
    ),
    "POST /members/admin/<int:member_id>/active": Spec(
        to="/members/admin", data={"active": "0"}, check=deactivated
    ),
    "GET /events/<slug>": Spec(check=online_link_only_for_participants_and_organizers),
    "POST /events/<slug>/register": Spec(data=guest_form, check=registered),
    "GET /events/registration/<token>": Spec(values=registration_token),
    "POST /events/registration/<token>/confirm": Spec(
        to="/events/registration/{token}", values=registration_token, check=guest_confirmed
    ),
    "POST /events/registration/<token>/cancel": Spec(
        to="/events/registration/{token}",
        values=registration_token,
        data={"next": "my"},
        check=registration_cancelled,
    ),
    "POST /events/registration/<token>/listing": Spec(
        to="/events/registration/{token}",
        values=registration_token,
        data={"listed": "y"},
        check=registration_listed,
    ),
    "POST /events/my/feed/renew": Spec(to="/events/my", check=feed_renewed),
    "GET /events/my/<token>.ics": Spec(values=feed_token),
    "POST /events/manage/new": Spec(
        to="/events/manage/*/edit", data=EVENT_FORM, check=event_created
    ),
    "POST /events/manage/<int:event_id>/edit": Spec(
        to="/events/manage/{event_id}/edit", data=EVENT_FORM, check=event_edited
    ),
    "POST /events/manage/<int:event_id>/publish": Spec(
        to="/events/{draft_slug}",
        values=lambda w, role: {"event_id": w.draft_event_id, "draft_slug": w.draft_slug},
        check=draft_published,
    ),
    "POST /events/manage/<int:event_id>/cancel": Spec(
        to="/events/{slug}", data={"message": "Sorry, we have to cancel."}, check=event_cancelled
    ),
    "POST /events/manage/<int:event_id>/duplicate": Spec(
        to="/events/manage/*/edit", data={"starts_at": "2030-11-01T09:00"}, check=event_copied
    ),
    "GET /events/manage/<int:event_id>/participants.csv": Spec(check=csv_lists_the_participants),
    "POST /events/<slug>/call/submit": Spec(
        to="/members/me/submissions", data=SUBMISSION_FORM, check=submitted
    ),
    "POST /members/me/submissions/<int:submission_id>/edit": Spec(
        to="/members/me/submissions", data=SUBMISSION_FORM, check=submission_changed
    ),
    "POST /members/me/submissions/<int:submission_id>/withdraw": Spec(
        to="/members/me/submissions", check=submission_withdrawn
    ),
    # The participant's submission was not asked back: the revision page sends them home.
    "GET /members/me/submissions/<int:submission_id>/revise": Spec(to="/members/me/submissions"),
    "POST /members/me/submissions/<int:submission_id>/revise": Spec(
        to="/members/me/submissions", data=SUBMISSION_FORM
    ),
    "GET /events/manage/<int:event_id>/submissions/<int:submission_id>/pdf": Spec(
        check=submission_pdf_for_organizers
    ),
    "POST /events/manage/<int:event_id>/submissions/<int:submission_id>/decision": Spec(
        to="/events/manage/{event_id}/submissions/{submission_id}",
        data={"decision-decision": "reject"},
        check=decision_recorded,
    ),
    "POST /events/manage/<int:event_id>/submissions/<int:submission_id>/reviewers": Spec(
        to="/events/manage/{event_id}/submissions/{submission_id}",
        data=lambda w, role: {"assign-reviewer": w.spare_reviewer_id},
        check=reviewer_assigned,
    ),
    (
        "POST /events/manage/<int:event_id>/submissions/<int:submission_id>"
        "/reviewers/<int:reviewer_id>/remove"
    ): Spec(to="/events/manage/{event_id}/submissions/{submission_id}"),
    "POST /events/manage/<int:event_id>/decisions/templates/<kind>": Spec(
        to="/events/manage/{event_id}/decisions",
        data={"reject-subject": "Matrix subject", "reject-body": "Matrix body"},
        check=decision_template_saved,
    ),
    "POST /events/manage/<int:event_id>/decisions/send": Spec(
        to="/events/manage/{event_id}/decisions", check=decisions_sent
    ),
    "POST /reviews/preferences/<int:reviewer_id>": Spec(
        to="/reviews/#call-*",
        data=lambda w, role: {f"r{w.reviewer_id}-tracks": ["Disaster response"]},
        check=preferences_saved,
    ),
    "GET /reviews/<int:assignment_id>": Spec(check=review_page_is_blind),
    "POST /reviews/<int:assignment_id>": Spec(to="/reviews/", data=review_form, check=review_saved),
    "GET /reviews/<int:assignment_id>/paper.pdf": Spec(check=paper_is_blind),
    "GET /events/manage/<int:event_id>/submissions": Spec(check=submissions_table),
    "GET /events/manage/<int:event_id>/submissions.csv": Spec(check=submissions_table),
    "POST /events/manage/<int:event_id>/reviewers": Spec(
        to="/events/manage/{event_id}/submissions#reviewers",
        data=lambda w, role: {"email": w.emails["other_org"]},
        check=reviewer_added,
    ),
    "POST /events/manage/<int:event_id>/reviewers/remove": Spec(
        to="/events/manage/{event_id}/submissions#reviewers",
        data=lambda w, role: {"reviewer": w.reviewer_id},
        check=reviewer_removed,
    ),
    "POST /events/manage/<int:event_id>/assign": Spec(to="/events/manage/{event_id}/submissions"),
    "POST /events/manage/<int:event_id>/call": Spec(
        to="/events/manage/{event_id}/call", data=call_form, check=call_saved
    ),
    "POST /events/manage/<int:event_id>/checkin": Spec(
        to="/events/manage/{event_id}/checkin#r{participation_id}",
        data=lambda w, role: {"registration": w.participation_id, "attended": "1"},
        check=checked_in,
    ),
    "POST /events/manage/<int:event_id>/checkin/import": Spec(
        data=lambda w, role: {
            "file": (
                io.BytesIO(f"{w.emails['participant']},No such session,yes\n".encode()),
                "a.csv",
            )
        },
        check=attendance_report_shown,
    ),
    "POST /credentials/manage/<int:event_id>/settings": Spec(
        to="/credentials/manage/{event_id}",
        data={"is_enabled": "y", "rule": "attendance", "min_percent": "80"},
        check=certificates_turned_on,
    ),
    "POST /credentials/manage/<int:event_id>/issue": Spec(to="/credentials/manage/{event_id}"),
    "POST /credentials/manage/<int:event_id>/issue-one": Spec(
        to="/credentials/manage/{event_id}",
        data=lambda w, role: {"participant": w.guest_confirmed_id, "issue_reason": "Attended"},
        check=certificate_issued_by_hand,
    ),
    "GET /members/me/record": Spec(check=record_shows_own_certificates),
    "GET /credentials/<public_id>.json": Spec(check=credential_has_no_email),
    "POST /credentials/<int:certificate_id>/revoke": Spec(
        to="/credentials/manage/{event_id}",
        data={"reason": "Issued by mistake"},
        check=certificate_revoked,
    ),
    "GET /events/checkin/<token>": Spec(values=checkin_token, check=checkin_shows_the_name),
    "POST /events/checkin/<token>": Spec(values=checkin_token, check=checked_in_by_link),
    "POST /events/manage/<int:event_id>/message": Spec(
        to="/events/manage/{event_id}/participants",
        data={"subject": "Practical details", "body": "Bring your badge."},
        check=participants_messaged,
    ),
    "POST /events/manage/<int:event_id>/reservations": Spec(
        to="/events/manage/{event_id}/participants",
        data={"groups-0-name": "military", "groups-0-sectors": "military", "groups-0-seats": "2"},
        check=reservations_set,
    ),
    "POST /events/manage/<int:event_id>/capacity": Spec(
        to="/events/manage/{event_id}/participants", data={"capacity": "20"}, check=capacity_set
    ),
    "POST /admin/mail/<int:message_id>/resend": Spec(to="/admin/mail/{message_id}"),
    "POST /admin/mail/retry-failed": Spec(to="/admin#mail-title"),
    "POST /events/manage/<int:event_id>/organisations": Spec(
        to="/events/manage/{event_id}/organisations",
        data=lambda w, role: {"organisations": [w.org_id]},
    ),
    "POST /admin/organisations": Spec(
        to="/admin/organisations/*", data={"name": "Matrix New", "kind": "ngo"}
    ),
    "POST /admin/organisations/<int:org_id>": Spec(
        to="/admin/organisations/{org_id}", data={"name": "Matrix Renamed", "kind": "ngo"}
    ),
    "POST /admin/organisations/<int:org_id>/merge": Spec(
        to="/admin/organisations/{other_org_id}",
        values=lambda w, role: {"other_org_id": w.other_org_id},
        data=lambda w, role: {"into": w.other_org_id},
    ),
    "POST /members/me/subscriptions": Spec(
        to="/members/me/subscriptions",
        data={"frequency": "monthly", "publication_kinds": "report"},
        check=lambda w, role, response, client, db: _subscription_is(db, w, role, "monthly"),
    ),
    "GET /subscriptions": Spec(to="/members/me/subscriptions"),
    "POST /subscriptions": Spec(
        to="/members/me/subscriptions",
        data={
            "email": "reader@example.org",
            "frequency": "weekly",
            "event_kinds": "workshop",
            "timezone": "Europe/Paris",
        },
    ),
    "GET /subscriptions/confirm/<token>": Spec(values=account_link("subscribe_confirm")),
    "POST /subscriptions/confirm/<token>": Spec(
        values=account_link("subscribe_confirm"), check=guest_subscription_confirmed
    ),
    "GET /subscriptions/unsubscribe/<token>": Spec(
        values=account_link("unsubscribe"),
        check=lambda w, role, response, client, db: _subscription_is(
            db, w, role, "monthly" if role == "guest" else "weekly"
        ),
    ),
    "POST /subscriptions/unsubscribe/<token>": Spec(
        values=account_link("unsubscribe"),
        check=lambda w, role, response, client, db: _subscription_is(db, w, role, "gone"),
    ),
    "POST /oai": Spec(
        data={"verb": "Identify"}, check=lambda w, role, response, client, db: _oai_answer(response)
    ),
    "POST /publications/manage/new": Spec(
        to="/publications/manage/*/edit", data=PUBLICATION_FORM, check=publication_added
    ),
    "POST /publications/manage/import": Spec(
        to="/publications/manage/import/*", data=import_file, check=publication_imported
    ),
    "POST /publications/manage/<int:pub_id>/edit": Spec(
        to="/publications/manage/{pub_id}/edit", data=PUBLICATION_FORM, check=publication_edited
    ),
    "POST /publications/manage/<int:pub_id>/publish": Spec(
        to="/publications/manage/",
        values=lambda w, role: {"pub_id": w.draft_pub_id},
        check=publication_published,
    ),
    "POST /publications/manage/<int:pub_id>/withdraw": Spec(
        to="/publications/manage/", check=publication_withdrawn
    ),
}


def _oai_answer(response):
    assert b"<OAI-PMH" in response.data and response.content_type.startswith("text/xml")


# -- running a cell -----------------------------------------------------------------------------


def _app_routes(app) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def _url(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule)


def _snapshot(db):
    """What a refused request must leave as it was."""
    rows = [
        sa.select(
            Member.id,
            Member.email,
            Member.name,
            Member.role,
            Member.is_active,
            Member.password_hash,
            Member.session_token,
            Member.email_verified_at,
            Member.erased_at,
        ).order_by(Member.id),
        sa.select(Event.id, Event.title, Event.status, Event.capacity, Event.starts_at).order_by(
            Event.id
        ),
        sa.select(
            Registration.id,
            Registration.status,
            Registration.email,
            Registration.attended_at,
            Registration.cancelled_at,
        ).order_by(Registration.id),
        sa.select(Publication.id, Publication.title, Publication.status).order_by(Publication.id),
        sa.select(CalendarToken.member_id, CalendarToken.token).order_by(CalendarToken.member_id),
        sa.select(sa.func.count(OutboxMessage.id)),
        sa.select(sa.func.count(AuditLog.id)),
        sa.select(sa.func.count(ConsentLogEntry.id)),
        sa.select(Certificate.id, Certificate.revoked_at).order_by(Certificate.id),
        sa.select(CertificateSettings.event_id, CertificateSettings.is_enabled),
        sa.select(Subscription.id, Subscription.frequency).order_by(Subscription.id),
    ]
    return [db.session.execute(stmt).all() for stmt in rows]


@contextmanager
def _rolled_back(db):
    """Run a role's requests in a savepoint of the test's transaction, then undo them."""
    connection = db.engines[None]  # the connection the `db` fixture put in place
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()
        limiter.reset()


def _csrf_token(app, raw: str) -> str:
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def _client_as(app, db, w, role):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["csrf_token"] = "matrix-csrf-" + role
    if role in MEMBER_ROLES:
        Auth(client).login_as(db.session.get(Member, w.member_ids[role]))
    return client


def _request(app, client, role, method, url, data):
    g.__dict__.clear()  # in production every request has its own `g`
    if method == "GET":
        return client.get(url)
    form = dict(data or {})
    form["csrf_token"] = _csrf_token(app, "matrix-csrf-" + role)
    return client.open(url, method=method, data=form)


def _describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def _matches(cell: str, spec: Spec, response, url: str, values: dict) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    if cell == "login":
        parts = urlsplit(location)
        return (
            status == 302
            and parts.path == "/members/login"
            and parse_qs(parts.query).get("next") == [urlsplit(url).path]
        )
    if cell.startswith("->"):
        name = cell[2:]
        pattern = (DEST[name] if name else spec.to).format(**values)
        return status in (302, 303) and fnmatch.fnmatchcase(location, pattern)
    return status == int(cell)


def _refused(cell: str) -> bool:
    return cell == "login" or cell[0] == "4"


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_every_route_and_method_has_a_row(app):
    routes = _app_routes(app)
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"add these to MATRIX (who may use them?): {missing}"
    gone = sorted(MATRIX.keys() - routes)
    assert not gone, f"these MATRIX rows have no route any more: {gone}"
    assert not DETAILS.keys() - MATRIX.keys(), "DETAILS for a route not in TABLE"
    without_target = [
        key
        for key, cells in MATRIX.items()
        if "->" in cells.values() and not (key in DETAILS and DETAILS[key].to)
    ]
    assert not without_target, f'rows with "->" cells need a `to` in DETAILS: {without_target}'


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_route_for_every_role(app, db, world, csrf_on, key):
    method, rule = key.split(" ", 1)
    spec = DETAILS.get(key, Spec())
    wrong = []
    for role in ROLES:
        with _rolled_back(db):
            values = _values(world, rule, role)
            values.update(spec.values(world, role) if spec.values else {})
            url = _url(rule, values)
            data = spec.data(world, role) if callable(spec.data) else spec.data
            client = _client_as(app, db, world, role)
            cell = MATRIX[key][role]
            before = _snapshot(db) if _refused(cell) else None
            response = _request(app, client, role, method, url, data)
            response.close()  # file responses (static, PDF) hold their file open until then
            if not _matches(cell, spec, response, url, values):
                wrong.append(f"{role}: expected {cell}, got {_describe(response)}")
                continue
            if before is not None and _snapshot(db) != before:
                wrong.append(f"{role}: refused ({cell}) but the database changed")
                continue
            if spec.check:
                try:
                    spec.check(world, role, response, client, db)
                except AssertionError as exc:
                    wrong.append(f"{role}: {cell} as expected, but {exc}")
    assert not wrong, f"{key}:\n  " + "\n  ".join(wrong)


# -- what the matrix cannot say in one cell -----------------------------------------------------


def test_the_matrix_posts_really_need_their_csrf_token(app, db, world, csrf_on):
    """The matrix's POSTs pass CSRF protection because they carry a valid token."""
    with _rolled_back(db):
        client = _client_as(app, db, world, "owner")
        before = _snapshot(db)
        g.__dict__.clear()
        url = f"/events/manage/{world.event_id}/capacity"
        assert client.post(url, data={"capacity": "20"}).status_code == 400
        assert _snapshot(db) == before
        response = _request(app, client, "owner", "POST", url, {"capacity": "20"})
        assert response.status_code == 302
        assert _event(db, world.event_id, Event.capacity) == 20


def _not_found_and_unchanged(client, db, url, secrets_):
    secrets_ = [s for s in secrets_ if s not in url]  # a page may echo the path it was asked
    before = _snapshot(db)
    for method in ("GET", "POST"):
        g.__dict__.clear()
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url + "/cancel", data={"next": "my"})
        assert response.status_code == 404, (method, url, response.status_code)
        html = response.get_data(as_text=True)
        assert not any(secret in html for secret in secrets_), (method, url)
    g.__dict__.clear()
    assert client.post(url + "/confirm").status_code == 404
    assert _snapshot(db) == before


def test_a_member_cannot_see_or_cancel_someone_elses_registration(app, client, db, world):
    auth = Auth(client)
    auth.login_as(db.session.get(Member, world.member_ids["member"]))
    others = ("Gina Guest", "guest@example.org", world.emails["participant"])
    others += (world.guest_token, world.participant_token)

    page = client.get("/events/my")
    assert page.status_code == 200
    assert not any(secret in page.get_data(as_text=True) for secret in others)

    # The other people's registration ids, and near misses of their tokens.
    for guess in (
        world.participation_id,
        world.guest_id,
        world.participant_token[:-1],
        world.guest_token[:-1] + ("A" if world.guest_token[-1] != "A" else "B"),
        world.guest_token.swapcase(),
        world.participant_token + "x",
        "%25",
        "_",
    ):
        _not_found_and_unchanged(client, db, f"/events/registration/{guess}", others)
    # A registration token is no calendar feed either.
    g.__dict__.clear()
    assert client.get(f"/events/my/{world.participant_token}.ics").status_code == 404

    # The member's own cancel button, with someone else's registration slipped in.
    g.__dict__.clear()
    client.post(f"/events/{world.event_slug}/register")
    own = db.session.scalar(
        sa.select(Registration).where(Registration.member_id == world.member_ids["member"])
    )
    assert own is not None and own.status == "confirmed"
    g.__dict__.clear()
    response = client.post(
        f"/events/registration/{own.token}/cancel",
        data={
            "next": "my",
            "registration": world.participation_id,
            "registration_id": world.participation_id,
            "id": world.guest_id,
            "token": world.participant_token,
            "member_id": world.member_ids["participant"],
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/events/my"
    assert _registration(db, own.id, Registration.status) == "cancelled"
    assert _registration(db, world.participation_id, Registration.status) == "confirmed"
    assert _registration(db, world.guest_id, Registration.status) == "pending"
    assert _mails_to(db, world.emails["participant"]) == 0
    assert _mails_to(db, "guest@example.org") == 0


def test_a_guest_reaches_their_registration_only_by_its_token(
    client, db, world, make_event, make_registration
):
    page = client.get(f"/events/registration/{world.guest_token}")
    assert page.status_code == 200
    assert "Gina Guest" in page.get_data(as_text=True)

    others = ("Gina Guest", "guest@example.org", world.emails["participant"], "Old Guest")
    for wrong in (
        UNKNOWN_TOKEN,
        world.guest_token[:-1],
        world.guest_token + "0",
        world.guest_token.swapcase(),
        str(world.guest_id),
        "%25",
    ):
        _not_found_and_unchanged(client, db, f"/events/registration/{wrong}", others)

    # An expired link: the guest's data was erased after the retention period.
    from interacta.events import registrations

    long_ago = utcnow() - timedelta(days=400)
    past = make_event(starts_at=long_ago, ends_at=long_ago + timedelta(hours=2))
    old = make_registration(event=past, name="Old Guest", email="old@example.org")
    old_token = old.token
    assert registrations.purge_guests() == 1
    db.session.commit()
    _not_found_and_unchanged(client, db, f"/events/registration/{old_token}", others)


def test_an_organizer_cannot_reach_another_events_participants_through_their_own(client, db, world):
    Auth(client).login_as(db.session.get(Member, world.member_ids["other_org"]))
    own = f"/events/manage/{world.other_event_id}"
    before = _snapshot(db)
    # Check in a participant of the other event through their own event's check-in page.
    response = client.post(
        f"{own}/checkin", data={"registration": world.participation_id, "attended": "1"}
    )
    assert response.status_code == 404
    assert _snapshot(db) == before
    # Their own lists, export and message reach nobody of the other event.
    others = ("Gina Guest", "guest@example.org", world.emails["participant"])
    for page in (
        f"{own}/participants?q=Gina",
        f"{own}/participants",
        f"{own}/participants.csv",
        f"{own}/checkin?q=Matrix",
    ):
        g.__dict__.clear()
        response = client.get(page)
        assert response.status_code == 200, page
        assert not any(secret in response.get_data(as_text=True) for secret in others), page
    g.__dict__.clear()
    client.post(f"{own}/message", data={"subject": "Hello", "body": "Details"})
    assert _mails_to(db, world.emails["participant"]) == 0
