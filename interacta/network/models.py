"""Organisations (partners of the network and the bodies members, authors and events name;
their name may be given in several languages, like an event's title) and the topic
subscriptions whose digests tell members and guests what is new."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, TimestampMixin, Topic

#: Labels are lazy: each is written in the language of the page that shows it.
KINDS = {
    "nato_body": _l("NATO body"),
    "coe": _l("Centre of excellence"),
    "international": _l("International organisation"),
    "government": _l("Government"),
    "armed_forces": _l("Armed forces"),
    "ngo": _l("NGO"),
    "university": _l("University"),
    "company": _l("Company"),
}

#: The co-organisers an event names (the event's own organizer is a member).
event_organisations = sa.Table(
    "event_organisations",
    Base.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    # Cache fingerprints (interacta.core.cache) read max(updated_at) from it.
    __table_args__ = (sa.Index("ix_organisations_updated_at", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: The name in `language`; other languages in `translations`.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: en | fr | de | sl: the language `name` is written in.
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    short_name: Mapped[str | None] = mapped_column(sa.String(40))
    #: One of KINDS' keys.
    kind: Mapped[str] = mapped_column(sa.String(20), default="international")
    #: ISO 3166-1 alpha-2 code (headquarters).
    country: Mapped[str | None] = mapped_column(sa.String(2))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    #: Markdown; rendered with the |markdown filter (sanitised).
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The logo as we serve it: a sanitised SVG or a re-encoded PNG (interacta.network.logos).
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: image/svg+xml | image/png | image/jpeg
    logo_type: Mapped[str | None] = mapped_column(sa.String(40))
    is_partner: Mapped[bool] = mapped_column(default=False)
    partner_since: Mapped[date | None]
    #: False for one a member typed in, until an admin confirms or merges it.
    is_confirmed: Mapped[bool] = mapped_column(default=True)

    translations: Mapped[list[OrganisationTranslation]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="OrganisationTranslation.language",
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug!r}>"


class OrganisationTranslation(Base):
    """An organisation's name in another language than its own."""

    __tablename__ = "organisation_translations"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    language: Mapped[str] = mapped_column(sa.String(10))
    name: Mapped[str] = mapped_column(sa.String(200), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="translations")

    @property
    def cache_parent(self) -> Organisation | None:
        """A change to a translation is a change to the organisation (interacta.core.cache)."""
        return self.organisation


# -- digests by topic -------------------------------------------------------------------------

#: How often a digest goes out; "off" sends none (a member's default).
FREQUENCIES = {
    "weekly": _l("Weekly (Monday, 08:00 your time)"),
    "monthly": _l("Monthly (the 1st, 08:00 your time)"),
    "off": _l("Off"),
}

subscription_topics = sa.Table(
    "subscription_topics",
    Base.metadata,
    sa.Column(
        "subscription_id", sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Subscription(TimestampMixin, Base):
    """What a member or a guest wants to hear about, and how often.

    A member's row has `member_id` (their address, language and zone are the account's);
    a guest's has `email`, `language` and `timezone` of its own and exists only once the
    guest confirmed the address (double opt-in: the choices travel in the signed link)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    #: A guest's address (lower-cased); None for a member's subscription.
    email: Mapped[str | None] = mapped_column(sa.String(320), unique=True)
    #: A guest's language (the page they subscribed on) and zone; a member's are the account's.
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Brussels")
    #: weekly | monthly | off
    frequency: Mapped[str] = mapped_column(sa.String(10), default="off")
    #: Kinds of events (interacta.events.models.KINDS) and of publications
    #: (interacta.publications.models.KINDS) the subscriber wants.
    event_kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    publication_kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Since when the subscription is on: the first digest lists what came after it.
    started_at: Mapped[datetime | None]
    #: Random; part of the unsubscribe link, so a link dies with the row it was made for.
    key: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(16))

    #: None chosen: every topic.
    topics: Mapped[list[Topic]] = relationship(
        secondary=subscription_topics, order_by=Topic.position
    )

    @property
    def is_on(self) -> bool:
        return self.frequency in ("weekly", "monthly")

    def __repr__(self) -> str:
        who = f"member={self.member_id}" if self.member_id else "guest"
        return f"<Subscription {self.id} {who} {self.frequency}>"


class DigestSend(Base):
    """A digest sent to a subscriber for one period. The (subscription, period) pair is
    unique and the row is written in the transaction that queues the mail: a second send
    for the same period, by another worker or a second run, fails on the constraint."""

    __tablename__ = "digest_sends"
    __table_args__ = (
        sa.UniqueConstraint(
            "subscription_id", "period", name="uq_digest_sends_subscription_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    #: "week:2026-11-30" (the Monday, subscriber's calendar) or "month:2026-12".
    period: Mapped[str] = mapped_column(sa.String(20))
    #: What the digest covered: published after `since`, up to `until` (its send time).
    since: Mapped[datetime]
    until: Mapped[datetime]
    events: Mapped[int] = mapped_column(default=0)
    publications: Mapped[int] = mapped_column(default=0)
