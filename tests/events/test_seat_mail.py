"""The mail of seat changes: written inside the seat lock, rendered after its commit.

The content must not change with where it is rendered: `seat_mail_golden.json` holds the
mails main rendered inside the lock (session of 2026-11-26, before the change) for the
same scenario; `GOLDEN_WRITE=1` rewrites it.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage
from interacta.events import registrations as regs

GOLDEN = Path(__file__).parent / "data" / "seat_mail_golden.json"
STARTS = datetime(2031, 5, 6, 9, 0, tzinfo=UTC)


def _normalised(text: str | None) -> str | None:
    """Without what differs from run to run: check-in tokens (they sign the row ids) and
    a calendar file's stamps and UID."""
    if text is None:
        return None
    text = re.sub(r"/events/checkin/[A-Za-z0-9_.-]+", "/events/checkin/<signed>", text)
    text = re.sub(r"(DTSTAMP|LAST-MODIFIED|CREATED):\S+", r"\1:<now>", text)
    return re.sub(r"UID:\S+", "UID:<uid>", text)


def _attachment(item: dict) -> dict:
    if "qr_code" in item:
        content = "QR " + item["qr_code"]
    else:
        content = base64.b64decode(item["data"]).decode()
    return {
        "filename": item["filename"],
        "content_type": item["content_type"],
        "content": _normalised(content),
    }


def _mails(db, after: int | None = None) -> list[dict]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if after is not None:
        query = query.where(OutboxMessage.id > after)
    return [
        {
            "to": m.to_addr,
            "subject": m.subject,
            "template": m.template,
            "reply_to": m.reply_to,
            "headers": m.headers,
            "text": _normalised(m.text_body),
            "html": _normalised(m.html_body),
            "attachments": [_attachment(a) for a in m.attachments or []],
        }
        for m in db.session.scalars(query)
    ]


@pytest.fixture
def fixed_tokens(monkeypatch):
    """Registration tokens in a known order (the manage links in the mails)."""
    numbers = itertools.count(1)
    monkeypatch.setattr(regs, "new_token", lambda: f"token-{next(numbers)}")


@pytest.fixture
def renders(db, monkeypatch) -> list[tuple[str, bool]]:
    """Each mail template rendered from here on: (template, seat lock held meanwhile)."""
    from interacta.core import mail

    seen: list[tuple[str, bool]] = []
    real = mail.render_template

    def render_template(template, *args, **kwargs):
        seen.append((template, regs._SEAT_KEY in db.session.info))
        return real(template, *args, **kwargs)

    monkeypatch.setattr(mail, "render_template", render_template)
    return seen


def _scenario(app, make_member, make_event) -> None:
    """Every seat change that writes mail, in three languages: a member confirmed and one
    waiting, a guest asked to confirm then waiting, the same guest registering again, a
    cancellation that promotes the first waiting, a guest confirmed with a seat free."""
    olga = make_member(email="olga@example.org", name="Olga Organizer", role="organizer")
    seminar = make_event(
        slug="golden-seminar",
        title="Golden seminar",
        summary="Summary of event 1",
        organizer=olga,
        capacity=1,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=3),
        format="hybrid",
        online_url="https://meet.example/golden",
    )
    course = make_event(
        slug="golden-course",
        title="Golden course",
        summary="Summary of event 2",
        organizer=olga,
        capacity=5,
        starts_at=STARTS + timedelta(days=1),
        ends_at=STARTS + timedelta(days=1, hours=2),
    )
    anne = make_member(email="anne@example.org", name="Anne Dubois", language="fr",
                       timezone="America/New_York")  # fmt: skip
    bob = make_member(email="bob@example.org", name="Bob Berger", language="de")
    with app.test_request_context():
        # A member confirmed (French, with her own zone), a member waiting (German).
        anne_seat, _ = regs.register_member(seminar.id, anne)
        regs.register_member(seminar.id, bob)
        # A guest: the request to confirm, then the waiting list once confirmed; again
        # with the same address (the existing registration, number 2 on the list).
        gina, _ = regs.register_guest(seminar.id, name="Gina Gost", email="gina@example.org",
                                      language="sl")  # fmt: skip
        regs.confirm_guest(gina)
        regs.register_guest(seminar.id, name="Gina Gost", email="gina@example.org",
                            language="sl")  # fmt: skip
        # The member cancels: her receipt, and the first waiting is given the seat.
        regs.cancel_registration(anne_seat)
        # A guest confirmed with a free seat (English).
        hana, _ = regs.register_guest(course.id, name="Hana Host", email="hana@example.org",
                                      language="en")  # fmt: skip
        regs.confirm_guest(hana)


def _compare_with_golden(mails: list[dict]) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert [(m["to"], m["template"]) for m in mails] == [(m["to"], m["template"]) for m in golden]
    for mail, expected in zip(mails, golden, strict=True):
        assert mail == expected


def test_seat_mails_say_what_they_said_when_rendered_inside_the_lock(
    app, db, make_member, make_event, fixed_tokens
):
    _scenario(app, make_member, make_event)
    mails = _mails(db)
    assert all(m["text"] for m in mails)  # every one rendered
    if os.environ.get("GOLDEN_WRITE"):
        GOLDEN.write_text(json.dumps(mails, indent=1, ensure_ascii=False) + "\n")
    _compare_with_golden(mails)


def test_mail_left_unrendered_by_a_crash_is_rendered_by_the_worker_as_decided(
    app, db, make_member, make_event, fixed_tokens, monkeypatch
):
    """The process dies between the commit that releases the seat lock and the rendering:
    the delivery worker renders each mail later, once the registrations have moved on
    (Anne cancelled, Bob was given her seat), and each says what was decided when it was
    written: the same mails, word for word."""
    from interacta.core.mail import deliver_due

    monkeypatch.setattr(regs, "render_committed", lambda: 0)  # never rendered after commit
    _scenario(app, make_member, make_event)
    left = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    assert len(left) == 9
    assert {m.status for m in left} == {"render"} and not any(m.text_body for m in left)
    db.session.commit()
    monkeypatch.undo()
    assert deliver_due() == 9  # the worker's pass: rendered, then sent
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(sa.select(OutboxMessage))} == {"sent"}
    _compare_with_golden(_mails(db))


def test_with_worker_delivery_the_request_renders_nothing_and_the_worker_sends_the_same_mails(
    app, db, make_member, make_event, fixed_tokens, monkeypatch, renders
):
    """MAIL_DELIVERY="worker" (production's default): the worker's pass sends the mail, so
    it renders it too; a seat change's request renders no mail template at all. The mails
    it then sends are the same, word for word, as those rendered right after the lock."""
    from interacta.core.mail import deliver_due

    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    _scenario(app, make_member, make_event)
    assert renders == []
    left = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    assert len(left) == 9 and {m.status for m in left} == {"render"}
    db.session.commit()
    assert deliver_due() == 9
    assert renders  # the worker rendered them
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(sa.select(OutboxMessage))} == {"sent"}
    _compare_with_golden(_mails(db))


def test_the_seat_lock_is_released_before_the_mail_is_rendered(
    app, db, make_member, make_event, renders
):
    event = make_event(capacity=1)
    with app.test_request_context():
        confirmed, _ = regs.register_member(event.id, make_member())
        waiting, _ = regs.register_member(event.id, make_member())
    assert (confirmed.status, waiting.status) == ("confirmed", "waiting")
    assert renders and not any(locked for _template, locked in renders)
    assert [m.template for m in db.session.scalars(sa.select(OutboxMessage))] == [
        "events/mail/confirmed",
        "events/mail/waiting",
    ]


def test_a_mail_that_cannot_be_rendered_waits_in_the_outbox_with_its_error(
    app, db, make_member, make_event, monkeypatch
):
    """A broken template does not undo the registration: the mail stays marked, the
    worker retries it with back-off and the operator sees the error."""
    from interacta.core import mail
    from interacta.core.mail import deliver_due

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(mail, "render_template", broken)
    event = make_event(capacity=5)
    with app.test_request_context():
        registration, created = regs.register_member(event.id, make_member())
    assert created and registration.status == "confirmed"
    assert deliver_due() == 0
    message = db.session.scalar(sa.select(OutboxMessage))
    db.session.refresh(message)
    assert message.status == "render" and message.attempts == 1
    assert "template broken" in message.last_error
    assert message.next_attempt_at > registration.confirmed_at
    monkeypatch.undo()
    assert deliver_due() == 0  # not due again yet
    # Once due, rendered and sent, with a fresh count of delivery attempts.
    message.next_attempt_at = registration.confirmed_at
    db.session.commit()
    assert deliver_due() == 1
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)
    assert message.template == "events/mail/confirmed" and "/events/checkin/" in message.text_body


def test_a_mail_for_a_registration_erased_before_rendering_is_not_sent(
    app, db, make_member, make_event, monkeypatch
):
    from interacta.core.mail import deliver_due

    monkeypatch.setattr(regs, "render_committed", lambda: 0)
    event = make_event(capacity=5)
    with app.test_request_context():
        registration, _ = regs.register_member(event.id, make_member())
    regs._anonymise(registration)
    db.session.commit()
    monkeypatch.undo()
    assert deliver_due() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


CHANGE_GOLDEN = Path(__file__).parent / "data" / "event_change_mail_golden.json"


def _change_scenario(app, db, make_member, make_event) -> list[dict]:
    """A published event's time and place change, then it is cancelled: every registrant
    (confirmed, waiting; members and a guest, in four languages) is told each time."""
    from interacta.core.mail import render_committed
    from interacta.events import services

    olga = make_member(email="olga@example.org", name="Olga Organizer", role="organizer")
    event = make_event(
        slug="golden-symposium",
        title="Golden symposium",
        summary="Summary of the symposium",
        organizer=olga,
        capacity=2,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=3),
        venue_name="Old hall",
        format="hybrid",
        online_url="https://meet.example/symposium",
    )
    anne = make_member(email="anne@example.org", name="Anne Dubois", language="fr",
                       timezone="America/New_York")  # fmt: skip
    bob = make_member(email="bob@example.org", name="Bob Berger", language="de")
    with app.test_request_context():
        regs.register_member(event.id, anne)
        regs.register_member(event.id, bob)
        gina, _ = regs.register_guest(event.id, name="Gina Gost", email="gina@example.org",
                                      language="sl")  # fmt: skip
        regs.confirm_guest(gina)
        hana, _ = regs.register_guest(event.id, name="Hana Host", email="hana@example.org",
                                      language="en")  # fmt: skip
        regs.confirm_guest(hana)
        first = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id)))
        services.update_event(event, venue_name="New hall",
                              starts_at=STARTS + timedelta(days=1),
                              ends_at=STARTS + timedelta(days=1, hours=3))  # fmt: skip
        db.session.commit()
        services.cancel(db.session.get(type(event), event.id), "The hall burned down.")
        db.session.commit()
        render_committed()  # as the request does when it ends (deliver_committed)
    return _mails(db, after=first)


def test_event_change_and_cancellation_mails_say_what_they_said_when_rendered_at_once(
    app, db, make_member, make_event, fixed_tokens
):
    mails = _change_scenario(app, db, make_member, make_event)
    assert [m["template"] for m in mails] == ["events/mail/event_changed"] * 4 + [
        "events/mail/event_cancelled"
    ] * 4
    assert all(m["text"] for m in mails)
    if os.environ.get("GOLDEN_WRITE"):
        CHANGE_GOLDEN.write_text(json.dumps(mails, indent=1, ensure_ascii=False) + "\n")
    golden = json.loads(CHANGE_GOLDEN.read_text())
    assert mails == golden


def test_an_event_change_holds_the_seat_lock_without_rendering_its_registrants_mails(
    app, db, make_member, make_event, make_registration, renders
):
    """An organizer's change of time or place writes one mail per registrant under the
    event's seat lock: none is rendered (nor its calendar file made) until it is released."""
    from interacta.core import mail
    from interacta.events import services

    event = make_event(capacity=3, venue_name="Old hall")
    for status in ("confirmed", "confirmed", "waiting", "waiting"):
        make_registration(event=event, status=status)
    with app.test_request_context():
        services.update_event(event, venue_name="New hall")
        db.session.commit()
        mail.render_committed()
    assert renders and not any(locked for _template, locked in renders)
    mails = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [m.template for m in mails] == ["events/mail/event_changed"] * 4
    assert all("New hall" in m.text_body for m in mails)
