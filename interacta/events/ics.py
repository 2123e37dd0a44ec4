"""iCalendar (RFC 5545) files of events, built with the icalendar library."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from interacta.core.cache import cached_texts
from interacta.core.content import translated
from interacta.core.i18n import current_language
from interacta.core.models import utcnow
from interacta.core.registry import answers
from interacta.core.urls import external_url
from interacta.events import room
from interacta.events.models import Event
from interacta.extensions import db

PRODID = "-//Interacta//Events//EN"


def event_uid(event: Event) -> str:
    """Stable for the life of the event, whatever changes (title, slug, time)."""
    host = urlsplit(current_app.config["SERVER_BASE_URL"]).hostname or "interacta.example"
    return f"event-{event.id}@{host}"


def vevent(event: Event, with_online_link: bool = False, url: str | None = None) -> icalendar.Event:
    tz = ZoneInfo(event.timezone)
    item = icalendar.Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", utcnow())
    item.add("sequence", event.sequence)
    item.add("dtstart", event.starts_at.astimezone(tz))
    item.add("dtend", event.ends_at.astimezone(tz))
    # Title and summary in the feed's language when the event has that version.
    title = translated(event, "title").text
    if event.is_cancelled:
        title = _("%(title)s (cancelled)", title=title)
    item.add("summary", title)
    url = url or external_url("events.detail", slug=event.slug)
    description = translated(event, "summary").text
    if with_online_link and event.online_url:
        description += "\n\n" + _("Join online: %(url)s", url=event.online_url)
    rule = room.effective(event)
    description += "\n\n" + _(
        "Rule of the room: %(label)s. %(explanation)s",
        label=rule.label,
        explanation=rule.explanation,
    )
    for note in answers("event_calendar_notes", event):  # co-organisers (interacta.network)
        description += "\n\n" + note
    item.add("description", f"{description}\n\n{url}".strip())
    item.add("url", url)
    item.add("location", event.place)
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if event.updated_at:
        item.add("last-modified", event.updated_at)
    item.add("categories", [str(event.kind_label)])
    return item


def calendar_bytes(events: list[Event], name: str | None = None, **kwargs) -> bytes:
    """A VCALENDAR with one VEVENT per event and a VTIMEZONE for each zone used."""
    if not (kwargs.get("with_online_link") and any(e.online_url for e in events)):
        return feed_bytes(events, name)  # the same text, from the cache (a mail's file)
    cal = _calendar(events, name)
    for event in events:
        cal.add_component(vevent(event, **kwargs))
    return cal.to_ical()


def feed_bytes(events: list, name: str | None = None, in_table: bool = False) -> bytes:
    """The public feed (and one event's file, a member's own feed): like calendar_bytes
    (no online links), but made by joining texts. Each event's VEVENT text is kept until
    the event changes (`cached_texts`: bounded in bytes per process, or in Redis, so a
    feed of 20,000 events fits; with `in_table`, for a view answering a GET, in the
    `kept_texts` table too, where every process finds it) and each zone's VTIMEZONE text
    per process, so a feed is rebuilt from text, not re-serialised. The text is in the
    current language (its words and its links), so the cache keeps one per language.

    `events`: Event objects, or rows with their id, updated_at, sequence, timezone and
    starts_at (`FEED_COLUMNS`): then only the events whose text is not cached are loaded,
    so a feed's cost grows with its events, and slowly."""
    base, language = current_app.config["SERVER_BASE_URL"], current_language()
    items = [
        ((event.id, base, language), f"{event.updated_at.isoformat()}|{event.sequence}", event)
        for event in events
    ]
    body = b"".join(cached_texts("vevent", items, _vevent_texts, in_table=in_table))
    return _head(name) + b"".join(_vtimezone_text(z, y) for z, y in _zones(events)) + body + END


#: What `feed_bytes` needs of each event to find its text in the cache.
FEED_COLUMNS = (Event.id, Event.updated_at, Event.sequence, Event.timezone, Event.starts_at)


def _vevent_texts(events: list) -> list[bytes]:
    """VEVENT texts of events or of their FEED_COLUMNS rows (loaded here, 500 a query).

    The events loaded here are let go after each 500 (expunged from the session), so a
    first build of a feed of 12,000 events holds 500 at a time, not every one of them
    until the request ends (which grew each worker by some 60 MB, for good)."""
    # One event page's address built the slow way (a request context), the others from it.
    marker = "event-slug-marker"
    template = external_url("events.detail", slug=marker)
    texts = []
    for start in range(0, len(events), CHUNK):
        chunk = events[start : start + CHUNK]
        wanted = [e.id for e in chunk if not isinstance(e, Event)]
        held = {
            obj.id for obj in db.session.identity_map.values() if isinstance(obj, Event)
        } if wanted else set()  # fmt: skip
        loaded = {}
        if wanted:
            loaded = {
                e.id: e for e in db.session.scalars(sa.select(Event).where(Event.id.in_(wanted)))
            }
        # What other parts add to each entry (co-organisers), read for the chunk at once.
        answers("event_calendar_prefetch", [item.id for item in chunk])
        for item in chunk:
            event = item if isinstance(item, Event) else loaded[item.id]
            url = template.replace(marker, event.slug) if quote(event.slug) == event.slug else None
            texts.append(vevent(event, url=url).to_ical())
        for event_id, event in loaded.items():
            if event_id not in held:
                db.session.expunge(event)
    return texts


#: Events loaded (and let go) at a time when a feed's texts are built.
CHUNK = 500


END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=64)
def _head(name: str | None) -> bytes:
    """The VCALENDAR's properties, up to its first component (memoised per process: the
    same for every feed of that name)."""
    cal = icalendar.Calendar()
    _properties(cal, name)
    text = cal.to_ical()
    if not text.endswith(END):  # pragma: no cover - icalendar always ends so
        raise ValueError("unexpected calendar text")
    return text[: -len(END)]


@functools.lru_cache(maxsize=256)
def _vtimezone_text(zone: str, year: int) -> bytes:
    """One zone's VTIMEZONE as text, memoised per process (zone rules change only with a
    release of tzdata, which comes with a restart)."""
    return vtimezone(zone, year).to_ical()


def _zones(events: list[Event]) -> list[tuple[str, int]]:
    """The zones the events use (but UTC), each with the earliest year it is needed from."""
    years: dict[str, int] = {}
    for event in events:
        years[event.timezone] = min(years.get(event.timezone, 9999), event.starts_at.year)
    # Zone rules exist from 1900 or so; datetime stops at 9999.
    return [(zone, min(max(year, 1902), 9998)) for zone, year in sorted(years.items())
            if zone != "UTC"]  # fmt: skip


def _properties(cal: icalendar.Calendar, name: str | None) -> None:
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)


def _calendar(events: list[Event], name: str | None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    _properties(cal, name)
    for zone, year in _zones(events):
        cal.add_component(vtimezone(zone, year))
    return cal


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _offset(tz: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(tz).utcoffset()


def _transitions(tz: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in `year` at which the zone's offset changes (to the minute)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    while moment < end:
        nxt = moment + step
        if _offset(tz, moment) != _offset(tz, nxt):
            lo, hi = moment, nxt  # the offset changes in (lo, hi]
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                lo, hi = (lo, mid) if _offset(tz, lo) != _offset(tz, mid) else (mid, hi)
            found.append(hi)
        moment = nxt
    return found


@functools.lru_cache(maxsize=1024)
def _zone_rules(zone: str, year: int) -> tuple:
    """The zone's changes as (dtstart, offset from, offset to, name, is_dst, rrule) per
    change in the year before `year`, or a single fixed offset; memoised per (zone, year),
    as scanning a year hour by hour is what costs."""
    tz = ZoneInfo(zone)
    transitions = _transitions(tz, year - 1)
    if not transitions:
        moment = datetime(year, 1, 1, tzinfo=UTC)
        offset = _offset(tz, moment)
        return ((datetime(1970, 1, 1), offset, offset, moment.astimezone(tz).tzname(), False,
                 None),)  # fmt: skip
    rules = []
    for instant in transitions:
        before = instant - timedelta(minutes=1)
        old, new = _offset(tz, before), _offset(tz, instant)
        local_after = instant.astimezone(tz)
        # DTSTART is the wall-clock time of the change, read in the offset before it.
        start = (instant + old).replace(tzinfo=None)
        week = (start.day - 1) // 7 + 1
        month_days = (
            (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        ).day
        nth = -1 if start.day + 7 > month_days else week
        rrule = (start.month, f"{nth}{_DAYS[start.weekday()]}")
        rules.append((start, old, new, local_after.tzname(), bool(local_after.dst()), rrule))
    return tuple(rules)


def vtimezone(zone: str, year: int) -> icalendar.Timezone:
    """A VTIMEZONE with yearly RRULEs from the zone's rules in force in `year`.

    Yearly rules (rather than icalendar's list of RDATEs) are what calendar programs
    expect and read most reliably.
    """
    component = icalendar.Timezone()
    component.add("tzid", zone)
    for start, old, new, name, is_dst, rrule in _zone_rules(zone, year):
        sub = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
        sub.add("dtstart", start)
        sub.add("tzoffsetfrom", old)
        sub.add("tzoffsetto", new)
        sub.add("tzname", name)
        if rrule is not None:
            sub.add("rrule", {"freq": "yearly", "bymonth": rrule[0], "byday": rrule[1]})
        component.add_component(sub)
    return component
