"""Registration rules through the services: seats, waiting list, mails, privacy."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from interacta.core.mail import deliver_committed
from interacta.core.models import utcnow
from interacta.core.registry import erase_member_data, export_member_data
from interacta.events import registrations as regs
from interacta.events import services
from interacta.events.models import Registration


def statuses(event, db):
    rows = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    )
    return [r.status for r in rows]


# --- members -----------------------------------------------------------------------------


def test_member_registers_in_one_click_and_gets_a_confirmation_with_ics(
    make_event, make_member, outbox
):
    organizer = make_member(role="organizer", email="olga@example.org")
    event = make_event(organizer=organizer, capacity=5, format="hybrid",
                       online_url="https://meet.example/room")  # fmt: skip
    member = make_member(timezone="America/New_York")
    registration, created = regs.register_member(event.id, member)
    assert created and registration.status == "confirmed"
    [mail] = outbox(to=member.email)
    assert mail.reply_to == "olga@example.org"
    assert f"/events/registration/{registration.token}" in mail.text_body
    assert "https://meet.example/room" in mail.text_body
    assert "(Europe/Brussels)" in mail.text_body and "(America/New_York)" in mail.text_body
    attachment, code = mail.attachments
    cal = icalendar.Calendar.from_ical(base64.b64decode(attachment["data"]))
    [vevent] = cal.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at
    assert code["content_type"] == "image/png"  # the personal check-in code


def test_registering_twice_returns_the_existing_registration(make_event, make_member, db):
    event, member = make_event(), make_member()
    first, _ = regs.register_member(event.id, member)
    again, created = regs.register_member(event.id, member)
    assert not created and again.id == first.id
    assert statuses(event, db) == ["confirmed"]


def test_database_refuses_a_second_active_registration_for_the_same_email(
    make_event, make_registration, db
):
    event = make_event()
    make_registration(event=event, email="same@example.org")
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        make_registration(event=event, email="same@example.org")


def test_unverified_member_cannot_register(make_event, make_member):
    with pytest.raises(regs.NotAllowed, match="verify"):
        regs.register_member(make_event().id, make_member(email_verified_at=None))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "draft"}, "not open"),
        ({"starts_at": datetime(2020, 1, 1, tzinfo=UTC)}, "already taken place"),
        (
            {
                "registration_opens_at": datetime(2099, 1, 1, tzinfo=UTC),
                "starts_at": datetime(2099, 2, 1, tzinfo=UTC),
            },
            "Registration opens on",
        ),  # fmt: skip
        ({"registration_closes_at": datetime(2020, 1, 1, tzinfo=UTC)}, "closed"),
    ],
)
def test_registration_outside_the_window_is_refused_with_a_clear_message(
    make_event, make_member, overrides, message
):
    event = make_event(**overrides)
    with pytest.raises(regs.RegistrationClosed, match=message):
        regs.register_member(event.id, make_member())


# --- seats and the waiting list ----------------------------------------------------------


def test_full_event_puts_next_registrants_on_the_waiting_list_in_order(
    make_event, make_member, outbox, db
):
    event = make_event(capacity=2)
    members = [make_member() for _ in range(4)]
    results = [regs.register_member(event.id, m)[0] for m in members]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [regs.waiting_position(r) for r in results[2:]] == [1, 2]
    [notice] = outbox(to=members[3].email)
    assert "number 2" in notice.text_body


def test_cancelling_a_seat_promotes_the_first_waiting_and_mails_them(
    make_event, make_member, outbox
):
    event = make_event(capacity=1)
    holder, first, second = make_member(), make_member(), make_member()
    seat = regs.register_member(event.id, holder)[0]
    waiting1 = regs.register_member(event.id, first)[0]
    waiting2 = regs.register_member(event.id, second)[0]
    regs.cancel_registration(seat)
    assert seat.status == "cancelled"
    assert waiting1.status == "confirmed"
    assert regs.waiting_position(waiting2) == 1
    assert "A seat is free for you" in outbox(to=first.email)[-1].subject
    assert "Registration cancelled" in outbox(to=holder.email)[-1].subject


def test_leaving_the_waiting_list_promotes_nobody(make_event, make_member):
    event = make_event(capacity=1)
    seat = regs.register_member(event.id, make_member())[0]
    waiting = regs.register_member(event.id, make_member())[0]
    regs.cancel_registration(waiting)
    assert waiting.status == "cancelled" and seat.status == "confirmed"


def test_raising_the_capacity_promotes_and_lowering_below_confirmed_is_refused(
    make_event, make_member
):
    event = make_event(capacity=1)
    regs.register_member(event.id, make_member())
    waiting = [regs.register_member(event.id, make_member())[0] for _ in range(3)]
    with pytest.raises(regs.CapacityTooLow, match="1 confirmed"):
        regs.set_capacity(event.id, 0)
    regs.set_capacity(event.id, 3)
    assert [r.status for r in waiting] == ["confirmed", "confirmed", "waiting"]
    regs.set_capacity(event.id, None)
    assert waiting[2].status == "confirmed"


def test_editing_the_capacity_in_the_event_form_promotes_too(make_event, make_member):
    event = make_event(capacity=1)
    regs.register_member(event.id, make_member())
    waiting = regs.register_member(event.id, make_member())[0]
    services.update_event(event, capacity=2)
    assert waiting.status == "confirmed"
    with pytest.raises(services.EventError, match="2 confirmed"):
        services.update_event(event, capacity=1)


# --- guests ------------------------------------------------------------------------------


def test_guest_gets_a_seat_only_after_confirming_from_the_mail(make_event, outbox):
    event = make_event(capacity=1)
    registration, created = regs.register_guest(
        event.id, name="Gina Guest", email=" Gina@Example.org ", affiliation="NGO"
    )
    assert created and registration.status == "pending"
    assert registration.email == "gina@example.org"
    [mail] = outbox(to="gina@example.org")
    assert f"/events/registration/{registration.token}" in mail.text_body
    assert regs.confirmed_counts([event.id]) == {}
    regs.confirm_guest(registration)
    assert registration.status == "confirmed"
    assert "You are registered" in outbox(to="gina@example.org")[-1].subject


def test_guest_registering_again_gets_the_link_again_not_a_duplicate(make_event, outbox, db):
    event = make_event()
    first, _ = regs.register_guest(event.id, name="G", email="g@example.org")
    again, created = regs.register_guest(event.id, name="G", email="G@example.org")
    assert not created and again.id == first.id
    assert statuses(event, db) == ["pending"]
    assert first.token in outbox(to="g@example.org")[-1].text_body


def test_guest_cannot_register_for_a_members_only_event(make_event):
    with pytest.raises(regs.NotAllowed, match="members only"):
        regs.register_guest(make_event(audience="members").id, name="G", email="g@example.org")


# --- changes, reminders, privacy ---------------------------------------------------------


def test_change_of_time_and_cancellation_are_mailed_to_registrants(
    db, make_event, make_member, outbox
):
    from interacta.core.mail import render_committed

    event = make_event(capacity=1)
    confirmed = regs.register_member(event.id, make_member())[0]
    waiting = regs.register_member(event.id, make_member())[0]
    services.update_event(event, starts_at=event.starts_at + timedelta(hours=2),
                          ends_at=event.ends_at + timedelta(hours=2))  # fmt: skip
    for r in (confirmed, waiting):
        assert "Change of time or place" in outbox(to=r.email)[-1].subject
    services.update_event(event, title="New title only")
    assert "Change of time" in outbox(to=confirmed.email)[-1].subject  # no new mail
    count = len(outbox())
    services.cancel(event, "The building is closed.")
    db.session.commit()
    render_committed()  # as the request does when it ends
    assert len(outbox()) == count + 2
    mail = outbox(to=confirmed.email)[-1]
    assert "Event cancelled" in mail.subject and "The building is closed." in mail.text_body
    cal = icalendar.Calendar.from_ical(base64.b64decode(mail.attachments[0]["data"]))
    assert str(cal.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_reminder_command_run_twice_sends_once(runner, make_event, make_registration, outbox):
    soon = make_event(starts_at=utcnow() + timedelta(hours=20))
    later = make_event(starts_at=utcnow() + timedelta(days=3))
    r1 = make_registration(event=soon)
    make_registration(event=soon, status="waiting")
    make_registration(event=later)
    assert "reminders sent: 1" in runner.invoke(args=["events", "send-reminders"]).output
    assert "reminders sent: 0" in runner.invoke(args=["events", "send-reminders"]).output
    reminders = [m for m in outbox() if m.template == "events/mail/reminder"]
    assert [m.to_addr for m in reminders] == [r1.email]


def test_purge_erases_guests_data_after_the_retention_keeping_counts(
    app, runner, make_event, make_registration, make_member, db
):
    old = make_event(starts_at=utcnow() - timedelta(days=200))
    recent = make_event(starts_at=utcnow() - timedelta(days=10))
    guest_old = make_registration(event=old, affiliation="NGO", note="vegan")
    member_old = make_registration(event=old, member=make_member())
    guest_recent = make_registration(event=recent)
    result = runner.invoke(args=["events", "purge"])
    assert "anonymised: 1" in result.output
    db.session.expire_all()
    assert guest_old.email is None and guest_old.name is None and guest_old.note is None
    assert guest_old.status == "confirmed"  # still counted
    assert member_old.email is not None and guest_recent.email is not None
    assert regs.confirmed_counts([old.id]) == {old.id: 2}


def test_member_data_export_lists_registrations(make_event, make_member):
    member = make_member()
    event = make_event(title="Exported event")
    regs.register_member(event.id, member)
    data = export_member_data(member)["event_registrations"]
    assert data[0]["event"] == "Exported event" and data[0]["status"] == "confirmed"


def test_erasing_a_member_frees_upcoming_seats_and_anonymises_past_ones(
    db, make_event, make_member, make_registration, outbox
):
    member = make_member()
    upcoming = make_event(capacity=1)
    seat = regs.register_member(upcoming.id, member)[0]
    waiting = regs.register_member(upcoming.id, make_member())[0]
    past = make_registration(event=make_event(starts_at=utcnow() - timedelta(days=5)),
                             member=member)  # fmt: skip
    erase_member_data(member)
    # The erasure's one transaction commits (the view's), then its mail is rendered.
    db.session.commit()
    deliver_committed()
    assert seat.status == "cancelled" and seat.email is None and seat.member_id is None
    assert waiting.status == "confirmed"
    assert "A seat is free" in outbox(to=waiting.email)[-1].subject
    assert past.status == "confirmed" and past.email is None and past.name is None


# --- the seat lock -------------------------------------------------------------------------


def test_seat_functions_refuse_to_run_outside_a_seat_change(make_event, db):
    event, other = make_event(capacity=1), make_event(capacity=1)
    with pytest.raises(regs.SeatLockMissing):
        regs.promote_waiting(event)
    with pytest.raises(regs.SeatLockMissing):
        regs.check_capacity(event, 3)
    with regs.seat_change(event.id) as seats:
        assert seats.event.id == event.id
        assert regs.promote_waiting(seats.event) == []
        with pytest.raises(regs.SeatLockMissing):
            regs.promote_waiting(other)
        with pytest.raises(regs.SeatLockMissing), regs.seat_change(other.id):
            pass
    with pytest.raises(regs.SeatLockMissing):
        regs.promote_waiting(event)


def test_a_seat_change_that_fails_changes_nothing(make_event, db):
    event = make_event(capacity=1)
    with pytest.raises(RuntimeError), regs.seat_change(event.id) as seats:
        seats.event.capacity = 7
        db.session.flush()
        raise RuntimeError("boom")
    db.session.expire_all()
    assert db.session.get(type(event), event.id).capacity == 1


def test_one_waiting_list_order_for_position_page_csv_and_promotion(
    client, auth, make_event, make_member, make_registration, db
):
    organizer = make_member(role="organizer")
    event = make_event(organizer=organizer, capacity=1)
    make_registration(event=event, status="confirmed")
    now = utcnow()
    later = make_registration(event=event, status="waiting", name="Later",
                              waiting_since=now - timedelta(minutes=1))  # fmt: skip
    first = make_registration(event=event, status="waiting", name="First",
                              waiting_since=now - timedelta(minutes=5))  # fmt: skip
    assert later.id < first.id
    assert (regs.waiting_position(first), regs.waiting_position(later)) == (1, 2)
    assert regs.waiting_positions(event.id) == {first.id: 1, later.id: 2}
    auth.login_as(organizer)
    csv_text = client.get(f"/events/manage/{event.id}/participants.csv").data.decode()
    lines = {line.split(",")[0]: line for line in csv_text.splitlines()[1:]}
    assert ",waiting,1," in lines["First"] and ",waiting,2," in lines["Later"]
    page = client.get(f"/events/manage/{event.id}/participants").data.decode()
    assert page.index("First") < page.index("Later")
    regs.set_capacity(event.id, 2)
    assert (first.status, later.status) == ("confirmed", "waiting")
