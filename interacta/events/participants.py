"""Who sees an event's participant list, and who appears on it.

The event decides who may see the list (`Event.participant_list`: hidden, confirmed
participants, or public); each participant decides whether they appear
(`Registration.is_listed`, default no). The list shows name, organisation and sector only.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from interacta.events import services
from interacta.events.models import Event, Registration
from interacta.extensions import db
from interacta.members.models import SECTOR_LABELS

HIDDEN, PARTICIPANTS, PUBLIC = "hidden", "participants", "public"
#: Sectors whose members are told why they are not listed unless they choose to be.
PROTECTED_SECTORS = frozenset({"military"})


@dataclass(frozen=True)
class Row:
    name: str
    organisation: str
    sector: str


def is_participant(event: Event, member) -> bool:
    """The member holds a confirmed registration for the event."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(Registration.id).where(
                Registration.event_id == event.id,
                Registration.member_id == member.id,
                Registration.status == "confirmed",
            )
        )
        is not None
    )


def can_see(event: Event, member) -> bool:
    """Whether `member` (None: a visitor) may see the event's participant list."""
    if event.status == "draft":
        return False
    if services.can_manage(member, event):
        return True
    if event.participant_list == PUBLIC:
        return True
    if event.participant_list == PARTICIPANTS:
        return is_participant(event, member)
    return False


def rows(event: Event) -> list[Row]:
    """The confirmed participants who agreed to appear, by name: two queries whatever
    their number (registrations, then their members)."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == "confirmed",
            Registration.is_listed.is_(True),
            Registration.anonymised_at.is_(None),
        )
        .options(selectinload(Registration.member))
        .order_by(Registration.name, Registration.id)
    )
    out = []
    for r in registrations:
        member = r.member
        organisation = r.affiliation or (member.affiliation if member is not None else None)
        sector = r.sector or (member.sector if member is not None else None)
        out.append(
            Row(
                name=r.name or "",
                organisation=organisation or "",
                sector=str(SECTOR_LABELS.get(sector or "", "")),
            )
        )
    return out


def set_listed(registration: Registration, listed: bool) -> None:
    """The participant's choice to appear on the participant list (or not)."""
    registration.is_listed = bool(listed)
    db.session.flush()


def is_protected(sector: str | None) -> bool:
    """Members of this sector are told that they stay off the list unless they choose."""
    return sector in PROTECTED_SECTORS
