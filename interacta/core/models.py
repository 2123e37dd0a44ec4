"""The declarative base, shared column helpers and the tables `core` owns."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A datetime stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


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
