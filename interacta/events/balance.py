"""Sector balance: seats reserved per group of member sectors, released at a date.

An event with a capacity may reserve seats for groups of sectors ("civilian 12, military
12"); the rest of the capacity is open to everyone. Until the release date a registrant
takes a seat of their group while it has one, else an open seat, else waits; after it,
any free seat. Every decision is taken inside `registrations.seat_change` (the caller
holds the lock), from counts read under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from interacta.core.models import utcnow
from interacta.events.errors import EventError
from interacta.events.models import Event, Registration, SectorGroup
from interacta.extensions import db
from interacta.members.models import SECTOR_LABELS

#: The key of seats open to everyone in `Counts` and `seats_left`.
OPEN = None


class InvalidReservations(EventError):
    """Reservations that do not fit the event (message says why)."""


@dataclass
class GroupInput:
    name: str
    sectors: list[str]
    seats: int


@dataclass
class GroupState:
    name: str
    seats: int
    confirmed: int

    @property
    def left(self) -> int:
        return max(0, self.seats - self.confirmed)


def has_reservations(event: Event) -> bool:
    return event.capacity is not None and bool(event.sector_groups)


def is_released(event: Event, now: datetime | None = None) -> bool:
    """Reserved seats are open to everyone (or there are none)."""
    if not has_reservations(event):
        return True
    release = event.reservations_release_at
    return release is not None and (now or utcnow()) >= release


def group_index(event: Event, sector: str | None) -> int | None:
    """The position in `event.sector_groups` of the group holding `sector`; None: open."""
    for i, group in enumerate(event.sector_groups):
        if sector and sector in (group.sectors or []):
            return i
    return OPEN


def confirmed_counts(event: Event) -> dict[int | None, int]:
    """Confirmed registrations per group index (None: in no group), in one query."""
    rows = db.session.execute(
        sa.select(Registration.sector, sa.func.count())
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .group_by(Registration.sector)
    )
    counts: dict[int | None, int] = {}
    for sector, n in rows:
        key = group_index(event, sector)
        counts[key] = counts.get(key, 0) + n
    return counts


def _open_free(event: Event, counts: dict[int | None, int]) -> int:
    """Open seats still free: the capacity not reserved, less what overflowed into it."""
    groups = event.sector_groups
    reserved = sum(g.seats for g in groups)
    overflow = counts.get(OPEN, 0) + sum(
        max(0, counts.get(i, 0) - g.seats) for i, g in enumerate(groups)
    )
    return event.capacity - reserved - overflow


def fits(event: Event, counts: dict[int | None, int], sector: str | None, now=None) -> bool:
    """Whether a registrant of `sector` may take a seat now, given the confirmed `counts`."""
    if event.capacity is None:
        return True
    if sum(counts.values()) >= event.capacity:
        return False
    if is_released(event, now):
        return True
    index = group_index(event, sector)
    if index is not OPEN and counts.get(index, 0) < event.sector_groups[index].seats:
        return True
    return _open_free(event, counts) > 0


def add(event: Event, counts: dict[int | None, int], sector: str | None) -> None:
    key = group_index(event, sector)
    counts[key] = counts.get(key, 0) + 1


def group_sectors(event: Event, index: int) -> list[str]:
    return list(event.sector_groups[index].sectors or [])


def free_group_seats(event: Event, counts: dict[int | None, int]) -> list[tuple[int, int]]:
    """(group index, seats of the group still free), for groups with free seats."""
    return [
        (i, g.seats - counts.get(i, 0))
        for i, g in enumerate(event.sector_groups)
        if counts.get(i, 0) < g.seats
    ]


def states(event: Event, counts: dict[int | None, int] | None = None) -> list[GroupState]:
    """Target and confirmed per group, then the open seats (name ""): what the event page
    and the organizer's chart show."""
    counts = confirmed_counts(event) if counts is None else counts
    out = [
        GroupState(g.name, g.seats, min(counts.get(i, 0), g.seats))
        for i, g in enumerate(event.sector_groups)
    ]
    reserved = sum(g.seats for g in event.sector_groups)
    open_seats = (event.capacity or 0) - reserved
    out.append(GroupState("", open_seats, open_seats - max(0, _open_free(event, counts))))
    return out


def group_name(event: Event, sector: str | None) -> str:
    """The name of the group holding `sector`; "" if none."""
    index = group_index(event, sector)
    return "" if index is OPEN else event.sector_groups[index].name


def public_states(event: Event) -> list[GroupState] | None:
    """Seats left per group for the event page; None without reservations in force."""
    if not has_reservations(event) or is_released(event):
        return None
    return states(event)


def sector_names(sectors) -> str:
    return ", ".join(str(SECTOR_LABELS.get(s, s)) for s in sectors or [])


def validate(event: Event, groups: list[GroupInput], release_at: datetime | None) -> str | None:
    """Why these reservations cannot be set; None when they can."""
    if not groups:
        return None
    if event.capacity is None:
        return _("Set a capacity before reserving seats per sector.")
    seen: set[str] = set()
    for group in groups:
        if not group.name.strip() or not group.sectors or group.seats < 1:
            return _("Each group needs a name, at least one sector and at least one seat.")
        unknown = [s for s in group.sectors if s not in SECTOR_LABELS]
        if unknown:
            return _("Choose sectors from the list.")
        if seen & set(group.sectors):
            return _("A sector can belong to one group only.")
        seen |= set(group.sectors)
    if sum(g.seats for g in groups) > event.capacity:
        return _("The reserved seats exceed the capacity of %(capacity)s.", capacity=event.capacity)
    if release_at is not None and release_at >= event.starts_at:
        return _("Release unused reserved seats before the event starts.")
    return None


def set_reservations(event: Event, groups: list[GroupInput], release_at: datetime | None) -> None:
    """Replace the event's groups (the caller holds its seat lock and promotes after)."""
    message = validate(event, groups, release_at)
    if message:
        raise InvalidReservations(message, field="groups")
    event.sector_groups.clear()
    db.session.flush()
    for position, group in enumerate(groups):
        event.sector_groups.append(
            SectorGroup(
                name=group.name.strip(),
                sectors=list(group.sectors),
                seats=group.seats,
                position=position,
            )
        )
    event.reservations_release_at = release_at if groups else None
    db.session.flush()
