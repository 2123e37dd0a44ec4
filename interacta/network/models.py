"""Organisations: partners of the network and the bodies members, authors and events
name. Their name may be given in several languages, like an event's title."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, TimestampMixin

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
