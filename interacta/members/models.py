"""Member accounts, their areas of interest, and the audit log of account changes."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, TimestampMixin, Topic, utcnow
from interacta.members.countries import country_name
from interacta.members.passwords import fingerprint

ROLES = ("member", "organizer", "admin")
#: The roles' names, as people read them.
ROLE_LABELS = {"member": _l("Member"), "organizer": _l("Organizer"), "admin": _l("Admin")}

#: (value, label) of the sectors a member can belong to, in the order they are offered;
#: the labels are read in the language of the page.
SECTORS = (
    ("civil_society", _l("Civil society / NGO")),
    ("international_organisation", _l("International organisation")),
    ("government", _l("Government")),
    ("military", _l("Military")),
    ("academia", _l("Academia")),
    ("private_sector", _l("Private sector")),
    ("student", _l("Student")),
    ("other", _l("Other")),
)
SECTOR_LABELS = dict(SECTORS)

member_interests = sa.Table(
    "member_interests",
    Base.metadata,
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


#: The members the directory lists (ix_members_directory's condition, in each dialect's
#: rendering of services.directory_query's WHERE).
DIRECTORY_SQLITE = "show_in_directory IS 1 AND is_active IS 1 AND email_verified_at IS NOT NULL"
DIRECTORY_POSTGRESQL = (
    "show_in_directory IS true AND is_active IS true AND email_verified_at IS NOT NULL"
)


class Member(UserMixin, TimestampMixin, Base):
    __tablename__ = "members"
    __table_args__ = (
        # Cache fingerprints (interacta.core.cache) read max(updated_at) from it.
        sa.Index("ix_members_updated_at", "updated_at"),
        # The directory (services.directory_query) in its order, over the members it lists
        # alone: a page is read from here instead of sorting every listed member, and they
        # are counted from it, a name search included (the affiliation is in it too;
        # migration 0027). The conditions are written as the query writes them, so that
        # SQLite sees that they hold.
        sa.Index(
            "ix_members_directory",
            "name",
            "id",
            "affiliation",
            sqlite_where=sa.text(DIRECTORY_SQLITE),
            postgresql_where=sa.text(DIRECTORY_POSTGRESQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased; None once the account is erased.
    email: Mapped[str | None] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: member | organizer | admin
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    #: False for deactivated and erased accounts: they cannot sign in.
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    #: IANA zone the member sees times in.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Brussels")
    #: en | fr | de | sl: the member's pages after sign-in and every mail they get.
    language: Mapped[str] = mapped_column(sa.String(2), default="en", server_default="en")

    #: The organisation the member works for.
    affiliation: Mapped[str | None] = mapped_column(sa.String(200))
    #: The organisation's record, when the member picked one (interacta.network).
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    #: One of SECTORS' values.
    sector: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    #: ISO 3166-1 alpha-2 code.
    country: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    bio: Mapped[str | None] = mapped_column(sa.Text)
    #: 0000-0000-0000-000X, checksum validated.
    orcid: Mapped[str | None] = mapped_column(sa.String(19))
    #: Opt-in: listed in the member directory only when True.
    show_in_directory: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    #: Set when the member erased the account; the row stays, anonymised.
    erased_at: Mapped[datetime | None]
    #: Part of every session and remember cookie; a new value signs out every copy of them
    #: (rotated at sign-out and by "sign out everywhere else").
    session_token: Mapped[str | None] = mapped_column(sa.String(32))

    interests: Mapped[list[Topic]] = relationship(
        secondary=member_interests, order_by=Topic.position
    )

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and remember cookie.

        It carries a fingerprint of the password hash, so changing or resetting the
        password signs out every other session and remember-me cookie.
        """
        return f"{self.id}:{fingerprint(self.password_hash)}:{self.session_token or ''}"

    def rotate_session_token(self) -> None:
        """Make every existing session and remember cookie of this member useless."""
        self.session_token = secrets.token_hex(16)

    @property
    def is_organizer(self) -> bool:
        return self.role in ("organizer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sector_label(self) -> str:
        """The sector's name in the current language."""
        return str(SECTOR_LABELS.get(self.sector or "", ""))

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    @property
    def country_name(self) -> str:
        """The country's name in the current language."""
        return country_name(self.country)

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.role}>"


class AuditLog(Base):
    """Who changed what on which account, and when (role changes, deactivation, erasure)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The admin who made the change; None for the command line.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    target_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    #: e.g. "role", "deactivate", "reactivate", "create-admin", "erase"
    action: Mapped[str] = mapped_column(sa.String(40))
    #: Human-readable: "member -> organizer".
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    #: "web" or "cli"
    via: Mapped[str] = mapped_column(sa.String(10), default="web")

    actor: Mapped[Member | None] = relationship(foreign_keys=[actor_id])
    target: Mapped[Member | None] = relationship(foreign_keys=[target_id])

    def __repr__(self) -> str:
        return f"<AuditLog {self.id} {self.action}>"
