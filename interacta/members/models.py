"""Member accounts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from interacta.core.models import Base, TimestampMixin

ROLES = ("member", "organizer", "admin")


class Member(UserMixin, TimestampMixin, Base):
    __tablename__ = "members"

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

    @property
    def is_organizer(self) -> bool:
        return self.role in ("organizer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.role}>"
