"""The rules of events: who may manage them, what publishing and cancelling do, queries.

Services take plain values, flush, and raise domain errors; views commit once.
"""

from __future__ import annotations

import calendar
import functools
import json
import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_skeleton, format_time, get_datetime_format
from flask import current_app, has_app_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import replacement_traverse

from interacta.core import content
from interacta.core.cache import (
    cached,
    cached_recent,
    cached_until,
    fingerprint,
    keep,
    kept,
)
from interacta.core.deferred import Deferred, DeferredPagination, deferred, paginate_deferred
from interacta.core.models import Topic, utcnow
from interacta.core.text import free_slug, slugify
from interacta.events import notifications, registrations, room, search
from interacta.events.errors import EventError, InvalidAgenda, InvalidEvent, NotAllowed
from interacta.events.models import (
    AUDIENCES,
    FORMATS,
    KINDS,
    PARTICIPANT_LISTS,
    AgendaSession,
    Event,
    EventTranslation,
    Registration,
    SectorGroup,
    event_topics,
)
from interacta.extensions import db

logger = logging.getLogger(__name__)

#: Fields whose change, once published, is a change of time or place that registrants hear of.
TIME_PLACE_FIELDS = ("starts_at", "ends_at", "timezone", "format", "venue_name", "venue_address")
#: Fields an organizer sets on an event.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "timezone",
    "format",
    "venue_name",
    "venue_address",
    "online_url",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "audience",
    "recording_url",
    "language",
    "room_rule",
    "participant_list",
)
#: The fields an event carries in other languages (`Event.translations`).
TRANSLATED_FIELDS = ("title", "summary", "description")


__all__ = ["EventError", "InvalidAgenda", "InvalidEvent", "NotAllowed"]


# --- time -------------------------------------------------------------------------------


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change."""


def local_to_utc(naive: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` as UTC; in a DST fold the first (summer-time) reading."""
    tz = ZoneInfo(zone)
    aware = naive.replace(tzinfo=tz, fold=0)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) != naive:
        locale = get_locale() or "en_GB"
        written = (
            get_datetime_format("medium", locale=locale)
            .replace("{1}", format_skeleton("yMMMd", naive, locale=locale))
            .replace("{0}", format_time(naive, "short", locale=locale))
            .replace("'", "")
        )
        raise NonexistentLocalTime(
            _(
                "%(moment)s does not exist in %(zone)s: the clocks change that night.",
                moment=written,
                zone=zone,
            )
        )
    return as_utc


def utc_to_local_naive(moment: datetime | None, zone: str) -> datetime | None:
    """The wall-clock reading of `moment` in `zone` (for a datetime-local input)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def local_day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which `day` starts and ends in `zone` (23 or 25 hours at DST)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


# --- access ------------------------------------------------------------------------------


def can_manage(member, event: Event | None = None) -> bool:
    """Organizers manage their own events; admins manage all."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    if not member.is_organizer:
        return False
    if event is None or member.is_admin:
        return True
    return event.organizer_id == member.id


def is_visible(event: Event, member=None) -> bool:
    """Published and cancelled events are public; drafts only to those who manage them."""
    return event.status != "draft" or can_manage(member, event)


# --- slugs -------------------------------------------------------------------------------


def unique_slug(title: str, starts_at: datetime, zone: str, exclude_id: int | None = None) -> str:
    """`<title>-<yyyy-mm-dd>` (the local date), with -2, -3 ... if already taken."""
    local = starts_at.astimezone(ZoneInfo(zone))
    base = f"{slugify(title, fallback='event')}-{local:%Y-%m-%d}"
    taken_query = sa.select(Event.slug).where(
        sa.or_(Event.slug == base, Event.slug.like(f"{base}-%"))
    )
    if exclude_id is not None:
        taken_query = taken_query.where(Event.id != exclude_id)
    taken = set(db.session.scalars(taken_query))
    return free_slug(base, taken)


# --- validation --------------------------------------------------------------------------


#: The longest an event may last unless config's EVENT_MAX_DAYS says otherwise.
DEFAULT_MAX_DAYS = 60


def max_event_days() -> int:
    """How many days an event may last (config EVENT_MAX_DAYS)."""
    if not has_app_context():
        return DEFAULT_MAX_DAYS
    return current_app.config.get("EVENT_MAX_DAYS", DEFAULT_MAX_DAYS)


def validate_event_values(values: dict) -> dict[str, str]:
    """Errors by field name for rules that span fields (forms check one field at a time)."""
    errors: dict[str, str] = {}
    if values.get("kind") not in KINDS:
        errors["kind"] = _("Choose a kind of event.")
    if values.get("format") not in FORMATS:
        errors["format"] = _("Choose a format.")
    if values.get("audience") not in AUDIENCES:
        errors["audience"] = _("Choose who may attend.")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    max_days = max_event_days()
    if starts and ends and ends <= starts:
        errors["ends_at"] = _("The event must end after it starts.")
    elif starts and ends and ends - starts > timedelta(days=max_days):
        errors["ends_at"] = ngettext(
            "An event can last at most %(num)d day: split a longer one into a series.",
            "An event can last at most %(num)d days: split a longer one into a series.",
            max_days,
        )
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if closes and ends and closes > ends:
        errors["registration_closes_at"] = _("Registration must close before the event ends.")
    if values.get("format") in ("in_person", "hybrid") and not values.get("venue_name"):
        errors["venue_name"] = _("Give the venue of an event held in person.")
    if values.get("format") in ("online", "hybrid") and not values.get("online_url"):
        errors["online_url"] = _("Give the link of an online event.")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        errors["capacity"] = _("Capacity must be at least 1, or empty for unlimited.")
    if values.get("language", "en") not in content.CONTENT_LANGUAGES:
        errors["language"] = _("Choose the language the event is written in.")
    errors |= validate_room_rule(values.get("room_rule"), values.get("recording_url"))
    if values.get("participant_list", "hidden") not in PARTICIPANT_LISTS:
        errors["participant_list"] = _("Choose who sees the participant list.")
    return errors


def validate_room_rule(value: str | None, recording_url: str | None) -> dict[str, str]:
    """Errors by field: a known rule, and no recording of what may not be reported."""
    if value is not None and value not in room.RULES:
        return {"room_rule": _("Choose a rule of the room.")}
    if recording_url and value == room.CHATHAM_HOUSE:
        return {
            "recording_url": _(
                "An event under the Chatham House Rule cannot have a recording: it would"
                " reveal who said what. Remove the link, or hold the event on the record."
            )
        }
    if recording_url and value == room.OFF_RECORD:
        return {
            "recording_url": _(
                "An event off the record cannot have a recording: nothing said there may be"
                " reported. Remove the link, or hold the event on the record."
            )
        }
    return {}


def translation_field(language: str) -> str:
    """The form section (and error key) of the version in `language`."""
    return f"translation_{language}"


def validate_translations(language: str, translations: dict | None) -> dict[str, str]:
    """Errors by form section: a version in the event's own language is refused (the
    original fields hold it)."""
    cleaned = content.clean_translations(translations, TRANSLATED_FIELDS)
    if language in cleaned:
        return {
            translation_field(language): _(
                "This is the event's original language: write this version in the fields"
                " above, or choose another original language."
            )
        }
    return {}


def set_translations(event: Event, translations: dict | None) -> bool:
    """Replace the event's versions in other languages (language -> title, summary,
    description; empty versions are dropped); True if anything changed. Raises
    InvalidEvent, nothing changed, for a version in the event's own language. The
    Markdown description is stored as typed and sanitised when shown, as the original."""
    errors = validate_translations(event.language, translations)
    if errors:
        raise InvalidEvent(errors)
    cleaned = content.clean_translations(translations, TRANSLATED_FIELDS)
    return content.replace_translations(event, cleaned, EventTranslation)


@dataclass
class SessionInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    speakers: str = ""
    room: str = ""
    #: None: the event's rule of the room (interacta.events.room).
    room_rule: str | None = None
    #: Its time is not set yet ("time to be announced" on the event page).
    to_schedule: bool = False


def validate_agenda(event: Event, sessions: list[SessionInput]) -> dict[int, str]:
    """Errors by session index: each session ends after it starts, inside the event."""
    errors: dict[int, str] = {}
    for i, s in enumerate(sessions):
        if s.ends_at <= s.starts_at:
            errors[i] = _("“%(title)s” must end after it starts.", title=s.title)
        elif s.starts_at < event.starts_at or s.ends_at > event.ends_at:
            errors[i] = _("“%(title)s” must lie within the event's start and end.", title=s.title)
        elif s.room_rule is not None and s.room_rule not in room.RULES:
            errors[i] = _("Choose a rule of the room for “%(title)s”.", title=s.title)
    return errors


# --- changes -----------------------------------------------------------------------------


def create_event(
    organizer, topics: list[Topic] | None = None, translations: dict | None = None, **values
) -> Event:
    """A new draft event organized by `organizer` (with its versions in other languages)."""
    if not can_manage(organizer):
        raise NotAllowed(_("Only organizers can create events."))
    values.setdefault("language", "en")
    errors = validate_event_values(values) | validate_translations(values["language"], translations)
    if errors:
        raise InvalidEvent(errors)
    event = Event(organizer_id=organizer.id, status="draft", **values)
    event.slug = values.get("slug") or unique_slug(
        values["title"], values["starts_at"], values["timezone"]
    )
    event.topics = list(topics or [])
    event.translations = []
    set_translations(event, translations)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(
    event: Event, topics: list[Topic] | None = None, translations: dict | None = None, **values
) -> list[str]:
    """Apply `values` (and, unless None, `translations`: see `set_translations`); returns
    the names of the fields that changed ("translations" for any version's change).

    Runs inside `registrations.seat_change` (opening one if none is open): the capacity is
    checked against the confirmed count read under the event lock, and raising it promotes.
    A change of time or place to a published event raises its SEQUENCE and tells every
    registrant; other changes to a published event raise the SEQUENCE too (calendars
    refresh), silently.
    """
    with registrations.seat_change(event.id) as seats:
        event = seats.event
        merged = {f: getattr(event, f) for f in EDITABLE_FIELDS} | values
        errors = validate_event_values(merged)
        if translations is not None:
            errors |= validate_translations(merged["language"], translations)
        if errors:
            raise InvalidEvent(errors)
        changed = [f for f, v in values.items() if f in EDITABLE_FIELDS and getattr(event, f) != v]
        if "capacity" in changed:
            registrations.check_capacity(event, values["capacity"])
        for field in changed:
            setattr(event, field, values[field])
        if topics is not None and {t.id for t in topics} != {t.id for t in event.topics}:
            event.topics = list(topics)
            changed.append("topics")
        if translations is not None and set_translations(event, translations):
            changed.append("translations")
        if changed and event.status != "draft":
            event.sequence += 1
        db.session.flush()
        if "capacity" in changed:
            registrations.promote_waiting(event)
        time_place = [f for f in changed if f in TIME_PLACE_FIELDS]
        if time_place and event.status == "published":
            notify_registrants(event, "changed", changes=time_place)
    return changed


def save_event(
    event: Event | None,
    organizer,
    values: dict,
    topics: list[Topic],
    sessions: list[SessionInput],
    translations: dict | None = None,
) -> tuple[Event, list[str]]:
    """Create (`event` None) or edit an event with its agenda and its versions in other
    languages (language -> field -> text; None leaves them as they are), in one
    transaction; returns (event, changed fields). An edit runs under the event's seat lock
    and commits."""
    if event is None:
        event = create_event(organizer, topics=topics, translations=translations, **values)
        set_agenda(event, sessions)
        return event, []
    with registrations.seat_change(event.id) as seats:
        changed = update_event(seats.event, topics=topics, translations=translations, **values)
        set_agenda(seats.event, sessions)
    return seats.event, changed


def _match_sessions(
    existing: list[AgendaSession], sessions: list[SessionInput]
) -> dict[int, AgendaSession]:
    """Which existing session each new row of the agenda continues: the same title first,
    then, in order, the rows left over take the sessions left over (a renamed session keeps
    its place). Sessions matched by no row are removed."""
    by_title: dict[str, list[AgendaSession]] = {}
    for session in existing:
        by_title.setdefault(session.title, []).append(session)
    matched: dict[int, AgendaSession] = {}
    for index, s in enumerate(sessions):
        if by_title.get(s.title):
            matched[index] = by_title[s.title].pop(0)
    taken = {id(session) for session in matched.values()}
    left = iter([session for session in existing if id(session) not in taken])
    for index in range(len(sessions)):
        if index not in matched and (session := next(left, None)) is not None:
            matched[index] = session
    return matched


def set_agenda(event: Event, sessions: list[SessionInput]) -> None:
    """Replace the event's agenda; raises InvalidAgenda (nothing changed) if a session is off."""
    errors = validate_agenda(event, sessions)
    if errors:
        raise InvalidAgenda(errors)
    old = [
        (s.title, s.starts_at, s.ends_at, s.speakers, s.room, s.room_rule or "", s.to_schedule)
        for s in event.sessions
    ]
    new = [
        (s.title, s.starts_at, s.ends_at, s.speakers, s.room, s.room_rule or "", s.to_schedule)
        for s in sessions
    ]
    if sorted(old, key=lambda r: (r[1], r[0])) == sorted(new, key=lambda r: (r[1], r[0])):
        return
    # Sessions are updated in place, so what hangs on a session (attendance marked at the
    # check-in, an accepted contribution's link) stays with it when the agenda is edited.
    matched = _match_sessions(list(event.sessions), sessions)
    for existing in event.sessions[:]:
        if existing not in matched.values():
            event.sessions.remove(existing)
    for index, s in enumerate(sessions):
        session = matched.get(index)
        if session is None:
            session = AgendaSession()
            event.sessions.append(session)
        session.title = s.title
        session.starts_at = s.starts_at
        session.ends_at = s.ends_at
        session.speakers = s.speakers
        session.room = s.room
        session.room_rule = s.room_rule
        session.to_schedule = s.to_schedule
    if event.status != "draft":
        event.sequence += 1
    db.session.flush()


#: How long a session added without a time lasts (the organizer sets its real time).
UNSCHEDULED_MINUTES = 30


def add_session(event: Event, title: str, speakers: str = "") -> AgendaSession:
    """Add one session to the agenda (an accepted contribution), placed at the event's
    start and marked "to be scheduled" (the agenda has no session without a time) until
    the organizer sets its time in the event's form."""
    starts_at = event.starts_at
    ends_at = min(starts_at + timedelta(minutes=UNSCHEDULED_MINUTES), event.ends_at)
    session = AgendaSession(
        title=title.strip()[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        speakers=speakers[:500],
        to_schedule=True,
    )
    event.sessions.append(session)
    if event.status != "draft":
        event.sequence += 1
    db.session.flush()
    return session


def remove_session(session_id: int) -> None:
    """Take one session off its event's agenda (nothing if it is gone already)."""
    session = db.session.get(AgendaSession, session_id)
    if session is None:
        return
    event = session.event
    event.sessions.remove(session)
    if event.status != "draft":
        event.sequence += 1
    db.session.flush()


def publish(event: Event) -> None:
    """Make a draft public."""
    if event.status == "cancelled":
        raise EventError(_("A cancelled event cannot be published again."))
    if event.status == "published":
        return
    event.status = "published"
    event.published_at = utcnow()
    db.session.flush()


def cancel(event: Event, message: str) -> None:
    """Cancel the event with a message to the participants, who are all told by mail."""
    message = (message or "").strip()
    if not message:
        raise EventError(_("Write a message to the participants explaining the cancellation."))
    if event.status == "cancelled":
        raise EventError(_("This event is already cancelled."))
    was_published = event.status == "published"
    event.status = "cancelled"
    event.cancel_message = message
    event.cancelled_at = utcnow()
    event.sequence += 1
    db.session.flush()
    if was_published:
        notify_registrants(event, "cancelled")


def duplicate(event: Event, starts_at: datetime, organizer) -> Event:
    """A draft copy of `event` starting at `starts_at` (the next in a series), agenda shifted."""
    if not can_manage(organizer, event):
        raise NotAllowed(_("You can only duplicate events you manage."))
    shift = starts_at - event.starts_at
    values = {f: getattr(event, f) for f in EDITABLE_FIELDS}
    values["starts_at"] = event.starts_at + shift
    values["ends_at"] = event.ends_at + shift
    for f in ("registration_opens_at", "registration_closes_at"):
        if values[f] is not None:
            values[f] = values[f] + shift
    copy = create_event(
        organizer,
        topics=list(event.topics),
        translations=content.current_translations(event, TRANSLATED_FIELDS),
        **values,
    )
    copy.series_parent_id = event.id
    for s in event.sessions:
        copy.sessions.append(
            AgendaSession(
                title=s.title,
                starts_at=s.starts_at + shift,
                ends_at=s.ends_at + shift,
                speakers=s.speakers,
                room=s.room,
                room_rule=s.room_rule,
                to_schedule=s.to_schedule,
            )
        )
    db.session.flush()
    return copy


def notify_registrants(event: Event, what: str, changes: list[str] | None = None) -> int:
    """Mail every active registrant that the event changed (`what`="changed") or was cancelled.

    Returns how many were mailed.
    """
    return notifications.event_changed(
        registrations.active_registrants(event),
        what,
        changes or [],
        positions=registrations.waiting_positions(event.id),
    )


# --- queries -----------------------------------------------------------------------------


@dataclass
class Filters:
    kind: str | None = None
    topic: str | None = None
    format: str | None = None
    month: date | None = None
    q: str | None = None


def parse_month(value: str | None) -> date | None:
    """`YYYY-MM` as the first day of that month, or None if absent or malformed."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}", value):
        return None
    year, month = int(value[:4]), int(value[5:])
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return date(year, month, 1)


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _filtered(query, filters: Filters):
    if filters.kind in KINDS:
        query = query.where(Event.kind == filters.kind)
    if filters.format in FORMATS:
        query = query.where(Event.format == filters.format)
    if filters.topic:
        # The topic's events, read from ix_event_topics_topic_event. An unknown topic is
        # known to match nothing before the list is read (a crawler's made-up slugs would
        # otherwise read every upcoming event).
        topic_id = db.session.scalar(sa.select(Topic.id).where(Topic.slug == filters.topic))
        query = query.where(
            Event.id.in_(
                sa.select(event_topics.c.event_id).where(event_topics.c.topic_id == topic_id)
            )
            if topic_id is not None
            else sa.false()
        )
    if filters.month:
        start = datetime.combine(filters.month, time(0), tzinfo=UTC)
        end = datetime.combine(add_months(filters.month, 1), time(0), tzinfo=UTC)
        query = query.where(Event.starts_at < end, not_ended(start))
    if filters.q:
        words = [w.replace("%", "").replace("_", "") for w in filters.q.split()[:8]]
        # Each word in the original or in any of the translations; a word of 3 characters
        # or more read from the trigram index (the same events).
        query = query.where(*search.conditions([(word, _contains(word)) for word in words]))
    return query


def _in_date_order(query, filters: Filters | None):
    """`query` (events in date order, either way) read in date order on SQLite, from
    ix_events_starts_at: a page then reads its rows and those before it, and a word
    tested on each event (ILIKE) stops once the page and its bounded count are found.
    SQLite otherwise read every event to come from ix_events_status_window (the two
    statuses are two ranges of it) and sorted them: at ten times the bench's data 2.7 ms
    for a page of the list (0.3 in order), 55 ms for a common word (8 in order). The
    status is tested as `+status`, the same test, which SQLite reads from no index (its
    documented way to leave an index out; it renders no index hint). A list of one kind
    is left to ix_events_kind_window (one kind's events, sorted)."""
    if db.session.get_bind().dialect.name != "sqlite" or (filters and filters.kind in KINDS):
        return query
    status = Event.__table__.c.status
    unindexed = UnaryExpression(status, operator=custom_op("+"), type_=status.type)

    def swap(element):
        # The ORM's copies of the column (annotated) too.
        if isinstance(element, sa.Column) and element.table is status.table:
            return unindexed if element.name == status.name else None
        return None

    return replacement_traverse(query, {}, swap)


def _contains(word: str):
    """WHERE the event's text or one of its translations' holds `word` (ILIKE)."""
    pattern = f"%{word}%"
    translated = (
        sa.select(EventTranslation.id)
        .where(EventTranslation.event_id == Event.id)
        .where(
            sa.or_(
                EventTranslation.title.ilike(pattern),
                EventTranslation.summary.ilike(pattern),
                EventTranslation.description.ilike(pattern),
            )
        )
    )
    return sa.or_(
        Event.title.ilike(pattern),
        Event.summary.ilike(pattern),
        Event.description.ilike(pattern),
        Event.venue_name.ilike(pattern),
        translated.exists(),
    )


def public_events():
    """Published and cancelled events (cancelled ones stay visible, marked)."""
    return sa.select(Event).where(Event.status.in_(("published", "cancelled")))


def not_ended(since: datetime):
    """WHERE the event ends after `since`, with the same condition on its start less the
    longest any event lasts: the database then reads events from an index in date order
    from there on, instead of every event."""
    try:
        earliest = since - longest_event()
    except OverflowError:  # an event from the first years of the calendar
        return Event.ends_at > since
    return sa.and_(Event.ends_at > since, Event.starts_at > earliest)


def longest_event() -> timedelta:
    """How long the longest stored event lasts, at least EVENT_MAX_DAYS (a saved event
    lasts no longer, but an old row or another tool may have left a longer one). Read by
    one scan when an event has changed, then kept under the events' fingerprint."""

    def build() -> float:
        if db.session.get_bind().dialect.name == "postgresql":
            length = sa.extract("epoch", Event.ends_at - Event.starts_at) / 86400.0
        else:
            length = sa.func.julianday(Event.ends_at) - sa.func.julianday(Event.starts_at)
        return float(db.session.scalar(sa.select(sa.func.max(length))) or 0)

    days = cached("event-longest", (), fingerprint(Event), build)
    # A day more: the two databases round a length differently.
    return timedelta(days=max(float(max_event_days()), days) + 1)


def upcoming_query(filters: Filters | None = None, now: datetime | None = None):
    now = now or utcnow()
    query = public_events().where(not_ended(now)).order_by(Event.starts_at, Event.id)
    return _in_date_order(_filtered(query, filters or Filters()), filters)


def past_query(filters: Filters | None = None, now: datetime | None = None):
    now = now or utcnow()
    query = public_events().where(Event.ends_at <= now, Event.starts_at < now)
    query = query.order_by(Event.starts_at.desc(), Event.id)
    return _in_date_order(_filtered(query, filters or Filters()), filters)


#: A list searched for words counts at most this many of its matches (as the publications
#: search does): counting every match of a common word cost more than the page itself.
SEARCH_COUNT_BOUND = 1000


def _order_columns(order, names: list[str]) -> list:
    """The columns an ORDER BY names that a select of `names` does not hold."""
    found = []
    for clause in order:
        for column in sa.sql.visitors.iterate(clause):
            if not isinstance(column, sa.Column) or column.key in names:
                continue
            if all(column is not c for c in found):
                found.append(column)
    return found


class BoundedPagination(DeferredPagination):
    """A `DeferredPagination` that counts at most `bound` + 1 rows. Past the bound,
    `bounded` is set, `total` is the bound, the pages are those the bound allows (or up to
    this one), and the next page stays as long as a row follows this page.

    A page within the bound and its count are read by one statement: the list's first
    `bound` + 1 rows (or up to the row after this page), in the list's order, are gathered
    by the database (a CTE, read twice, so materialized once), which returns the page's
    rows and the row after it, each with how many were gathered. Each statement of a word
    search first gathers the word's matches from the index (SQLite: every match, a list
    the statement builds), so a second one to count them cost as much as the page; and
    reading the gathered rows themselves would bring a thousand rows into Python. A page
    past the bound reads its rows and the one after (no count: there are more than the
    bound when it has rows)."""

    bounded = False
    _following = False

    def _query_items(self) -> list:
        args = self._query_args
        select, bound = args["select"], args["bound"]
        offset, per_page = self._query_offset, self.per_page
        # The count of the same search, kept for the minute and until an event changes
        # (the list's own page is kept no longer: `cached_page(clock="minute")`): the
        # page is then read alone, stopping at its last row instead of the bound.
        key = args.get("key")
        counted = known = None
        if key is not None:
            counted = (key, utcnow().replace(second=0, microsecond=0))
            known = kept("event-search-count", counted, fingerprint(Event))
        if known is not None or offset >= bound:
            query = select.limit(per_page + 1).offset(offset)
            rows = [row._mapping for row in db.session.execute(query)]
            found = known if known is not None else bound + 1 if rows else self._count(bound)
        else:
            # The page is read from the CTE in the list's order (its columns kept in it).
            order = select._order_by_clauses
            names = [column.key for column in select.selected_columns]
            gathered = select.add_columns(*_order_columns(order, names))
            gathered = gathered.limit(max(bound, offset + per_page) + 1).cte("gathered")
            count = sa.select(sa.func.count()).select_from(gathered).scalar_subquery()
            query = (
                sa.select(*(gathered.c[name] for name in names), count.label("_found"))
                .order_by(*(ClauseAdapter(gathered).traverse(clause) for clause in order))
                .limit(per_page + 1)
                .offset(offset)
            )
            result = list(db.session.execute(query))
            rows = [{name: row._mapping[name] for name in names} for row in result]
            # No row here: none at all on the first page, else counted.
            found = result[0]._mapping["_found"] if result else offset and self._count(bound)
        if counted is not None and known is None:
            keep("event-search-count", counted, fingerprint(Event), found)
        self._following = len(rows) > per_page
        self.bounded = found > bound
        self._found = found
        return deferred(rows[:per_page], args["load"])

    def _count(self, bound: int) -> int:
        sub = self._query_args["select"].order_by(None).limit(bound + 1).subquery()
        return db.session.execute(sa.select(sa.func.count()).select_from(sub)).scalar()

    def _query_count(self) -> int:
        return min(self._found, self._query_args["bound"])

    @property
    def pages(self) -> int:
        pages = super().pages
        return max(pages, self.page) if self.bounded else pages

    @property
    def has_next(self) -> bool:
        return self._following if self.bounded else super().has_next


class UpcomingPagination(DeferredPagination):
    """A `DeferredPagination` of a list of events to come whose total is kept under the
    events' fingerprint for the same filters, until the first event it counts ends (then
    one fewer is to come): the list's other pages do not count again."""

    def _query_count(self) -> int:
        args = self._query_args

        def count() -> tuple[int, datetime | None]:
            sub = args["counted"].with_only_columns(Event.ends_at).order_by(None).subquery()
            statement = sa.select(sa.func.count(), sa.func.min(sub.c.ends_at))
            return tuple(db.session.execute(statement).one())

        return cached_until("event-upcoming-count", args["key"], fingerprint(Event), count)


def list_page(
    query,
    page: int,
    per_page: int,
    words: bool = False,
    upcoming: tuple | None = None,
    key: tuple | None = None,
) -> DeferredPagination:
    """One page of an event list (`upcoming_query`, `past_query`) and its total, as
    stand-ins for the events: a row of what the list reads of each event whatever is kept
    (its id and `updated_at`, which name its kept piece, and its capacity for the seat
    count); the events themselves are loaded, all of the page in one go, only if a piece
    was not kept (`interacta.core.deferred`). A list searched for `words` counts at most
    SEARCH_COUNT_BOUND + 1 matches (`BoundedPagination`); without, the total is exact.
    `upcoming`: the filters of a list of events to come (`upcoming_query`), whose total is
    then kept for its other pages (`UpcomingPagination`). `key`: what names a searched
    list (which list, its filters), whose bounded count is then kept for the minute."""
    rows = query.with_only_columns(Event.id, Event.updated_at, Event.capacity)
    if words:
        return BoundedPagination(
            select=rows,
            load=_events_by_id,
            bound=SEARCH_COUNT_BOUND,
            key=key,
            page=page,
            per_page=per_page,
            error_out=False,
        )
    if upcoming is not None:
        return UpcomingPagination(
            select=rows,
            load=_events_by_id,
            counted=query,
            key=upcoming,
            page=page,
            per_page=per_page,
            error_out=False,
        )
    return paginate_deferred(rows, _events_by_id, page=page, per_page=per_page)


def _events_by_id(ids: list[int]) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.id.in_(ids))))


def next_events(limit: int = 3) -> list[Deferred]:
    """The next published events (the home page), as stand-ins: rows of their id and
    `updated_at`, which name each one's kept piece; the events are loaded only if a piece
    was not kept (`interacta.core.deferred`)."""
    query = upcoming_query().where(Event.status == "published").limit(limit)
    rows = db.session.execute(query.with_only_columns(Event.id, Event.updated_at))
    return deferred([row._mapping for row in rows], _events_by_id)


#: Events a day of the month grid shows (a constant, however many the day holds); the
#: others are counted behind a "+N more" link to that day's full list.
CALENDAR_DAY_EVENTS = 4


@dataclass(frozen=True, slots=True)
class GridEvent:
    """What the calendar grid shows of an event, read as plain rows: building an ORM
    Event for each of the hundred or so a month holds was most of the grid's work.
    `translations` are (language, title) rows, as `interacta.core.content` reads them."""

    id: int
    slug: str
    title: str
    status: str
    language: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    updated_at: datetime
    translations: tuple

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


class MonthGrid(NamedTuple):
    weeks: list[list[date]]  # Monday first, covering the month
    # The events as stand-ins for GridEvent (interacta.core.deferred).
    by_day: dict[date, list[Deferred]]  # the first events of each day (CALENDAR_DAY_EVENTS)
    more: dict[date, int]  # how many more each day holds
    day_events: list[Deferred]  # every event of the chosen day (none chosen: empty)


def parse_day(value: str | None) -> date | None:
    """`YYYY-MM-DD` as a date, or None if absent or malformed."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


def month_grid(
    month: date, day: date | None = None, per_day: int = CALENDAR_DAY_EVENTS
) -> MonthGrid:
    """The weeks covering `month` and the public events on each day in their own time zone
    (an event spanning several days is on each of them), in start order: the first
    `per_day` of each day and how many more it holds, and every event of `day` if given.

    Days and counts come from the events' times and zones alone (`_grid_cells`, kept
    until an event changes: the page built again for another URL or language reads them
    back); only the events shown are loaded, and only if the page did not keep their HTML,
    so the page's work stays the same however many events a day holds."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    days = [d for week in weeks for d in week]
    parts = (days[0].isoformat(), day.isoformat() if day else None, per_day)
    cells = json.loads(
        cached_recent(
            "calendar-grid",
            parts,
            fingerprint(Event),
            lambda: json.dumps(_grid_cells(days, day, per_day)).encode(),
        )
    )
    # Stand-ins for the events shown (interacta.core.deferred): what names a day's and an
    # entry's kept HTML (id, updated_at, its start in its zone); the events themselves are
    # read, all at once, only if a day or an entry was not kept (`_grid_events`).
    loaded = {
        e.id: e
        for e in deferred(
            [
                {
                    "id": i,
                    "starts_at": datetime.fromisoformat(starts_at),
                    "timezone": zone,
                    "updated_at": datetime.fromisoformat(updated_at),
                }
                for i, starts_at, zone, updated_at in cells["events"]
            ],
            _grid_events,
        )
    }
    by_day = {days[index]: [loaded[i] for i in ids] for index, ids in cells["shown"]}
    more = {days[index]: n for index, n in cells["more"]}
    return MonthGrid(weeks, by_day, more, [loaded[i] for i in cells["day"]])


def _grid_cells(days: list[date], day: date | None, per_day: int) -> dict:
    """What `month_grid` shows of the weeks `days`, as plain values: the events shown
    (`events`: id, start and last change in ISO form, zone), the ids shown on each day by
    its index (`shown`), how many more each full day holds (`more`) and the events of the
    chosen day (`day`)."""
    first, last = days[0], days[-1]
    # Widen by a day each side so zones from UTC-12 to UTC+14 are all covered.
    lo = datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=2), time(0), tzinfo=UTC)
    # The times as the database gives them, not made the column's datetimes: a month
    # holds a thousand events or more at ten times the bench's data, of which the grid
    # shows a hundred or so, and making each time a datetime in UTC was most of the
    # loop's work. They are compared with the bounds below written in the same form, and
    # only the times of the events shown are made the column's datetimes.
    # - SQLite: text, as the column writes a time (it sorts as the times do: the WHERE
    #   compares them so too), made a datetime by the column's own reading.
    # - PostgreSQL: the time in UTC without a zone (timezone('UTC', t)), a naive datetime
    #   (the driver's datetimes carry the session's zone: compared with UTC, they cost
    #   more than making them), made aware of UTC.
    table = Event.__table__
    dialect = db.session.get_bind().dialect
    if dialect.name == "sqlite":
        as_read = table.c.starts_at.type.dialect_impl(dialect)  # with the dialect's work
        write = as_read.bind_processor(dialect) or _same
        read_time = as_read.result_processor(dialect, None) or _same
        raw = functools.partial(sa.type_coerce, type_=sa.types.NullType())
    else:
        write = _naive_utc
        read_time = functools.partial(datetime.replace, tzinfo=UTC)

        def raw(column):
            return sa.type_coerce(sa.func.timezone("UTC", column), sa.types.NullType())

    rows = db.session.execute(
        sa.select(
            table.c.id,
            raw(table.c.starts_at),
            raw(table.c.ends_at),
            table.c.timezone,
            raw(table.c.updated_at),
        )
        .where(Event.status.in_(("published", "cancelled")), Event.starts_at < hi, not_ended(lo))
        .order_by(Event.starts_at, Event.id)
    )
    lo_raw, hi_raw = write(lo), write(hi)
    chosen = days.index(day) if day in days else None
    # Per zone, the instants (UTC) its local days of the grid begin: a time's local day is
    # found by bisection. Only the part of an event on the grid is walked, however long.
    starts_of_days: dict[str, list] = {}
    counts = [0] * len(days)
    shown: dict[int, list[int]] = {}
    day_ids: list[int] = []
    read: dict[int, tuple] = {}
    for event_id, starts_at, ends_at, zone, updated_at in rows:
        read[event_id] = (starts_at, zone, updated_at)
        bounds = starts_of_days.get(zone)
        if bounds is None:
            tz = ZoneInfo(zone)
            bounds = starts_of_days[zone] = [
                write(datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC))
                for d in (*days, last + timedelta(days=1))
            ]
        start = max(bisect_right(bounds, max(starts_at, lo_raw)) - 1, 0)
        # An event ending at midnight does not occupy the next day (the days beginning
        # before its end, not at it).
        end = bisect_left(bounds, min(ends_at, hi_raw)) - 1
        for index in range(start, min(end, len(days) - 1) + 1):
            if counts[index] < per_day:
                shown.setdefault(index, []).append(event_id)
            counts[index] += 1
        if chosen is not None and start <= chosen <= end:
            day_ids.append(event_id)
    wanted = sorted({i for ids in shown.values() for i in ids} | set(day_ids))
    return {
        "events": [
            [i, read_time(read[i][0]).isoformat(), read[i][1], read_time(read[i][2]).isoformat()]
            for i in wanted
        ],
        "shown": sorted(shown.items()),
        "more": [[index, n - per_day] for index, n in enumerate(counts) if n > per_day],
        "day": day_ids,
    }


def _same(value):
    return value


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _grid_events(ids: list[int]) -> list[GridEvent]:
    """What the grid shows of each event, and its titles in other languages: two
    statements, as the ORM load with its translations was, of plain rows."""
    translations: dict[int, list] = {}
    for row in db.session.execute(
        sa.select(EventTranslation.event_id, EventTranslation.language, EventTranslation.title)
        .where(EventTranslation.event_id.in_(ids))
        .order_by(EventTranslation.language)
    ):
        translations.setdefault(row.event_id, []).append(row)
    rows = db.session.execute(
        sa.select(
            Event.id, Event.slug, Event.title, Event.status, Event.language,
            Event.starts_at, Event.ends_at, Event.timezone, Event.updated_at,
        ).where(Event.id.in_(ids))
    )  # fmt: skip
    return [GridEvent(*row, translations=tuple(translations.get(row.id, ()))) for row in rows]


def event_by_slug(slug: str) -> Event | None:
    """The event alone, for actions that show none of its page (not even its translations,
    which load if read)."""
    return db.session.scalar(
        sa.select(Event).where(Event.slug == slug).options(lazyload(Event.translations))
    )


def load_event_page(slug: str) -> Event | None:
    """The event with everything its page shows, in a fixed number of queries."""
    return db.session.scalar(_event_page_statement(), {"slug": slug})


def load_event_page_counted(slug: str, related: tuple = ()) -> tuple[Event, int, dict] | None:
    """load_event_page with the event's confirmed registrations, counted in the event's own
    statement (one statement fewer on every event page than confirmed_counts after it).
    Whether the event has translations and seats reserved per sector is read there too:
    without any (most events) their statement is not run; with some, they load when read
    (one statement each, as before: the sector groups were always loaded when read).
    `related`: the sections other parts add to the page that tell whether they have
    anything to show (`core.registry.related_presence`); what the statement found of each
    is returned (RelatedItems -> bool) for `related_sections`."""
    row = db.session.execute(_event_page_statement(True, related), {"slug": slug}).first()
    if row is None:
        return None
    event, confirmed, translated, grouped, *present = row
    if not translated:
        set_committed_value(event, "translations", [])
    if not grouped:
        set_committed_value(event, "sector_groups", [])
    return event, confirmed, dict(zip(related, present, strict=True))


@functools.cache
def _event_page_statement(counted: bool = False, related: tuple = ()) -> sa.Select:
    """load_event_page's statement, built once with its cache key (making both again took
    a fifth of the load's time, on every page built): the slug is bound when it runs.
    `counted`: with the confirmed registrations' count and whether the event has
    translations and sector groups as second to fourth columns (the translations then
    load when read), then whether each section of `related` has anything to show."""
    columns = [Event]
    options = [
        joinedload(Event.organizer),
        selectinload(Event.topics),
        selectinload(Event.sessions),
    ]
    if counted:
        columns.append(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.event_id == Event.id, Registration.status == "confirmed")
            .scalar_subquery()
        )
        columns.append(sa.exists().where(EventTranslation.event_id == Event.id))
        columns.append(sa.exists().where(SectorGroup.event_id == Event.id))
        columns.extend(section.present(Event.id) for section in related)
        options.append(lazyload(Event.translations))
    return sa.select(*columns).where(Event.slug == sa.bindparam("slug")).options(*options)


def agenda_by_day(event: Event) -> list[tuple[date, list[AgendaSession]]]:
    """The agenda grouped by local day in the event's zone, in time order."""
    tz = ZoneInfo(event.timezone)
    days: dict[date, list[AgendaSession]] = {}
    for s in sorted(event.sessions, key=lambda s: (s.starts_at, s.id or 0)):
        days.setdefault(s.starts_at.astimezone(tz).date(), []).append(s)
    return sorted(days.items())


def confirmed_counts(event_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations per event, in one query."""
    return registrations.confirmed_counts(event_ids)


def seats_left(event: Event, counts: dict[int, int]) -> int | None:
    """Free seats, or None when the capacity is unlimited."""
    if event.capacity is None:
        return None
    return max(event.capacity - counts.get(event.id, 0), 0)


def managed_events(member):
    """The events `member` may manage, newest first."""
    query = sa.select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if not member.is_admin:
        query = query.where(Event.organizer_id == member.id)
    return query


def can_see_online_link(event: Event, member) -> bool:
    """The online link is for confirmed participants and those who manage the event."""
    if can_manage(member, event):
        return True
    return registrations.is_confirmed(event, member)


def registration_context(event: Event, member) -> dict | None:
    """What the event page's registration box shows (None for a draft)."""
    return registrations.page_context(event, member)
