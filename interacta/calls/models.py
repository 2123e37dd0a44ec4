"""A call for papers of an event and its review criteria."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interacta.core.models import Base, TimestampMixin, utcnow
from interacta.events.models import Event

#: Labels are lazy: each is written in the language of the page that shows it.
CONTRIBUTION_TYPES = {
    "paper": _l("Paper"),
    "talk": _l("Talk"),
    "poster": _l("Poster"),
    "panel": _l("Panel"),
}
BLIND_MODES = {
    "single": _l("Single-blind (reviewers see the authors)"),
    "double": _l("Double-blind (reviewers and authors do not see each other)"),
}


class Call(TimestampMixin, Base):
    """An event's call for contributions; one per event."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    #: Markdown; rendered with the |markdown filter (sanitised).
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    #: The contribution types accepted, comma-separated keys of CONTRIBUTION_TYPES.
    types: Mapped[str] = mapped_column(sa.String(100), default="paper")
    #: Tracks or topics, one per line; may be empty.
    tracks: Mapped[str] = mapped_column(sa.Text, default="")
    abstract_word_limit: Mapped[int] = mapped_column(default=300)
    pdf_required: Mapped[bool] = mapped_column(default=False)
    #: UTC; entered and shown in the event's time zone. Submissions close at this minute.
    deadline_at: Mapped[datetime]
    #: single | double
    blind_mode: Mapped[str] = mapped_column(sa.String(10), default="double")
    reviews_per_submission: Mapped[int] = mapped_column(default=2)
    decision_on: Mapped[date | None]

    event: Mapped[Event] = relationship(lazy="joined")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call",
        order_by="Criterion.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def type_keys(self) -> list[str]:
        return [t for t in self.types.split(",") if t]

    @property
    def type_labels(self) -> list[str]:
        return [str(CONTRIBUTION_TYPES.get(t, t)) for t in self.type_keys]

    @property
    def track_list(self) -> list[str]:
        return [t.strip() for t in self.tracks.splitlines() if t.strip()]

    @property
    def blind_label(self) -> str:
        return str(BLIND_MODES.get(self.blind_mode, self.blind_mode))

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) < self.deadline_at

    def __repr__(self) -> str:
        return f"<Call {self.id} event={self.event_id}>"


class Criterion(Base):
    """A review criterion: scored 1-5, weighted in the submission's mean."""

    __tablename__ = "call_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    weight: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[Call] = relationship(back_populates="criteria", lazy="select")

    @property
    def cache_parent(self) -> Call | None:
        """A change to a criterion is a change to its call (interacta.core.cache)."""
        return self.call
