"""Events, their agenda sessions and topics."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, TimestampMixin, Topic, utcnow
from interacta.members.models import Member

#: Labels are lazy: each is written in the language of the page or mail that shows it.
KINDS = {
    "seminar": _l("Seminar"),
    "workshop": _l("Workshop"),
    "symposium": _l("Symposium"),
    "conference": _l("Conference"),
    "course": _l("Course"),
}
FORMATS = {"in_person": _l("In person"), "online": _l("Online"), "hybrid": _l("Hybrid")}
AUDIENCES = {"all": _l("Open to all, including guests"), "members": _l("Members only")}
STATUSES = ("draft", "published", "cancelled")
PARTICIPANT_LISTS = ("hidden", "participants", "public")

event_topics = sa.Table(
    "event_topics",
    Base.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    # A topic's events (the lists' topic filter; migration 0027).
    sa.Index("ix_event_topics_topic_event", "topic_id", "event_id"),
)


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        # Lists of upcoming events read in date order from here (their window bounded by
        # the longest an event lasts, services.upcoming_query), the window and status
        # tested in the index up to the page (migration 0031); counted from the next. The
        # month calendar reads its thousand events' times, zones and changes from it
        # alone, in order (services.month_grid; migration 0035).
        sa.Index(
            "ix_events_starts_at", "starts_at", "id", "ends_at", "status", "timezone", "updated_at"
        ),
        # With the id on PostgreSQL (SQLite's indexes hold the rowid, the id, anyway): a
        # list filtered by topic is counted from the two indexes alone (migration 0027).
        sa.Index(
            "ix_events_status_window", "status", "starts_at", "ends_at", postgresql_include=["id"]
        ),
        # A list filtered by kind, read and counted from the index (migration 0031).
        sa.Index(
            "ix_events_kind_window",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            postgresql_include=["id"],
        ),
        # Cache fingerprints (interacta.core.cache) read max(updated_at) from it.
        sa.Index("ix_events_updated_at", "updated_at"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Markdown; rendered with the |markdown filter (sanitised).
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: seminar | workshop | symposium | conference | course
    kind: Mapped[str] = mapped_column(sa.String(20))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: IANA zone the event takes place in; times are shown in it.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Brussels")
    #: in_person | online | hybrid
    format: Mapped[str] = mapped_column(sa.String(20), default="in_person")
    venue_name: Mapped[str | None] = mapped_column(sa.String(200))
    venue_address: Mapped[str | None] = mapped_column(sa.String(500))
    #: Shown only to confirmed participants and organizers.
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: None: unlimited seats.
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    #: all (guests too) | members
    audience: Mapped[str] = mapped_column(sa.String(10), default="all")
    #: draft | published | cancelled
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    organizer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    recording_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: The organizer's message to participants when the event was cancelled.
    cancel_message: Mapped[str | None] = mapped_column(sa.Text)
    #: iCalendar SEQUENCE: rises with each change published to a published event.
    sequence: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: The event this one was duplicated from (a series).
    series_parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL")
    )
    #: The language title, summary and description are written in (en, fr, de, sl);
    #: `translations` hold the other languages (interacta.core.content).
    language: Mapped[str] = mapped_column(sa.String(10), default="en", server_default="en")
    #: Rule of the room (interacta.events.room): on_record | chatham_house | off_record.
    room_rule: Mapped[str] = mapped_column(
        sa.String(20), default="on_record", server_default="on_record"
    )
    #: Who sees /events/<slug>/participants: hidden | participants (confirmed) | public;
    #: each participant chooses to appear on it (Registration.is_listed).
    participant_list: Mapped[str] = mapped_column(
        sa.String(12), default="hidden", server_default="hidden"
    )
    #: Sector balance: after this moment, seats reserved for sector groups and still
    #: unused open to everyone (interacta.events.balance). None: reserved until the end.
    reservations_release_at: Mapped[datetime | None]

    organizer: Mapped[Member | None] = relationship(lazy="select")
    topics: Mapped[list[Topic]] = relationship(
        secondary=event_topics, order_by=Topic.position, lazy="select"
    )
    sessions: Mapped[list[AgendaSession]] = relationship(
        back_populates="event",
        order_by="(AgendaSession.starts_at, AgendaSession.id)",
        cascade="all, delete-orphan",
        lazy="select",
    )
    #: Seats reserved per group of sectors (interacta.events.balance).
    sector_groups: Mapped[list[SectorGroup]] = relationship(
        back_populates="event",
        order_by="(SectorGroup.position, SectorGroup.id)",
        cascade="all, delete-orphan",
        lazy="select",
    )
    #: Loaded with every event (one query per batch), so lists stay at a fixed count.
    translations: Mapped[list[EventTranslation]] = relationship(
        back_populates="event",
        order_by="EventTranslation.language",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def format_label(self) -> str:
        return str(FORMATS.get(self.format, self.format))

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_past(self) -> bool:
        return self.ends_at <= utcnow()

    @property
    def has_place(self) -> bool:
        return self.format in ("in_person", "hybrid")

    @property
    def place(self) -> str:
        if self.format == "online":
            return _("Online")
        parts = [p for p in (self.venue_name, self.venue_address) if p]
        text = ", ".join(parts) or _("Venue to be announced")
        return _("%(place)s and online", place=text) if self.format == "hybrid" else text

    def __repr__(self) -> str:
        return f"<Event {self.slug} {self.status}>"


class EventTranslation(Base):
    """An event's title, summary and description in another language than its own."""

    __tablename__ = "event_translations"
    __table_args__ = (sa.UniqueConstraint("event_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: en | fr | de | sl, never the event's own language.
    language: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Markdown, rendered with the |markdown filter (sanitised) as the original.
    description: Mapped[str] = mapped_column(sa.Text, default="")

    event: Mapped[Event] = relationship(back_populates="translations", lazy="select")

    @property
    def cache_parent(self) -> Event | None:
        """A change to a translation is a change to the event (interacta.core.cache)."""
        return self.event


class AgendaSession(Base):
    """One item of an event's agenda (a talk, a panel, a break)."""

    __tablename__ = "agenda_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    speakers: Mapped[str] = mapped_column(sa.String(500), default="")
    room: Mapped[str] = mapped_column(sa.String(120), default="")
    #: The session's own rule of the room (interacta.events.room); None: the event's.
    room_rule: Mapped[str | None] = mapped_column(sa.String(20))
    #: Added without a time (an accepted contribution of a call for papers): it sits at the
    #: event's start, shown as "time to be announced", until the organizer schedules it.
    to_schedule: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    event: Mapped[Event] = relationship(back_populates="sessions", lazy="select")

    @property
    def cache_parent(self) -> Event | None:
        """A change to the agenda is a change to the event (interacta.core.cache)."""
        return self.event

    def __repr__(self) -> str:
        return f"<AgendaSession {self.id} {self.title!r}>"


class SectorGroup(Base):
    """Seats of an event reserved for registrants of some member sectors (e.g. military)."""

    __tablename__ = "event_sector_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    #: The organizer's name for the group ("civilian", "military").
    name: Mapped[str] = mapped_column(sa.String(80))
    #: The members.models.SECTORS values the group holds; a sector is in one group at most.
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    seats: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="sector_groups", lazy="select")

    @property
    def cache_parent(self) -> Event | None:
        """A change to the reservations is a change to the event (interacta.core.cache)."""
        return self.event


REGISTRATION_STATUSES = ("pending", "confirmed", "waiting", "cancelled")
#: What each status is called where a person reads it (lower case, as in a sentence).
REGISTRATION_STATUS_LABELS = {
    "pending": _l("pending"),
    "confirmed": _l("confirmed"),
    "waiting": _l("waiting"),
    "cancelled": _l("cancelled"),
}


class Decided(NamedTuple):
    """What a seat change decided for a registration: its status and, when waiting, its
    place on the waiting list (1 = next)."""

    status: str
    position: int | None


class Registration(TimestampMixin, Base):
    """One person's place at an event: a member's, or a guest's (no account).

    `active_key` holds the normalised email while the registration is active and NULL once
    it is cancelled or anonymised, so the unique constraint allows one active registration
    per person and event, and any number of cancelled ones.
    """

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "active_key"),
        sa.Index("ix_registrations_event_status", "event_id", "status"),
        # Cache fingerprints (interacta.core.cache) read max(updated_at) from it.
        sa.Index("ix_registrations_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    #: Lower-cased; None once anonymised.
    email: Mapped[str | None] = mapped_column(sa.String(320))
    active_key: Mapped[str | None] = mapped_column(sa.String(320))
    name: Mapped[str | None] = mapped_column(sa.String(120))
    affiliation: Mapped[str | None] = mapped_column(sa.String(200))
    #: en | fr | de | sl: a guest's mails follow the language of the page they registered on.
    language: Mapped[str] = mapped_column(sa.String(2), default="en", server_default="en")
    #: Accessibility or dietary needs.
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    #: pending (guest, not yet confirmed by mail) | confirmed | waiting | cancelled
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    #: Secret of the status page /events/registration/<token> (the manage link in mails).
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    confirmed_at: Mapped[datetime | None]
    #: Order of the waiting list: the earliest first.
    waiting_since: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    #: When the personal data was erased (guest purge or member erasure); counts remain.
    anonymised_at: Mapped[datetime | None]

    #: Not a column: the seat decision of the change that wrote this row (`Decided`), set
    #: under the seat lock, for the answer to the request that made it.
    decided = None
    #: The participant agreed to appear on the event's participant list (default: no).
    is_listed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: One of members.models.SECTORS' values: the member's sector when registering, or
    #: the one a guest gave.
    sector: Mapped[str | None] = mapped_column(sa.String(40))

    event: Mapped[Event] = relationship(lazy="select")
    member: Mapped[Member | None] = relationship(lazy="select")

    @property
    def is_guest(self) -> bool:
        return self.member_id is None

    @property
    def is_active(self) -> bool:
        return self.status in ("pending", "confirmed", "waiting")

    @property
    def status_label(self) -> str:
        """The status in the current language ("confirmed", "bestätigt")."""
        return str(REGISTRATION_STATUS_LABELS.get(self.status, self.status))

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} event={self.event_id}>"


class CalendarToken(Base):
    """The secret of a member's private calendar feed /events/my/<token>.ics."""

    __tablename__ = "calendar_tokens"

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionAttendance(Base):
    """Whether a confirmed participant was present at one agenda session, and who said so.

    One row per registration and session; undoing a check-in keeps the row (present False)
    so the list shows who changed it last.
    """

    __tablename__ = "session_attendances"
    __table_args__ = (sa.UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True
    )
    is_present: Mapped[bool] = mapped_column(default=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The organizer who marked it; None for an import by the CLI or a deleted account.
    marked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )

    registration: Mapped[Registration] = relationship(lazy="select")
    session: Mapped[AgendaSession] = relationship(lazy="select")
