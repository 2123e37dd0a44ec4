"""The mail outbox: queue in the caller's transaction, deliver after commit, retry later.

`queue_mail()` adds a row to `outbox_messages` in the current transaction. If that
transaction commits, the message is delivered at the end of the request (MAIL_DELIVERY =
"immediate", the default) or by `flask mail worker`; if it rolls back, nothing is sent.
An attachment may be a `QrCodePng`: the row keeps the text of the code and the PNG is drawn
when the mail is sent (the same image whenever it is drawn), so the transaction that
queues the mail does not pay for it.
Several workers may run at once: a message is claimed by a conditional UPDATE whose row
count tells who won (and, on PostgreSQL, candidates are read FOR UPDATE SKIP LOCKED).

`defer_mail()` writes a message that is rendered later: a row with status "render" and
what to render it from (`render_args`), for a transaction that must stay short (a seat
change holds its event's lock until it commits). `render_committed()` renders it right
after that commit, in a short transaction of its own (unless MAIL_DELIVERY="worker": the
worker that sends it renders it); the delivery worker renders any row still marked (the
process died in between) from its `render_args`, so none is lost.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import segno
import sqlalchemy as sa
from flask import current_app, render_template
from flask_mail import Message
from jinja2 import TemplateNotFound
from sqlalchemy.orm import Session

from interacta.core.i18n import force_locale
from interacta.core.models import OutboxEvent, OutboxMessage, utcnow
from interacta.core.urls import GeneratedUrl
from interacta.extensions import db, mail

logger = logging.getLogger(__name__)

_PENDING = "outbox_pending"  # ids queued in the open transaction
_COMMITTED = "outbox_committed"  # ids whose transaction committed, not yet delivered
_RENDER_PENDING = "outbox_render_pending"  # (id, render_args) deferred in the open transaction
_RENDER_COMMITTED = "outbox_render_committed"  # the same, committed, not yet rendered
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
#: A header name as RFC 5322 allows it (letters, digits, hyphens here).
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,76}$")
#: Headers the mail library writes itself: a caller's extra headers never replace them.
_RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "From",
        "To",
        "Cc",
        "Bcc",
        "Subject",
        "Reply-To",
        "Sender",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
    )
)


def clean_header(value: str) -> str:
    """A header value with CR, LF and other control characters replaced by a space."""
    return _CONTROL.sub(" ", value or "").strip()


def clean_headers(headers: dict[str, str] | None) -> dict[str, str]:
    """Extra headers fit to send: names checked (no address or structural header), values
    without line breaks. Raises ValueError on a bad or reserved name (a programming error)."""
    cleaned = {}
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.match(name) or name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"not an extra header: {name!r}")
        cleaned[name] = clean_header(str(value))[:2000]
    return cleaned


SIGNATURE = "\n-- \n"


class LinkMarks:
    """Marks the links we generated while a text template renders, so that its HTML part
    links those and nothing else: a URL someone typed (a guest's name, an organizer's
    message) stays text. Each `GeneratedUrl` in the context renders as a mark no typed text
    can forge (a random nonce); `plain()` puts the URLs back for the text part."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        nonce = secrets.token_hex(8)
        self._mark = f"[[{nonce}:{{}}]]"
        self._pattern = re.compile(rf"\[\[{nonce}:(\d+)\]\]")

    def context(self, context: dict) -> dict:
        return {key: self._marked(value) for key, value in context.items()}

    def _marked(self, value):
        if not isinstance(value, GeneratedUrl):
            return value
        self.urls.append(str(value))
        return self._mark.format(len(self.urls) - 1)

    def plain(self, text: str) -> str:
        return self._pattern.sub(lambda m: self.urls[int(m.group(1))], text)

    def parts(self, line: str) -> list[dict]:
        """A line as pieces of plain text and links, for the template to escape."""
        parts, last = [], 0
        for match in self._pattern.finditer(line):
            if match.start() > last:
                parts.append({"text": line[last : match.start()]})
            parts.append({"url": self.urls[int(match.group(1))]})
            last = match.end()
        if last < len(line):
            parts.append({"text": line[last:]})
        return parts


def html_from_text(text: str, subject: str, links: LinkMarks | None = None) -> str:
    """The HTML part of a mail that has only a text template: its paragraphs and lines,
    escaped, with the links `links` marked clickable (and no other), in the HTML mail
    layout (which has the footer the text signature carries)."""
    links = links or LinkMarks()
    # The layout's own signature is the last one; an organizer's message may carry another.
    body = text.rsplit(SIGNATURE, 1)[0].strip()
    paragraphs = [
        [links.parts(line) for line in block.split("\n")]
        for block in re.split(r"\n\s*\n", body)
        if block.strip()
    ]
    return render_template("mail/from_text.html", paragraphs=paragraphs, subject=subject)


@dataclass(frozen=True)
class QrCodePng:
    """An attachment drawn when the mail is sent: the PNG QR code of `text`."""

    text: str


def qr_code_png(text: str) -> bytes:
    """The PNG QR code of `text` (medium error correction, the quiet zone a scanner needs).
    Drawing it is deterministic: the same text always gives the same bytes."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def _stored_attachment(name: str, ctype: str, data: bytes | QrCodePng) -> dict:
    item = {"filename": clean_header(name), "content_type": ctype}
    if isinstance(data, QrCodePng):
        item["qr_code"] = data.text
    else:
        item["data"] = base64.b64encode(data).decode("ascii")
    return item


def attachment_bytes(item: dict) -> bytes:
    """The content of a queued message's attachment (a QR code is drawn now)."""
    if "qr_code" in item:
        return qr_code_png(item["qr_code"])
    return base64.b64decode(item["data"])


def _rendered(
    to: str,
    subject: str,
    template: str,
    *,
    reply_to: str | None = None,
    attachments: list[tuple[str, str, bytes | QrCodePng]] | None = None,
    headers: dict[str, str] | None = None,
    **context,
) -> dict:
    """The columns of a message: `template`.txt and `template`.html rendered with `context`
    (without an .html template the HTML part is made from the text one)."""
    context.setdefault("subject", subject)
    links = LinkMarks()
    marked = render_template(f"{template}.txt", **links.context(context))
    text = links.plain(marked)
    try:
        html = render_template(f"{template}.html", **context)
    except TemplateNotFound:
        html = html_from_text(marked, subject, links)
    return {
        "to_addr": clean_header(to),
        "subject": clean_header(subject)[:300],
        "text_body": text,
        "html_body": html,
        "reply_to": clean_header(reply_to) if reply_to else None,
        "attachments": [_stored_attachment(*attachment) for attachment in attachments or []],
        "headers": clean_headers(headers) or None,
        "template": template,
    }


def queue_mail(
    to: str,
    subject: str,
    template: str,
    *,
    reply_to: str | None = None,
    attachments: list[tuple[str, str, bytes | QrCodePng]] | None = None,
    headers: dict[str, str] | None = None,
    **context,
) -> OutboxMessage:
    """Render `template`.txt and `template`.html and add the mail to the current
    transaction. Without an .html template the HTML part is made from the text one.
    `headers` are extra headers sent with it (List-Unsubscribe...)."""
    message = OutboxMessage(
        **_rendered(
            to,
            subject,
            template,
            reply_to=reply_to,
            attachments=attachments,
            headers=headers,
            **context,
        )
    )
    db.session.add(message)
    db.session.flush()
    db.session.add(OutboxEvent(message_id=message.id, status="queued"))
    db.session.info.setdefault(_PENDING, []).append(message.id)
    return message


# --- mail rendered after the commit ------------------------------------------------------


@dataclass
class MailSpec:
    """A mail to render: what `queue_mail` takes (`context`: the templates' values), and
    the `language` its templates are rendered in (the recipient's)."""

    to: str
    subject: str
    template: str
    language: str | None = None
    reply_to: str | None = None
    attachments: list[tuple[str, str, bytes | QrCodePng]] = field(default_factory=list)
    headers: dict[str, str] | None = None
    context: dict = field(default_factory=dict)


#: A deferred message's renderer: from its `render_args`, the mail to send, or None when
#: there is nothing to send any more (the registration it was about is gone).
Renderer = Callable[[dict], MailSpec | None]

#: Renderers by name; blueprints register theirs (core imports no blueprint).
_renderers: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    """Name the function that renders deferred mail written with `defer_mail(..., name)`."""
    _renderers[name] = renderer


def defer_mail(to: str, renderer: str, **args) -> OutboxMessage:
    """Add a mail to the current transaction without rendering it: a row marked "render"
    that holds `args` (JSON values: what `renderer` renders it from, and whatever was
    decided in this transaction that the mail tells). After the commit,
    `render_committed()` renders it; if this process dies first, the delivery worker does.
    If the transaction rolls back, nothing is sent."""
    render_args = {"renderer": renderer, **args}
    message = OutboxMessage(
        to_addr=clean_header(to),
        subject="",
        text_body="",
        attachments=[],
        status="render",
        render_args=render_args,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(message.id)
    db.session.info.setdefault(_RENDER_PENDING, []).append((message.id, render_args))
    return message


def _render(message_id: int, render_args: dict) -> bool:
    """Render a deferred message and queue it for delivery, in the current transaction.
    A conditional UPDATE: the message is rendered once, by whoever gets there first.
    Nothing to send any more (its renderer says None): the row is deleted."""
    spec = _renderers[render_args["renderer"]](render_args)
    unrendered = sa.and_(OutboxMessage.id == message_id, OutboxMessage.status == "render")
    if spec is None:
        db.session.execute(
            sa.delete(OutboxMessage).where(unrendered).execution_options(synchronize_session=False)
        )
        logger.info("mail %s not rendered: nothing to send any more", message_id)
        return False
    with force_locale(spec.language):
        columns = _rendered(
            spec.to,
            spec.subject,
            spec.template,
            reply_to=spec.reply_to,
            attachments=spec.attachments,
            headers=spec.headers,
            **spec.context,
        )
    won = db.session.execute(
        sa.update(OutboxMessage)
        .where(unrendered)
        .values(status="queued", attempts=0, next_attempt_at=utcnow(), last_error=None, **columns)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        return False
    db.session.add(OutboxEvent(message_id=message_id, status="queued"))
    return True


def render_committed() -> int:
    """Render the deferred mail of the transactions this session committed, and commit
    (a short transaction after theirs). If a renderer fails, the messages stay marked for
    the delivery worker. With MAIL_DELIVERY="worker" nothing is rendered here: the worker
    that sends the mail renders it first. Returns how many were rendered."""
    pending = db.session.info.pop(_RENDER_COMMITTED, None)
    if not pending or current_app.config["MAIL_DELIVERY"] == "worker":
        # MAIL_DELIVERY="worker": the delivery worker's pass sends the mail, so it renders
        # it too (`render_due`), from what was decided; the request does not pay for it.
        return 0
    try:
        rendered = sum(_render(message_id, args) for message_id, args in pending)
        db.session.commit()
    except Exception:  # noqa: BLE001 - what was committed stands; the worker renders the mail
        db.session.rollback()
        logger.exception("mail %s not rendered now; the delivery worker renders it", pending)
        return 0
    return rendered


def render_due(limit: int = 100) -> int:
    """The delivery worker's part: render the messages still marked "render" (their writer
    died before rendering them, or the renderer failed: retried with back-off), each from
    its `render_args` and the rows as they stand now. Commits per message."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.render_args, OutboxMessage.attempts)
        .where(OutboxMessage.status == "render", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    rendered = 0
    for message_id, render_args, attempts in rows:
        try:
            rendered += _render(message_id, render_args)
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - recorded on the message, retried later
            db.session.rollback()
            logger.exception("mail %s not rendered (attempt %s)", message_id, attempts + 1)
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == "render")
                .values(
                    attempts=attempts + 1,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    next_attempt_at=utcnow() + _backoff(attempts + 1),
                )
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
    return rendered


def _after_commit(session: Session) -> None:
    for pending_key, committed_key in (
        (_PENDING, _COMMITTED),
        (_RENDER_PENDING, _RENDER_COMMITTED),
    ):
        pending = session.info.pop(pending_key, None)
        if pending:
            session.info.setdefault(committed_key, []).extend(pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_RENDER_PENDING, None)


def install_session_hooks(session_class) -> None:
    """Track queued mail per transaction so only committed mail is delivered."""
    sa.event.listen(session_class, "after_commit", _after_commit)
    sa.event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))


#: Hands committed message ids to the job worker (set by interacta.core.jobs, which
#: imports this module: the hook keeps the import one-way).
_handoff: Callable[[list[int]], None] | None = None


def set_handoff(handoff: Callable[[list[int]], None]) -> None:
    global _handoff
    _handoff = handoff


def deliver_committed() -> int:
    """Deliver the mail whose transaction has committed (MAIL_DELIVERY="immediate"), or
    hand it to the job worker (MAIL_DELIVERY="jobs"); "worker" leaves it to the next pass.
    Deferred mail not rendered yet is rendered first."""
    if not db.session.registry.has():  # no session in this context: nothing committed
        return 0
    render_committed()
    ids = db.session.info.pop(_COMMITTED, None)
    mode = current_app.config["MAIL_DELIVERY"]
    if not ids:
        return 0
    if mode == "immediate":
        return deliver_due(ids=ids)
    if mode == "jobs" and _handoff is not None:
        try:
            _handoff(ids)
        except Exception:  # noqa: BLE001 - the mail stays queued; the minutely job sends it
            logger.warning("mail %s not handed to the job worker", ids, exc_info=True)
    return 0


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, 8 ... minutes, at most six hours
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _claim(message_id: int, lease: timedelta) -> bool:
    """Take a message for sending; True only for the one caller that won it."""
    now = utcnow()
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            sa.or_(
                sa.and_(
                    OutboxMessage.status == "queued",
                    OutboxMessage.next_attempt_at <= now,
                ),
                sa.and_(
                    OutboxMessage.status == "sending",
                    OutboxMessage.locked_until < now,
                ),
            ),
        )
        .values(
            status="sending",
            locked_until=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _due_ids(limit: int) -> list[int]:
    now = utcnow()
    query = (
        sa.select(OutboxMessage.id)
        .where(
            sa.or_(
                sa.and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
                sa.and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def _transport(message: OutboxMessage) -> str:
    """Hand the message to SMTP, or to the dev mailbox when no SMTP server is configured."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return "devmailbox"
    msg = Message(
        subject=message.subject,
        recipients=[message.to_addr],
        body=message.text_body,
        html=message.html_body,
        reply_to=message.reply_to,
        sender=config["MAIL_DEFAULT_SENDER"],
        extra_headers=dict(message.headers or {}),
    )
    for item in message.attachments or []:
        msg.attach(item["filename"], item["content_type"], attachment_bytes(item))
    mail.send(msg)
    return "smtp"


def deliver_due(ids: list[int] | None = None, limit: int = 100) -> int:
    """Send what is due (or the given ids); returns how many were sent. Commits per message."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    if ids is None:
        render_due(limit)
        ids = _due_ids(limit)
    sent = 0
    for message_id in ids:
        if not _claim(message_id, lease):
            db.session.commit()
            continue
        db.session.commit()  # the claim is visible to other workers before we send
        message = db.session.get(OutboxMessage, message_id)
        try:
            transport = _transport(message)
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            failed = message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
            message.status = "failed" if failed else "queued"
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = utcnow() + _backoff(message.attempts)
            message.locked_until = None
            db.session.add(
                OutboxEvent(
                    message_id=message.id,
                    status="failed" if failed else "retry",
                    detail=message.last_error,
                )
            )
            # No address in the log: the message id leads to it in the console.
            logger.warning(
                "mail %s not delivered (attempt %s): %s",
                message.id,
                message.attempts,
                message.last_error,
            )
        else:
            message.status = "sent"
            message.transport = transport
            message.sent_at = utcnow()
            message.locked_until = None
            message.last_error = None
            db.session.add(OutboxEvent(message_id=message.id, status="sent", detail=transport))
            sent += 1
        db.session.commit()
    return sent


def requeue(message: OutboxMessage, detail: str = "resent by an operator") -> None:
    """Queue a failed (or sent) message again, due now, with a fresh set of attempts."""
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_until = None
    db.session.add(OutboxEvent(message_id=message.id, status="resent", detail=detail))
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(message.id)


def requeue_failed(detail: str = "retried by an operator") -> int:
    """Queue every failed message again; returns how many."""
    messages = list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "failed"))
    )
    for message in messages:
        requeue(message, detail)
    return len(messages)
