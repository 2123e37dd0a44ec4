"""Time zones: everything is stored in UTC and shown in an IANA zone, formatted by Babel
for the language of the page or mail being made."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from functools import lru_cache

from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    get_datetime_format,
)
from babel.numbers import format_decimal

from interacta.core.i18n import current_locale, locale_name


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


def _locale():
    try:
        return current_locale() or "en_GB"
    except RuntimeError:  # no app context (a script): British English
        return "en_GB"


def _locale_name() -> str:
    """The current locale's name ('fr_FR'), the memo key of the formats below."""
    try:
        return locale_name() or "en_GB"
    except RuntimeError:  # no app context (a script): British English
        return "en_GB"


#: Date skeletons per style; Babel picks each language's own order and words.
_DATE_SKELETONS = {
    "shortdatetime": "yMMMd",
    "date": "yMMMd",
    "month": "yMMMM",
    "daymonth": "MMMMd",
}


def zone_abbreviation(local: datetime, locale=None) -> str:
    """The zone's short name in the language (MEZ, CET, UTC), from Babel; where the
    language has no short one (Babel answers with an offset or a long name), the zone's
    own (CET, EST)."""
    name = format_datetime(local, "z", tzinfo=local.tzinfo, locale=locale or _locale())
    if name[:1] in "+-" or " " in name or name.startswith(("GMT+", "GMT-", "UTC+", "UTC-")):
        own = local.tzname() or ""
        if own.isalpha():
            return own
    return name


def format_local(moment: datetime | None, zone: str, style: str = "datetime") -> str:
    """`moment` in `zone`, written for the current language.

    Styles: "datetime" (Tuesday, 1 December 2026, 09:30 CET), "shortdatetime" (1 Dec 2026,
    09:30), "date" (1 Dec 2026), "longdate", "month", "daymonth", "time" (09:30 CET),
    "clock" (09:30). A legacy strftime pattern is mapped to the nearest style.
    """
    if moment is None:
        return ""
    if style.startswith("%"):
        has_time, has_day = "%H" in style, "%d" in style
        style = "datetime" if has_time and has_day else "time" if has_time else "date"
    return _format_local(moment, zone, style, _locale_name())


#: Formatted moments, per process: the same event's times appear on its page, in lists, the
#: calendar and the home page, and Babel's formatting is the costliest part of a list page
#: built on a cache miss. A pure function of its arguments, so never stale; bounded.
FORMAT_MEMO_SIZE = 8192


@lru_cache(maxsize=FORMAT_MEMO_SIZE)
def _format_local(moment: datetime, zone: str, style: str, locale: str) -> str:
    local = to_zone(moment, zone)
    if style == "clock":
        return format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    if style == "time":
        clock = format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
        return f"{clock} {zone_abbreviation(local, locale)}"
    if style in ("datetime", "longdate"):  # the day in full: "Dienstag, 1. Dezember 2026"
        day = format_date(local, "full", locale=locale)
    else:
        day = format_skeleton(_DATE_SKELETONS[style], local, tzinfo=local.tzinfo, locale=locale)
    if style in ("date", "longdate", "month", "daymonth"):
        return day
    clock = format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    combined = get_datetime_format("medium", locale=locale).replace("{1}", day, 1)
    combined = combined.replace("{0}", clock, 1).replace("'", "")
    if style == "datetime":
        return f"{combined} {zone_abbreviation(local, locale)}"
    return combined


def format_day(value: date | datetime, style: str = "date") -> str:
    """A calendar day (no zone involved) written for the current language."""
    return _format_day(value, style, _locale_name())


@lru_cache(maxsize=FORMAT_MEMO_SIZE)
def _format_day(value: date | datetime, style: str, locale: str) -> str:
    skeleton = {"date": "yMMMd", "month": "yMMMM", "weekday": "EEEE"}
    if style == "weekday":
        return format_date(value, "EEEE", locale=locale)
    if style == "longdate":
        return format_date(value, "full", locale=locale)
    return format_skeleton(skeleton[style], value, locale=locale)


def format_count(number: int | float) -> str:
    """A number written for the current language (1,234 / 1 234 / 1.234): Flask-Babel's
    `numberformat`, memoised like the moments above (list pages write dozens of counts)."""
    return _format_count(number, _locale_name())


@lru_cache(maxsize=FORMAT_MEMO_SIZE)
def _format_count(number: int | float, locale: str) -> str:
    return format_decimal(number, locale=locale)
