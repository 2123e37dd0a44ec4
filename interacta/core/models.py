"""The declarative base every model imports, shared column helpers and the tables `core`
owns."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

# The declarative base (naming convention, UTC datetimes) is made with the `db` extension,
# which imports nothing of ours; every model imports it from here.
from interacta.extensions import Base


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CacheDeletion(Base):
    """When a row of a table with `updated_at` was last deleted (interacta.core.cache):
    cache fingerprints read the newest change from indexes, and a deletion leaves no row
    behind to show it."""

    __tablename__ = "cache_deletions"

    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    deleted_at: Mapped[datetime]


class Topic(TimestampMixin, Base):
    """An area of focus of the network; events, publications and members refer to them."""

    __tablename__ = "topics"
    __table_args__ = (sa.Index("ix_topics_updated_at", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: Order in which the topics are listed.
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class OutboxMessage(Base):
    """A mail written in the same transaction as the change that caused it.

    Delivery is at-least-once: a message is marked sent only after the SMTP server took it,
    so a worker killed mid-send leaves it to be retried once its lease runs out.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    #: [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Extra headers ({"List-Unsubscribe": "<https://...>"}), set on the mail as it is sent.
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    #: Name of the template, kept for the dev mailbox and for tests.
    template: Mapped[str | None] = mapped_column(sa.String(120))
    #: render (written, not yet rendered: see `render_args`) | queued | sending | sent | failed
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    #: What the message is rendered from ({"renderer": name, ...}, interacta.core.mail
    #: `defer_mail`): set on a message written inside a seat lock and rendered after it.
    render_args: Mapped[dict | None] = mapped_column(sa.JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: While status is "sending": until when the claiming worker owns the message.
    locked_until: Mapped[datetime | None]
    #: "smtp" or "devmailbox"
    transport: Mapped[str | None] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} to={self.to_addr!r}>"


class OutboxEvent(Base):
    """One step in a message's life (queued, sending, sent, retry, failed, resent), shown
    in the operator's outbox (`/admin/mail`)."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10))
    #: The SMTP error of a failed attempt, or who asked for a resend.
    detail: Mapped[str | None] = mapped_column(sa.String(2000))


class JobRun(Base):
    """One run of a periodic job for one period (interacta.core.jobs).

    The (job, period) pair is unique: the first worker to insert the row owns the period,
    so with several workers a job runs once per period."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
        sa.Index("ix_job_runs_job_started", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(64))
    #: The start of the period the run is for, e.g. "2026-11-26T10:00" for an hourly job.
    period: Mapped[str] = mapped_column(sa.String(32))
    #: running | ok | failed
    status: Mapped[str] = mapped_column(sa.String(10), default="running")
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: What the run did ("12 reminders sent") or, when it failed, the error.
    result: Mapped[str | None] = mapped_column(sa.String(2000))


class SecurityEventCount(Base):
    """How many security events of a kind happened in an hour (sign-in failures, rate-limit
    hits...), for the operator console. Counts only: no member, address or IP."""

    __tablename__ = "security_event_counts"

    event: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class KeptText(Base):
    """A small text built once and kept for every process (interacta.core.cache
    `cached_texts` without Redis): an event's VEVENT in a language, say. Found by its key
    (the text's name and what it depends on) and used only while its `version` is the one
    asked for; a new version replaces the row."""

    __tablename__ = "kept_texts"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(120))
    text: Mapped[bytes] = mapped_column(sa.LargeBinary)
    kept_at: Mapped[datetime] = mapped_column(default=utcnow)
