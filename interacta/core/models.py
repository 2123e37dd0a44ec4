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


class Topic(Base):
    """An area of focus of the network; events, publications and members refer to them."""

    __tablename__ = "topics"

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
    #: Name of the template, kept for the dev mailbox and for tests.
    template: Mapped[str | None] = mapped_column(sa.String(120))
    #: queued | sending | sent | failed
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: While status is "sending": until when the claiming worker owns the message.
    locked_until: Mapped[datetime | None]
    #: "smtp" or "devmailbox"
    transport: Mapped[str | None] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} to={self.to_addr!r}>"
