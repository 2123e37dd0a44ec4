"""A member's record (/members/me/record): attended events with sessions and hours, their
certificates, the PDF transcript; only for its owner; gone with the account, while the
certificates keep verifying."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from interacta.credentials import services
from tests.conftest import Auth


@pytest.fixture
def ana(make_member):
    return make_member(name="Ana Horvat")


@pytest.fixture
def record(db, ana, make_course, make_event, make_registration, attend):
    """Ana attended 8 of 10 sessions of a course (certificate) and 2 of 4 of a workshop
    (no certificate); she registered for another event she did not attend."""
    course = make_course(sessions=10, title="Civil-military cooperation course")
    attend(course, make_registration(event=course, member=ana), 8)
    services.save_settings(course, True, "completion", 80)
    (certificate,) = services.issue_for_event(course)
    workshop = make_course(sessions=4, days_ago=30, title="Humanitarian access workshop")
    attend(workshop, make_registration(event=workshop, member=ana), 2)
    skipped = make_course(sessions=3, days_ago=60, title="Missed seminar")
    make_registration(event=skipped, member=ana)
    db.session.commit()
    return certificate


def test_the_record_lists_attended_events_with_sessions_hours_and_certificates(client, ana, record):
    Auth(client).login_as(ana)
    response = client.get("/members/me/record")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Civil-military cooperation course" in html and "8 / 10" in html
    assert "Humanitarian access workshop" in html and "2 / 4" in html
    assert "Missed seminar" not in html
    assert f'href="/credentials/{record.public_id}"' in html and record.serial in html
    assert "12" in html  # hours: 8 sessions of 90 minutes
    assert html.index("Civil-military cooperation course") < html.index(
        "Humanitarian access workshop"
    )  # newest first


def test_the_account_page_links_the_record(client, ana):
    Auth(client).login_as(ana)
    html = client.get("/members/me").get_data(as_text=True)
    assert 'href="/members/me/record"' in html


def test_the_record_is_only_its_owners(client, make_member, record):
    assert client.get("/members/me/record").status_code == 302  # to sign in
    assert client.get("/members/me/record.pdf").status_code == 302
    Auth(client).login_as(make_member(name="Ben Other"))
    html = client.get("/members/me/record").get_data(as_text=True)
    assert "Civil-military cooperation course" not in html and record.serial not in html
    assert "No attended event yet" in html


def test_the_transcript_pdf_holds_the_name_events_and_certificate(client, ana, record):
    Auth(client).login_as(ana)
    response = client.get("/members/me/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4 portrait
    text = page.extract_text()
    for expected in (
        "Ana Horvat",
        "Civil-military cooperation course",
        "8 of 10 sessions attended",
        "12 hours",
        "Humanitarian access workshop",
        record.serial,
        f"/credentials/{record.public_id}",
    ):
        assert expected in text
    for ref in page["/Resources"]["/Font"].values():
        assert "/FontFile2" in ref.get_object()["/FontDescriptor"]  # embedded


def test_erasure_removes_the_record_and_revokes_nothing(client, db, ana, record):
    from interacta.core.registry import erase_member_data

    erase_member_data(ana)
    db.session.commit()
    assert services.record_of(ana.id) == []
    db.session.refresh(record)
    assert record.revoked_at is None
    assert client.get(f"/credentials/{record.public_id}.jwt").status_code == 200
    assert "Valid" in client.get(f"/credentials/{record.public_id}").get_data(as_text=True)
