"""Certificate settings per event, and issued certificates."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, utcnow
from interacta.events.models import Event, Registration

#: attendance: present at the event (any session); completion: at least N % of sessions.
RULES = ("attendance", "completion")
KINDS = {"attendance": "Certificate of attendance", "completion": "Certificate of completion"}


class CertificateSettings(Base):
    """Whether an event issues certificates, and on which rule."""

    __tablename__ = "certificate_settings"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    is_enabled: Mapped[bool] = mapped_column(default=False)
    #: attendance | completion
    rule: Mapped[str] = mapped_column(sa.String(12), default="attendance")
    #: For completion: the least share of the agenda's sessions attended, in percent.
    min_percent: Mapped[int] = mapped_column(default=80)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Certificate(Base):
    """One certificate, issued once per registration. What it states is copied at issue
    time, so it keeps verifying after the holder's account or data is erased."""

    __tablename__ = "certificates"
    __table_args__ = (sa.Index("ix_certificates_event_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unguessable id in its public URLs (/credentials/<public_id>).
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    #: Printed on it, e.g. IG-2026-000042.
    serial: Mapped[str] = mapped_column(sa.String(32), unique=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    #: Once per registration (the unique constraint makes issuing idempotent).
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), unique=True
    )
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    #: attendance | completion
    kind: Mapped[str] = mapped_column(sa.String(12))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    event_title: Mapped[str] = mapped_column(sa.String(200))
    event_kind: Mapped[str] = mapped_column(sa.String(20))
    event_starts_at: Mapped[datetime]
    event_ends_at: Mapped[datetime]
    hours: Mapped[float] = mapped_column(default=0.0)
    sessions_attended: Mapped[int] = mapped_column(default=0)
    sessions_total: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The organizer who issued it by hand (None: by the rule), and why.
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    manual_reason: Mapped[str | None] = mapped_column(sa.String(500))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    #: The signed Open Badges 3.0 credential (a VC-JWT), made once when issued
    #: (interacta.credentials.openbadges); None for one issued before credentials were
    #: signed, until it is first asked for.
    credential_jwt: Mapped[str | None] = mapped_column(sa.Text)

    event: Mapped[Event | None] = relationship(lazy="select")
    registration: Mapped[Registration | None] = relationship(lazy="select")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.serial}>"
