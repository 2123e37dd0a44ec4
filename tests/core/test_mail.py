"""The outbox: queued in the caller's transaction, delivered after commit, retried, never
sent for a rolled-back change, and delivered once by several workers."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from interacta.core.mail import (
    QrCodePng,
    attachment_bytes,
    deliver_committed,
    deliver_due,
    qr_code_png,
    queue_mail,
)
from interacta.core.models import OutboxMessage, utcnow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_committed_mail_is_delivered_to_the_dev_mailbox(app, db):
    with app.test_request_context():
        message = queue_mail("ana@example.org", "Hello", "core/mail/test_message")
        db.session.commit()
        assert deliver_committed() == 1
    db.session.refresh(message)
    assert message.status == "sent"
    assert message.transport == "devmailbox"
    assert "mail delivery works" in message.text_body
    assert "<p>" in message.html_body


def test_rolled_back_change_sends_nothing(app, db):
    with app.test_request_context():
        queue_mail("ben@example.org", "Never", "core/mail/test_message")
        db.session.rollback()
        db.session.commit()
        assert deliver_committed() == 0
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert count == 0


def test_header_injection_is_neutralised(app, db):
    with app.test_request_context():
        message = queue_mail(
            "c@example.org\r\nBcc: victim@example.org",
            "Hi\r\nBcc: victim@example.org",
            "core/mail/test_message",
        )
    assert "\n" not in message.to_addr and "\r" not in message.subject
    assert message.subject == "Hi Bcc: victim@example.org"


def test_mail_is_delivered_over_real_smtp_with_attachment(make_app, smtp_server):
    handler, port = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        from interacta.extensions import db

        queue_mail(
            "dana@example.org",
            "With attachment",
            "core/mail/test_message",
            reply_to="organizer@example.org",
            attachments=[("event.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")],
        )
        db.session.commit()
        assert deliver_committed() == 1
        row = db.session.scalar(sa.select(OutboxMessage))
        assert row.status == "sent" and row.transport == "smtp"
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["dana@example.org"]
    parsed = message_from_bytes(envelope.content, policy=policy.default)
    assert parsed["Subject"] == "With attachment"
    assert parsed["Reply-To"] == "organizer@example.org"
    attachments = [part.get_filename() for part in parsed.iter_attachments()]
    assert "event.ics" in attachments


def test_a_qr_code_attachment_is_stored_as_its_text_and_sent_as_the_png_image(
    make_app, smtp_server
):
    handler, port = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    url = "https://interacta.example/events/checkin/abc.def"
    with app.app_context():
        from interacta.extensions import db

        queue_mail(
            "fay@example.org",
            "Your code",
            "core/mail/test_message",
            attachments=[("check-in-code.png", "image/png", QrCodePng(url))],
        )
        db.session.commit()
        row = db.session.scalar(sa.select(OutboxMessage))
        [stored] = row.attachments
        assert stored == {"filename": "check-in-code.png", "content_type": "image/png",
                          "qr_code": url}  # fmt: skip
        assert deliver_committed() == 1
    [envelope] = handler.messages
    parsed = message_from_bytes(envelope.content, policy=policy.default)
    [part] = parsed.iter_attachments()
    assert part.get_filename() == "check-in-code.png"
    assert part.get_content_type() == "image/png"
    png = part.get_content()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # Drawn the same whenever it is drawn: the mail does not depend on when it is sent.
    assert png == qr_code_png(url) == attachment_bytes(stored)


def test_smtp_down_keeps_mail_queued_then_send_pending_delivers_it(make_app, smtp_server):
    handler, port = smtp_server
    dead_port = free_port()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        from interacta.extensions import db

        queue_mail("eve@example.org", "Retry me", "core/mail/test_message")
        db.session.commit()
        assert deliver_committed() == 0
        row = db.session.scalar(sa.select(OutboxMessage))
        assert row.status == "queued"
        assert row.attempts == 1
        assert "ConnectionRefused" in row.last_error
        assert row.next_attempt_at > utcnow()
        # Not due yet: a pass sends nothing.
        assert deliver_due() == 0
        # The server is back and the back-off has passed.
        app.extensions["mail"].port = port
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
        assert "sent 1, still queued 0" in result.output
        db.session.refresh(row)
        assert row.status == "sent" and row.attempts == 2
    assert [m.rcpt_tos for m in handler.messages] == [["eve@example.org"]]


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(app, db):
    with app.test_request_context():
        message = queue_mail("fay@example.org", "Once", "core/mail/test_message")
        db.session.commit()
        db.session.info.pop("outbox_committed", None)
        # Another worker has claimed it and is sending (its lease still runs).
        message.status = "sending"
        message.locked_until = utcnow() + timedelta(minutes=5)
        db.session.commit()
        assert deliver_due() == 0
        # The worker died: once the lease is over, the message is retried (at-least-once).
        message.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert deliver_due() == 1
    db.session.refresh(message)
    assert message.status == "sent"


def test_mail_worker_command_runs_a_bounded_number_of_passes(app, runner, db):
    with app.test_request_context():
        queue_mail("gil@example.org", "Worker", "core/mail/test_message")
        db.session.commit()
        db.session.info.pop("outbox_committed", None)
    result = runner.invoke(args=["mail", "worker", "--passes", "1", "--interval", "0"])
    assert "sent 1" in result.output
    assert db.session.scalar(sa.select(OutboxMessage.status)) == "sent"


def test_send_test_command_reaches_the_mailbox(runner, db, outbox):
    result = runner.invoke(args=["mail", "send-test", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert [m.status for m in outbox("ops@example.org")] == ["sent"]


UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://interacta.example/subscriptions/unsubscribe/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def test_extra_headers_are_kept_on_the_outbox_row_and_shown_in_the_dev_mailbox(app, db, client):
    with app.test_request_context():
        message = queue_mail(
            "eve@example.org", "A list", "core/mail/test_message", headers=UNSUBSCRIBE
        )
        db.session.commit()
        assert deliver_committed() == 1
    db.session.refresh(message)
    assert message.headers == UNSUBSCRIBE
    assert message.status == "sent" and message.transport == "devmailbox"
    page = client.get(f"/dev/mailbox/{message.id}").get_data(as_text=True)
    assert "List-Unsubscribe-Post" in page and "List-Unsubscribe=One-Click" in page


def test_extra_headers_cannot_smuggle_lines_or_replace_address_headers(app, db):
    with app.test_request_context():
        message = queue_mail(
            "fay@example.org",
            "Hi",
            "core/mail/test_message",
            headers={"X-Note": "one\r\nBcc: victim@example.org"},
        )
        assert message.headers == {"X-Note": "one Bcc: victim@example.org"}
        for bad in ("Bcc", "To", "Subject", "X Bad: name"):
            with pytest.raises(ValueError):
                queue_mail("fay@example.org", "Hi", "core/mail/test_message", headers={bad: "x"})


def test_extra_headers_go_out_over_smtp(make_app, smtp_server):
    handler, port = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        from interacta.extensions import db

        queue_mail("gus@example.org", "A list", "core/mail/test_message", headers=UNSUBSCRIBE)
        db.session.commit()
        assert deliver_committed() == 1
    parsed = message_from_bytes(handler.messages[0].content, policy=policy.default)
    assert parsed["List-Unsubscribe"] == UNSUBSCRIBE["List-Unsubscribe"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
