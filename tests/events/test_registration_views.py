"""Registration over HTTP: one click, guest form, status page, my events, organizer tools."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import icalendar
import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import registrations as regs
from interacta.events.models import Registration


def guest_data(**overrides):
    data = {"name": "Gina Guest", "email": "gina@example.org", "affiliation": "NGO", "note": ""}
    data.update(overrides)
    return data


def test_member_registers_in_one_click(client, auth, make_member, make_event, db):
    member = auth.login_as(make_member())
    event = make_event(capacity=3)
    response = client.post(f"/events/{event.slug}/register")
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(Registration))
    assert registration.member_id == member.id and registration.status == "confirmed"
    page = client.get(f"/events/{event.slug}").data.decode()
    assert "You are registered." in page
    assert "2 left" in page
    # Clicking again shows the existing registration, never a duplicate.
    client.post(f"/events/{event.slug}/register")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_confirmed_member_sees_the_online_link(client, auth, make_member, make_event):
    member = auth.login_as(make_member())
    event = make_event(format="online", online_url="https://meet.example/secret-room")
    assert b"secret-room" not in client.get(f"/events/{event.slug}").data
    regs.register_member(event.id, member)
    assert b"secret-room" in client.get(f"/events/{event.slug}").data


def test_member_on_a_full_event_sees_the_waiting_position(
    client, auth, make_member, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event=event)
    auth.login_as(make_member())
    response = client.post(f"/events/{event.slug}/register", follow_redirects=True)
    assert "number 1 on the waiting list" in response.data.decode()


def test_closed_registration_is_explained_on_the_page(client, auth, make_member, make_event):
    auth.login_as(make_member())
    event = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    response = client.post(f"/events/{event.slug}/register", follow_redirects=True)
    assert "Registration for this event is closed." in response.data.decode()


def test_guest_registers_confirms_from_the_mail_and_cancels(client, make_event, outbox, db):
    event = make_event(capacity=1)
    response = client.post(f"/events/{event.slug}/register", data=guest_data())
    assert response.status_code == 200
    assert "Check your mail" in response.data.decode()
    [mail] = outbox(to="gina@example.org")
    link = re.search(r"http://\S+/events/registration/(\S+)", mail.text_body)
    token = link.group(1)
    page = client.get(f"/events/registration/{token}").data.decode()
    assert "Not confirmed yet" in page
    client.post(f"/events/registration/{token}/confirm")
    page = client.get(f"/events/registration/{token}").data.decode()
    assert "Confirmed: your seat is reserved." in page
    assert "You are registered" in outbox(to="gina@example.org")[-1].subject
    client.post(f"/events/registration/{token}/cancel")
    registration = db.session.scalar(sa.select(Registration))
    db.session.refresh(registration)
    assert registration.status == "cancelled"


def test_guest_form_errors_and_honeypot(client, make_event, db, outbox):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=guest_data(email="nope"))
    assert response.status_code == 400
    assert "Give a valid email address." in response.data.decode()
    response = client.post(
        f"/events/{event.slug}/register", data=guest_data(website="http://spam.example")
    )
    assert response.status_code == 200  # the bot sees success
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert outbox() == []


def test_guest_form_is_rate_limited_per_ip(client, make_event):
    event = make_event()
    codes = [
        client.post(
            f"/events/{event.slug}/register", data=guest_data(email=f"g{i}@example.org")
        ).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_guest_cannot_register_for_members_only_event(client, make_event):
    event = make_event(audience="members")
    response = client.post(f"/events/{event.slug}/register", data=guest_data())
    assert response.status_code == 409
    assert "members only" in response.data.decode()


def test_unknown_registration_token_is_404(client):
    assert client.get("/events/registration/not-a-token").status_code == 404


def test_my_events_lists_registrations_and_the_private_feed(
    client, auth, make_member, make_event, db
):
    member = auth.login_as(make_member())
    upcoming = make_event(title="Mine upcoming")
    other = make_event(title="Not mine")
    regs.register_member(upcoming.id, member)
    db.session.commit()
    html = client.get("/events/my").data.decode()
    assert "Mine upcoming" in html and "Not mine" not in html
    feed_url = re.search(r'value="(http[^"]+/events/my/[^"]+\.ics)"', html).group(1)
    path = feed_url.split("://", 1)[1].split("/", 1)[1]
    cal = icalendar.Calendar.from_ical(client.get("/" + path).data)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Mine upcoming"]
    client.post("/events/my/feed/renew")
    assert client.get("/" + path).status_code == 404
    assert other.id


# --- organizer tools ---------------------------------------------------------------------


def test_participants_page_counts_and_searches(
    client, auth, organizer, make_event, make_registration
):
    event = make_event(organizer=organizer, capacity=2)
    make_registration(event=event, name="Alice Able")
    make_registration(event=event, name="Bob Baker")
    make_registration(event=event, name="Carol Waiting", status="waiting")
    make_registration(event=event, name="Dan Gone", status="cancelled")
    auth.login_as(organizer)
    html = client.get(f"/events/manage/{event.id}/participants").data.decode()
    assert "Confirmed: 2 of 2" in html and "Waiting: 1" in html and "Cancelled: 1" in html
    assert "<svg" in html
    html = client.get(f"/events/manage/{event.id}/participants?q=bob").data.decode()
    assert "Bob Baker" in html and "Alice Able" not in html


def test_other_organizer_cannot_see_participants(client, auth, organizer, make_event):
    event = make_event()
    auth.login_as(organizer)
    assert client.get(f"/events/manage/{event.id}/participants").status_code == 403
    assert client.get(f"/events/manage/{event.id}/participants.csv").status_code == 403


def test_csv_export_is_utf8_with_a_header_and_safe_cells(
    client, auth, organizer, make_event, make_registration
):
    event = make_event(organizer=organizer)
    make_registration(event=event, name="Željko Čičak", affiliation="=HYPERLINK(1)")
    auth.login_as(organizer)
    response = client.get(f"/events/manage/{event.id}/participants.csv")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Name", "Email", "Affiliation", "Needs", "Status"]
    assert rows[1][0] == "Željko Čičak"
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_check_in_marks_attendance_and_undoes_it(
    client, auth, organizer, make_event, make_registration, db
):
    event = make_event(organizer=organizer)
    registration = make_registration(event=event, name="Present Person")
    auth.login_as(organizer)
    assert "Present Person" in client.get(f"/events/manage/{event.id}/checkin").data.decode()
    url = f"/events/manage/{event.id}/checkin"
    client.post(url, data={"registration": registration.id, "attended": "1"})
    db.session.refresh(registration)
    assert registration.attended_at is not None
    client.post(url, data={"registration": registration.id, "attended": "0"})
    db.session.refresh(registration)
    assert registration.attended_at is None


def test_message_goes_to_confirmed_participants_with_organizer_reply_to(
    client, auth, make_member, make_event, make_registration, outbox
):
    organizer = make_member(role="organizer", email="org@example.org")
    event = make_event(organizer=organizer)
    confirmed = make_registration(event=event)
    waiting = make_registration(event=event, status="waiting")
    auth.login_as(organizer)
    response = client.post(
        f"/events/manage/{event.id}/message", data={"subject": "Parking", "body": "Use gate B."}
    )
    assert response.status_code == 302
    [mail] = outbox(to=confirmed.email)
    assert "Parking" in mail.subject and "Use gate B." in mail.text_body
    assert mail.reply_to == "org@example.org"
    assert outbox(to=waiting.email) == []


def test_capacity_form_promotes_and_refuses_below_confirmed(
    client, auth, organizer, make_event, make_registration, db
):
    event = make_event(organizer=organizer, capacity=1)
    make_registration(event=event)
    waiting = make_registration(event=event, status="waiting")
    auth.login_as(organizer)
    url = f"/events/manage/{event.id}/capacity"
    page = client.post(url, data={"capacity": "0"}, follow_redirects=True).data.decode()
    assert "At least 1 seat." in page
    client.post(url, data={"capacity": "2"})
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"
    page = client.post(url, data={"capacity": "1"}, follow_redirects=True).data.decode()
    assert "cannot be lower than the 2 confirmed" in page


def test_list_shows_seats_left_from_confirmed_registrations(client, make_event, make_registration):
    event = make_event(title="Seated", capacity=3)
    make_registration(event=event)
    make_registration(event=event, status="waiting")
    assert "2 seats left" in client.get("/events/").data.decode()


def test_a_member_registration_runs_the_same_statements_whatever_the_event_page_shows(
    client, auth, make_member, make_event, db
):
    """Issue 22: the one click loads the event alone (not its agenda, topics, organizer),
    so its statements do not grow with what the event's page shows."""
    from interacta.core.models import Topic

    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def register(event) -> int:
        auth.login_as(make_member())
        statements.clear()
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
        try:
            assert client.post(f"/events/{event.slug}/register").status_code == 302
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
        return len(statements)

    plain = register(make_event(capacity=3))
    topics = list(db.session.scalars(sa.select(Topic).limit(3)))
    start = utcnow() + timedelta(days=30)
    sessions = [
        {"title": f"Session {n}", "starts_at": start, "ends_at": start + timedelta(hours=1)}
        for n in range(4)
    ]
    rich = register(make_event(capacity=3, topics=topics, sessions=sessions))
    assert rich == plain
    assert not [s for s in statements if "agenda_sessions" in s or "event_topics" in s]


def test_the_answer_to_a_registration_tells_the_decision_without_reading_it_again(
    app, client, auth, make_member, make_event, make_registration, db, monkeypatch
):
    """The seat decision (and the waiting-list place) is told from what the seat change
    decided under its lock: after the commit that releases it, neither the registration
    nor the signed-in member is read again (MAIL_DELIVERY=worker: no mail is rendered in
    the request either), and the page still says where the member stands."""
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    event = make_event(capacity=1)
    make_registration(event=event)  # the only seat is taken
    make_registration(event=event, status="waiting")
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    auth.login_as(make_member())
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        response = client.post(f"/events/{event.slug}/register")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    assert response.status_code == 302
    last_write = max(i for i, s in enumerate(statements) if s.startswith("INSERT"))
    after = statements[last_write + 1 :]
    assert not [s for s in after if s.startswith(("SELECT registrations", "SELECT members"))]
    assert not [s for s in after if "row_number()" in s]
    page = client.get(f"/events/{event.slug}").data.decode()
    assert "number 2 on the waiting list" in page
