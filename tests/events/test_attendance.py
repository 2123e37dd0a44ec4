"""Attendance per agenda session: marking, the check-in page's session picker, the
personal check-in link (QR code) that only the event's organizers can use, CSV upload."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import attendance, services
from interacta.events.errors import EventGone, RegistrationError
from interacta.events.models import Registration, SessionAttendance
from tests.conftest import Auth


@pytest.fixture
def course(make_event, organizer):
    """A course of three sessions, the second under way now."""
    now = utcnow().replace(microsecond=0)
    return make_event(
        organizer=organizer,
        kind="course",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=3),
        sessions=[
            {
                "title": "Opening",
                "starts_at": now - timedelta(hours=3),
                "ends_at": now - timedelta(hours=2),
            },
            {
                "title": "Law of armed conflict",
                "starts_at": now - timedelta(minutes=30),
                "ends_at": now + timedelta(minutes=30),
            },
            {
                "title": "Closing",
                "starts_at": now + timedelta(hours=2),
                "ends_at": now + timedelta(hours=3),
            },
        ],
    )


def test_marking_a_session_records_who_and_when_and_the_event_attendance(
    db, course, make_registration, organizer
):
    registration = make_registration(event=course, name="Ana Horvat")
    opening = attendance.sessions_of(course)[0]
    row = attendance.mark(course, registration.id, opening, True, organizer.id)
    assert row.is_present and row.marked_by_id == organizer.id and row.marked_at
    assert registration.attended_at is not None
    assert attendance.present_ids(opening) == {registration.id}
    # Undo: the row stays (who changed it last), the event attendance goes with it.
    attendance.mark(course, registration.id, opening, False, organizer.id)
    assert attendance.present_ids(opening) == set()
    assert registration.attended_at is None
    assert db.session.scalar(sa.select(sa.func.count(SessionAttendance.id))) == 1


def test_only_confirmed_participants_of_the_event_are_marked(course, make_registration, make_event):
    opening = attendance.sessions_of(course)[0]
    waiting = make_registration(event=course, status="waiting")
    with pytest.raises(RegistrationError):
        attendance.mark(course, waiting.id, opening, True)
    elsewhere = make_registration(event=make_event())
    with pytest.raises(EventGone):
        attendance.mark(course, elsewhere.id, opening, True)
    other_session = make_event(
        sessions=[{"title": "X", "starts_at": course.starts_at, "ends_at": course.ends_at}]
    ).sessions[0]
    mine = make_registration(event=course)
    with pytest.raises(EventGone):
        attendance.mark(course, mine.id, other_session, True)


def test_the_current_session_is_the_one_under_way(course):
    assert attendance.current_session(course).title == "Law of armed conflict"
    later = course.sessions[-1].starts_at + timedelta(minutes=5)
    assert attendance.current_session(course, later).title == "Closing"


def test_checkin_page_picks_the_current_session_and_counts_present(
    client, course, make_registration, organizer
):
    ana = make_registration(event=course, name="Ana Horvat")
    make_registration(event=course, name="Ben Dupont")
    Auth(client).login_as(organizer)
    page = client.get(f"/events/manage/{course.id}/checkin")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'<option value="\d+" selected>[^<]*Law of armed conflict', html)
    assert "<strong>0</strong> of 2 present" in html
    session_id = attendance.current_session(course).id
    response = client.post(
        f"/events/manage/{course.id}/checkin",
        data={"registration": ana.id, "attended": "1", "session": session_id},
    )
    assert response.status_code == 302
    assert f"session={session_id}" in response.location
    html = client.get(f"/events/manage/{course.id}/checkin?session={session_id}").get_data(
        as_text=True
    )
    assert "<strong>1</strong> of 2 present" in html
    # Another session: nobody present there; a search narrows the list.
    opening = course.sessions[0].id
    html = client.get(f"/events/manage/{course.id}/checkin?session={opening}&q=Ben").get_data(
        as_text=True
    )
    assert "<strong>0</strong> of 1 present" in html and "Ana Horvat" not in html
    # Undo.
    client.post(
        f"/events/manage/{course.id}/checkin",
        data={"registration": ana.id, "attended": "0", "session": session_id},
    )
    html = client.get(f"/events/manage/{course.id}/checkin?session={session_id}").get_data(
        as_text=True
    )
    assert "<strong>0</strong> of 2 present" in html


def test_checkin_page_refuses_a_session_of_another_event(client, course, make_event, organizer):
    other = make_event(
        sessions=[{"title": "X", "starts_at": course.starts_at, "ends_at": course.ends_at}]
    )
    Auth(client).login_as(organizer)
    response = client.get(f"/events/manage/{course.id}/checkin?session={other.sessions[0].id}")
    assert response.status_code == 404


def test_the_checkin_link_checks_in_for_the_events_organizer_in_one_tap(
    client, db, course, make_registration, organizer
):
    ana = make_registration(event=course, name="Ana Horvat")
    token = attendance.checkin_token(ana)
    Auth(client).login_as(organizer)
    page = client.get(f"/events/checkin/{token}")
    assert page.status_code == 200 and "Ana Horvat" in page.get_data(as_text=True)
    assert attendance.present_ids(attendance.current_session(course)) == set()
    done = client.post(f"/events/checkin/{token}")
    assert done.status_code == 200 and "Checked in." in done.get_data(as_text=True)
    assert attendance.present_ids(attendance.current_session(course)) == {ana.id}
    # Or a chosen session.
    opening = course.sessions[0]
    client.post(f"/events/checkin/{token}", data={"session": opening.id})
    assert attendance.present_ids(opening) == {ana.id}


def test_the_checkin_link_reveals_nothing_to_anyone_else(
    client, db, course, make_registration, make_member
):
    ana = make_registration(event=course, name="Ana Horvat")
    token = attendance.checkin_token(ana)
    # Signed out: sign in first (the page names nobody).
    response = client.get(f"/events/checkin/{token}")
    assert response.status_code == 302 and "Ana" not in response.get_data(as_text=True)
    for person in (
        make_member(name="Mia Member"),
        make_member(role="organizer", name="Other Organizer"),
        ana.member or make_member(),
    ):
        Auth(client).login_as(person)
        for method in (client.get, client.post):
            response = method(f"/events/checkin/{token}")
            assert response.status_code == 404
            assert "Ana Horvat" not in response.get_data(as_text=True)
    assert ana.attended_at is None
    assert db.session.scalar(sa.select(sa.func.count(SessionAttendance.id))) == 0


def test_a_forged_or_other_salted_token_is_unknown(app, course, make_registration):
    from itsdangerous import URLSafeSerializer

    ana = make_registration(event=course)
    forged = URLSafeSerializer(app.config["SECRET_KEY"], salt="another").dumps(
        {"r": ana.id, "e": course.id}
    )
    for token in (forged, attendance.checkin_token(ana)[:-2], "x"):
        with pytest.raises(EventGone):
            attendance.registration_from_token(token)
    ana.status = "cancelled"
    with pytest.raises(EventGone):
        attendance.registration_from_token(attendance.checkin_token(ana))


def test_confirmed_participants_see_their_checkin_code(
    client, course, make_registration, make_member
):
    member = make_member(name="Ana Horvat")
    ana = make_registration(event=course, member=member)
    html = client.get(f"/events/registration/{ana.token}").get_data(as_text=True)
    assert "<svg width=" in html and "Your check-in code" in html
    Auth(client).login_as(member)
    html = client.get("/events/my").get_data(as_text=True)
    assert 'class="qr"' in html
    waiting = make_registration(event=course, status="waiting")
    html = client.get(f"/events/registration/{waiting.token}").get_data(as_text=True)
    assert "Your check-in code" not in html


def test_the_qr_code_decodes_to_the_checkin_link(app, course, make_registration, tmp_path):
    import os
    import shutil
    import subprocess

    import segno

    if not shutil.which("zbarimg"):
        missing = "zbarimg (Debian zbar-tools) is not installed"
        if os.environ.get("REQUIRE_BROWSER") == "1":  # CI installs it: never skip there
            pytest.fail(missing)
        pytest.skip(missing)
    ana = make_registration(event=course)
    with app.test_request_context():
        url = attendance.checkin_url(ana)
    image = tmp_path / "code.png"
    segno.make(url, error="m").save(str(image), scale=6)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == url
    assert "/events/checkin/" in url


def test_attendance_csv_upload_reports_each_row(client, db, course, make_registration, organizer):
    ana = make_registration(event=course, email="ana@example.org")
    ben = make_registration(event=course, email="ben@example.org")
    opening, law, _closing = course.sessions
    text = (
        "email,session,present\n"
        f"ANA@example.org,Opening,yes\n"
        f"ana@example.org,{law.id},1\n"
        "ben@example.org,Opening,no\n"
        "nobody@example.org,Opening,yes\n"
        "ben@example.org,No such session,yes\n"
        "ben@example.org,Opening,maybe\n"
        "short,row\n"
    )
    Auth(client).login_as(organizer)
    response = client.post(
        f"/events/manage/{course.id}/checkin/import",
        data={"file": (io.BytesIO(text.encode()), "attendance.csv")},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 marked present, 1 marked absent, 4 rows skipped." in html
    assert "No confirmed participant has this email." in html
    assert attendance.present_ids(opening) == {ana.id}
    assert attendance.present_ids(law) == {ana.id}
    assert ben.id not in attendance.present_ids(opening)
    assert db.session.get(Registration, ana.id).attended_at is not None


def test_attendance_csv_upload_refuses_what_is_not_text(client, course, organizer):
    Auth(client).login_as(organizer)
    response = client.post(
        f"/events/manage/{course.id}/checkin/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "attendance.csv")},
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)


def test_the_confirmation_mail_carries_the_personal_checkin_link_and_code(
    app, db, course, make_registration, make_member, tmp_path
):
    import os
    import shutil
    import subprocess

    from interacta.core.i18n import force_locale
    from interacta.core.mail import attachment_bytes, render_committed
    from interacta.core.models import OutboxMessage
    from interacta.events import notifications

    member = make_member(name="Anne Dubois", language="fr")
    anne = make_registration(event=course, member=member)
    notifications.registration_result(anne)
    db.session.commit()
    render_committed()  # written now, rendered after the commit (as a seat change does)
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_addr == member.email))
    with force_locale("fr"):
        url = attendance.checkin_url(anne)
    assert url in mail.text_body
    assert f'href="{url}"' in mail.html_body  # a link in the HTML part
    assert "/fr/events/checkin/" in url  # in her language
    assert "code" in mail.text_body.lower() and "check-in-code.png" in mail.text_body
    [png] = [a for a in mail.attachments if a["content_type"] == "image/png"]
    assert png["filename"] == "check-in-code.png"
    # A waiting-list mail has neither.
    waiting = make_registration(event=course, status="waiting", email="w@example.org")
    notifications.registration_result(waiting, position=1)
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_addr == "w@example.org")
    )
    assert "/events/checkin/" not in mail.text_body and not any(
        a["content_type"] == "image/png" for a in mail.attachments
    )
    if shutil.which("zbarimg"):
        image = tmp_path / "code.png"
        image.write_bytes(attachment_bytes(png))  # the PNG the mail is sent with
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == url
    elif os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail("zbarimg (Debian zbar-tools) is not installed")


def test_editing_the_agenda_keeps_the_attendance_of_the_sessions_that_stay(
    db, course, make_registration, organizer
):
    # The organizer moves the closing and renames the opening in the event's form:
    # what was marked at the opening and at the session under way stays marked.
    registration = make_registration(event=course, name="Ana Horvat")
    opening, lecture, closing = attendance.sessions_of(course)
    attendance.mark(course, registration.id, opening, True, organizer.id)
    attendance.mark(course, registration.id, lecture, True, organizer.id)
    kept_ids = (opening.id, lecture.id, closing.id)
    services.set_agenda(
        course,
        [
            services.SessionInput("Welcome", opening.starts_at, opening.ends_at),
            services.SessionInput(lecture.title, lecture.starts_at, lecture.ends_at),
            services.SessionInput(
                "Closing", closing.starts_at + timedelta(minutes=15), closing.ends_at
            ),
        ],
    )
    db.session.expire_all()
    sessions = attendance.sessions_of(course)
    assert [s.title for s in sessions] == ["Welcome", "Law of armed conflict", "Closing"]
    assert tuple(s.id for s in sessions) == kept_ids
    assert attendance.present_sessions(registration.id) == [opening.id, lecture.id]
    # A session taken off the agenda takes its attendance with it.
    services.set_agenda(
        course, [services.SessionInput("Welcome", opening.starts_at, opening.ends_at)]
    )
    db.session.expire_all()
    assert [s.id for s in attendance.sessions_of(course)] == [opening.id]
    assert attendance.present_sessions(registration.id) == [opening.id]
