"""Certificates: the rule (80 % of 10 sessions), issuing once, by hand, revoking, and the
periodic job that issues what is due once however often it runs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core import jobs
from interacta.core.errors import Conflict, NotFound
from interacta.core.models import utcnow
from interacta.credentials import services
from interacta.credentials.models import Certificate
from interacta.credentials.services import CertificateError


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Certificate.id)))


@pytest.mark.parametrize(
    ("attended", "total", "percent", "meets"),
    [
        (8, 10, 80, True),
        (7, 10, 80, False),
        (10, 10, 100, True),
        (1, 3, 34, False),
        (2, 3, 66, True),
        (0, 0, 80, False),
    ],
)
def test_completion_needs_the_share_of_sessions(attended, total, percent, meets):
    assert services.meets_completion(attended, total, percent) is meets


def test_eighty_percent_of_ten_sessions_earns_a_certificate_of_completion(
    db, make_course, make_registration, attend
):
    course = make_course()
    services.save_settings(course, True, "completion", 80)
    eight = make_registration(event=course, name="Ana Eight")
    seven = make_registration(event=course, name="Ben Seven")
    attend(course, eight, 8)
    attend(course, seven, 7)
    issued = services.issue_for_event(course)
    assert [c.holder_name for c in issued] == ["Ana Eight"]
    certificate = issued[0]
    assert certificate.kind == "completion"
    assert (certificate.sessions_attended, certificate.sessions_total) == (8, 10)
    assert certificate.hours == 12.0  # 8 sessions of 90 minutes
    assert certificate.serial.startswith("IG-") and len(certificate.public_id) >= 20
    assert certificate.event_title == "Civil-military cooperation course"


def test_certificates_are_issued_once_per_registration(db, make_course, make_registration, attend):
    course = make_course()
    services.save_settings(course, True, "attendance", None)
    ana = make_registration(event=course, name="Ana")
    attend(course, ana, 1)
    assert len(services.issue_for_event(course)) == 1
    assert services.issue_for_event(course) == []
    assert services.issue_due() == []
    assert _count(db) == 1


def test_nothing_is_issued_before_the_end_or_when_turned_off(
    db, make_course, make_registration, attend
):
    course = make_course()
    ana = make_registration(event=course)
    attend(course, ana, 10)
    with pytest.raises(CertificateError):
        services.issue_for_event(course)  # not turned on
    services.save_settings(course, True, "attendance", None)
    with pytest.raises(CertificateError):
        services.issue_for_event(course, now=course.ends_at - timedelta(minutes=1))
    assert services.issue_due(now=course.ends_at - timedelta(minutes=1)) == []
    assert _count(db) == 0


def test_issue_by_hand_needs_a_reason_and_gives_one_certificate(
    db, make_course, make_registration, organizer
):
    course = make_course()
    ana = make_registration(event=course, name="Ana")
    with pytest.raises(CertificateError):
        services.issue_by_hand(course, ana.id, "  ", organizer.id)
    certificate = services.issue_by_hand(course, ana.id, "Attended online", organizer.id)
    assert certificate.manual_reason == "Attended online"
    assert certificate.issued_by_id == organizer.id
    with pytest.raises(Conflict):
        services.issue_by_hand(course, ana.id, "Again", organizer.id)
    with pytest.raises(NotFound):
        services.issue_by_hand(course, 999_999, "Nobody", organizer.id)


def test_revoking_keeps_the_certificate_with_date_and_reason(
    db, make_course, make_registration, organizer, make_event
):
    course = make_course()
    ana = make_registration(event=course, name="Ana")
    certificate = services.issue_by_hand(course, ana.id, "Attended", organizer.id)
    with pytest.raises(CertificateError):
        services.revoke(course, certificate.id, "", organizer.id)
    with pytest.raises(NotFound):
        services.revoke(make_event(), certificate.id, "Wrong event", organizer.id)
    services.revoke(course, certificate.id, "Issued by mistake", organizer.id)
    assert certificate.is_revoked and certificate.revoked_reason == "Issued by mistake"
    with pytest.raises(Conflict):
        services.revoke(course, certificate.id, "Twice", organizer.id)
    # Revoked is still issued: the rule does not issue it again.
    services.save_settings(course, True, "attendance", None)
    assert services.issue_for_event(course) == []


def test_the_periodic_job_run_twice_issues_once(app, db, make_course, make_registration, attend):
    course = make_course()
    services.save_settings(course, True, "completion", 80)
    for name in ("Ana", "Ben", "Cleo"):
        attend(course, make_registration(event=course, name=name), 9)
    db.session.commit()
    job = jobs.periodic_job("certificates-issue")
    now = utcnow()
    first = jobs.run_periodic(job, now)
    assert first.status == "ok" and first.result == "3 certificates issued"
    assert jobs.run_periodic(job, now) is None  # the period is claimed
    later = jobs.run_periodic(job, now + timedelta(hours=1))
    assert later.result == "0 certificates issued"
    assert _count(db) == 3


def test_export_holds_attendance_and_certificates_and_erasure_keeps_them_valid(
    db, make_course, make_registration, make_member, attend
):
    from interacta.core.registry import erase_member_data, export_member_data

    member = make_member(name="Ana Horvat")
    course = make_course(sessions=4)
    registration = make_registration(event=course, member=member)
    attend(course, registration, 4)
    services.save_settings(course, True, "completion", 80)
    (certificate,) = services.issue_for_event(course)
    data = export_member_data(member)["certificates"]
    assert [c["serial"] for c in data["certificates"]] == [certificate.serial]
    assert data["certificates"][0]["credential_jwt"] == certificate.credential_jwt
    assert data["certificates"][0]["verify_url"].endswith(f"/credentials/{certificate.public_id}")
    assert len(data["attendance"]) == 4 and all(a["present"] for a in data["attendance"])
    erase_member_data(member)
    db.session.refresh(certificate)
    assert certificate.member_id is None and certificate.revoked_at is None
    assert certificate.holder_name == "Ana Horvat"


def test_demo_has_a_finished_course_with_certificates_one_revoked(app, db):
    from interacta.core.registry import demo_seeders

    for _twice in range(2):  # seeding again adds nothing
        for seeder in demo_seeders():
            seeder.seed()
    certificates = list(db.session.scalars(sa.select(Certificate)))
    assert len(certificates) >= 4
    assert [c.holder_name for c in certificates if c.revoked_at] == ["Lukas Brandt"]
    assert all(c.event_kind == "course" for c in certificates)
    assert "Nika Kovač" not in {c.holder_name for c in certificates}  # 6 of 10 sessions
    # Each is signed when issued: its Open Badges credential is there, with no email.
    assert all(c.credential_jwt and c.credential_jwt.count(".") == 2 for c in certificates)
    from interacta.credentials.openbadges import payload_of

    for certificate in certificates:
        payload = json.dumps(payload_of(certificate.credential_jwt), ensure_ascii=False)
        assert certificate.holder_name in payload and "@example.org" not in payload


def test_the_holder_gets_the_pdf_and_the_link_in_their_language(
    db, make_course, make_registration, make_member, attend
):
    from interacta.core.models import OutboxMessage

    member = make_member(name="Anne Dubois", language="fr")
    course = make_course(sessions=5)
    attend(course, make_registration(event=course, member=member), 5)
    services.save_settings(course, True, "completion", 80)
    (certificate,) = services.issue_for_event(course)
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_addr == member.email))
    assert mail.subject.startswith("Votre certificat")
    assert f"/fr/credentials/{certificate.public_id}" in mail.text_body
    assert certificate.serial in mail.text_body
    assert f"/credentials/{certificate.public_id}.jwt" in mail.text_body  # signed credential
    assert "Open Badges 3.0" in mail.text_body
    [attachment] = mail.attachments
    assert attachment["filename"] == f"{certificate.serial}.pdf"
    assert attachment["content_type"] == "application/pdf"
