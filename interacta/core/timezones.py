"""Time zones: everything is stored in UTC and shown in an IANA zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import lru_cache


@lru_cache(maxsize=1)
def all_timezones() -> list[str]:
    """Every IANA zone name we offer, sorted (from tzdata, so the same on every machine)."""
    names = {n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"}
    return sorted(n for n in names if not n.startswith(("Etc/", "SystemV/", "posix/", "right/")))


def is_valid_timezone(name: str | None) -> bool:
    return bool(name) and name in set(all_timezones())


def to_zone(moment: datetime, zone: str) -> datetime:
    """`moment` (aware) expressed in `zone`."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def localize(naive: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` as an aware datetime (the first of two in a DST fold)."""
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0)


def format_local(moment: datetime, zone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    local = to_zone(moment, zone)
    return f"{local.strftime(fmt)} {local.tzname()}"
