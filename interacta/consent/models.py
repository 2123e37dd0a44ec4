"""Consent choices of members, the append-only consent log and aggregated page views."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from interacta.core.models import Base, utcnow


class ConsentChoice(Base):
    """A member's current cookie choice; it follows them to every device."""

    __tablename__ = "consent_choices"

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    performance: Mapped[bool] = mapped_column(default=False)
    functionality: Mapped[bool] = mapped_column(default=False)
    targeting: Mapped[bool] = mapped_column(default=False)
    #: accept_all | reject_all | custom | withdraw | gpc | signin_merge
    action: Mapped[str] = mapped_column(sa.String(20))
    policy_version: Mapped[int]
    #: When the choice was made (a sign-in merge keeps the time of the winning choice).
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ConsentChoice member={self.member_id} {self.action}>"


class ConsentLogEntry(Base):
    """One choice, as proof of consent. Rows are only ever inserted (and purged), never updated."""

    __tablename__ = "consent_log"
    __table_args__ = (sa.Index("ix_consent_log_recorded", "member_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A random id given to this record (shown to the person as a receipt).
    consent_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: Random id of a visitor without an account (kept in their session); None for members.
    subject_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    necessary: Mapped[bool] = mapped_column(default=True)
    performance: Mapped[bool]
    functionality: Mapped[bool]
    targeting: Mapped[bool]
    action: Mapped[str] = mapped_column(sa.String(20))
    policy_version: Mapped[int]
    #: SHA-256 of the policy text that was in force (registry.policy_text).
    policy_hash: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ConsentLogEntry {self.consent_id} {self.action}>"


class PageView(Base):
    """Aggregated page views of one path on one day (counted only with performance consent)."""

    __tablename__ = "page_views"
    __table_args__ = (sa.UniqueConstraint("day", "path", name="uq_page_views_day_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    path: Mapped[str] = mapped_column(sa.String(300))
    views: Mapped[int] = mapped_column(default=0)


class VisitorDay(Base):
    """How many distinct visitors (by their random visitor cookie) came on one day."""

    __tablename__ = "visitor_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    visitors: Mapped[int] = mapped_column(default=0)


@sa.event.listens_for(ConsentLogEntry, "before_update")
def _log_is_append_only(_mapper, _connection, target) -> None:
    raise RuntimeError(f"the consent log is append-only; refusing to update {target!r}")
