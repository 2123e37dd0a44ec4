"""Topic subscriptions and their digests: the rules.

- A member chooses topics, kinds of events and publications and a frequency on
  /members/me/subscriptions (default off). A guest chooses the same on /subscriptions and
  confirms the address (double opt-in): nothing is stored before the confirmation, the
  choices travel in the signed link.
- `send_digests(now)` runs every hour (the "digests-send" job) and by
  `flask digests send [--now]`. A digest goes out at 08:00 in the subscriber's zone on
  Monday (weekly) or on the 1st (monthly), listing what was published since the last one
  (or since the subscription started). Nothing new: no mail.
- One digest per subscriber and period: the `digest_sends` row (unique per subscription
  and period) is inserted in the transaction that queues the mail; a unique violation
  means another worker sent it.
- Every digest carries a signed unsubscribe link (List-Unsubscribe, RFC 8058 one-click)
  that works without signing in; it turns a member's subscription off and deletes a
  guest's.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from interacta.core.errors import DomainError
from interacta.core.i18n import normalize_language
from interacta.core.models import Topic, utcnow
from interacta.core.text import normalize_email
from interacta.core.timezones import is_valid_timezone
from interacta.events.models import KINDS as EVENT_KINDS
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member
from interacta.network.models import FREQUENCIES, DigestSend, Subscription
from interacta.publications.models import KINDS as PUBLICATION_KINDS
from interacta.publications.models import Publication

logger = logging.getLogger(__name__)

#: Digests leave at this hour of the subscriber's own clock.
SEND_HOUR = 8
#: Salts of the signed links, one per purpose.
CONFIRM_SALT = "network.subscribe-confirm"
UNSUBSCRIBE_SALT = "network.unsubscribe"
#: How long a guest's confirmation link works.
CONFIRM_MAX_AGE = 7 * 24 * 3600
#: At most this many items of each sort in one digest (past it, the mail links to the list).
MAX_ITEMS = 30


class LinkError(DomainError):
    """A subscription link that cannot be used (bad signature, expired)."""


@dataclass
class Choices:
    """What a subscriber picks on the form."""

    frequency: str = "off"
    topic_ids: list[int] = field(default_factory=list)
    event_kinds: list[str] = field(default_factory=list)
    publication_kinds: list[str] = field(default_factory=list)


@dataclass
class Digest:
    """What one digest lists."""

    since: datetime
    until: datetime
    events: list[Event]
    publications: list[Publication]
    #: Whether more than MAX_ITEMS of each matched (the mail links to the lists then).
    more_events: bool = False
    more_publications: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.events and not self.publications


# -- choices ------------------------------------------------------------------------------------


def topic_choices() -> list[Topic]:
    """The topic vocabulary events and publications share, in its order."""
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.position, Topic.name)))


def _checked(choices: Choices) -> Choices:
    """`choices` with unknown values dropped; raises DomainError when they cannot be saved."""
    if choices.frequency not in FREQUENCIES:
        raise DomainError(_("Please choose how often."), field="frequency")
    known_topics = set(db.session.scalars(sa.select(Topic.id)))
    cleaned = Choices(
        frequency=choices.frequency,
        topic_ids=sorted({t for t in choices.topic_ids if t in known_topics}),
        event_kinds=[k for k in EVENT_KINDS if k in set(choices.event_kinds)],
        publication_kinds=[k for k in PUBLICATION_KINDS if k in set(choices.publication_kinds)],
    )
    if cleaned.frequency != "off" and not (cleaned.event_kinds or cleaned.publication_kinds):
        raise DomainError(
            _("Please choose at least one kind of event or publication."), field="event_kinds"
        )
    return cleaned


def _apply(subscription: Subscription, choices: Choices, now: datetime) -> None:
    was_on = subscription.is_on
    subscription.frequency = choices.frequency
    subscription.event_kinds = list(choices.event_kinds)
    subscription.publication_kinds = list(choices.publication_kinds)
    subscription.topics = (
        list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(choices.topic_ids))))
        if choices.topic_ids
        else []
    )
    if not subscription.is_on:
        subscription.started_at = None
    elif not was_on or subscription.started_at is None:
        subscription.started_at = now


def choices_of(subscription: Subscription | None) -> Choices:
    """The choices a subscription holds (a new one: every kind, frequency off)."""
    if subscription is None:
        return Choices(
            frequency="off",
            event_kinds=list(EVENT_KINDS),
            publication_kinds=list(PUBLICATION_KINDS),
        )
    return Choices(
        frequency=subscription.frequency,
        topic_ids=[t.id for t in subscription.topics],
        event_kinds=list(subscription.event_kinds or []),
        publication_kinds=list(subscription.publication_kinds or []),
    )


# -- members ------------------------------------------------------------------------------------


def member_subscription(member_id: int) -> Subscription | None:
    return db.session.scalar(sa.select(Subscription).where(Subscription.member_id == member_id))


def save_member_subscription(
    member: Member, choices: Choices, now: datetime | None = None
) -> Subscription:
    """Save a member's choices; turning it on starts the first digest's window now."""
    choices = _checked(choices)
    subscription = member_subscription(member.id)
    if subscription is None:
        subscription = Subscription(member_id=member.id, frequency="off")
        db.session.add(subscription)
    _apply(subscription, choices, now or utcnow())
    db.session.flush()
    return subscription


# -- guests: double opt-in ----------------------------------------------------------------------


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _untimed(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def guest_confirm_token(email: str, choices: Choices, language: str, timezone: str) -> str:
    """The link a guest confirms the address with; it carries the choices (nothing is
    stored before the confirmation)."""
    return _timed(CONFIRM_SALT).dumps(
        {
            "e": normalize_email(email),
            "f": choices.frequency,
            "t": list(choices.topic_ids),
            "ek": list(choices.event_kinds),
            "pk": list(choices.publication_kinds),
            "l": normalize_language(language),
            "z": timezone,
        }
    )


def request_guest_subscription(
    email: str, choices: Choices, language: str, timezone: str
) -> str | None:
    """Check a guest's choices and return the confirmation token to mail (the view mails
    it, subject to the per-address limit). The answer is the same whether the address is
    known or not."""
    email = normalize_email(email)
    if not email:
        raise DomainError(_("Please enter your email address."), field="email")
    if not is_valid_timezone(timezone):
        raise DomainError(_("Please choose a time zone from the list."), field="timezone")
    choices = _checked(choices)
    if choices.frequency == "off":
        raise DomainError(_("Please choose weekly or monthly."), field="frequency")
    return guest_confirm_token(email, choices, language, timezone)


def read_confirm_token(token: str) -> dict:
    """The choices in a guest's confirmation link; raises LinkError."""
    try:
        data = _timed(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as exc:
        raise LinkError(
            _("This link has expired. Please subscribe again."), status_code=404
        ) from exc
    except BadSignature as exc:
        raise LinkError(
            _("This link is not valid. Please check that you copied all of it."), status_code=404
        ) from exc
    if not isinstance(data, dict) or not data.get("e"):
        raise LinkError(_("This link is not valid."), status_code=404)
    return data


def confirm_guest_subscription(token: str, now: datetime | None = None) -> Subscription:
    """Create (or update) the guest's subscription the link describes."""
    data = read_confirm_token(token)
    now = now or utcnow()
    choices = _checked(
        Choices(
            frequency=str(data.get("f") or "off"),
            topic_ids=[int(t) for t in data.get("t") or [] if isinstance(t, int)],
            event_kinds=[str(k) for k in data.get("ek") or []],
            publication_kinds=[str(k) for k in data.get("pk") or []],
        )
    )
    subscription = db.session.scalar(sa.select(Subscription).where(Subscription.email == data["e"]))
    if subscription is None:
        subscription = Subscription(email=data["e"], frequency="off")
        db.session.add(subscription)
    subscription.language = normalize_language(data.get("l"))
    zone = data.get("z")
    subscription.timezone = zone if is_valid_timezone(zone) else "Europe/Brussels"
    _apply(subscription, choices, now)
    db.session.flush()
    return subscription


# -- unsubscribing ------------------------------------------------------------------------------


def unsubscribe_token(subscription: Subscription) -> str:
    """The unsubscribe link's token: no address in it, and it dies with the row."""
    return _untimed(UNSUBSCRIBE_SALT).dumps({"s": subscription.id, "k": subscription.key})


def subscription_for_token(token: str) -> Subscription | None:
    """The subscription an unsubscribe link is for; None when it is gone already.
    Raises LinkError (404) for a link we did not make."""
    try:
        data = _untimed(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature as exc:
        raise LinkError(
            _("This link is not valid. Please check that you copied all of it."), status_code=404
        ) from exc
    if not isinstance(data, dict):
        raise LinkError(_("This link is not valid."), status_code=404)
    subscription = db.session.get(Subscription, data.get("s")) if data.get("s") else None
    if subscription is None or subscription.key != data.get("k"):
        return None
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    """Stop the digests: a member's subscription is turned off (their choices stay), a
    guest's is deleted with everything it held."""
    if subscription.member_id is None:
        db.session.delete(subscription)
    else:
        subscription.frequency = "off"
        subscription.started_at = None
    db.session.flush()


# -- the digest ---------------------------------------------------------------------------------


def recipient(subscription: Subscription) -> tuple[str, str, str] | None:
    """(address, language, zone) a digest goes to, or None (an erased, inactive or
    unverified account)."""
    if subscription.member_id is None:
        return subscription.email, subscription.language, subscription.timezone
    member = db.session.get(Member, subscription.member_id)
    if member is None or not member.is_active or not member.email:
        return None
    if member.email_verified_at is None:
        return None
    return member.email, member.language, member.timezone


def period_key(frequency: str, local: datetime) -> str:
    """The period a local moment falls in: the week (its Monday) or the month."""
    if frequency == "weekly":
        monday = local.date() - timedelta(days=local.weekday())
        return f"week:{monday.isoformat()}"
    return f"month:{local:%Y-%m}"


def is_send_time(frequency: str, local: datetime) -> bool:
    """08:00 (the hour from 08:00) on Monday for weekly, on the 1st for monthly."""
    if local.hour != SEND_HOUR:
        return False
    if frequency == "weekly":
        return local.weekday() == 0
    return frequency == "monthly" and local.day == 1


def window_start(subscription: Subscription) -> datetime:
    """Since when the next digest lists: the end of the last one, or the subscription's start."""
    last = db.session.scalar(
        sa.select(sa.func.max(DigestSend.until)).where(
            DigestSend.subscription_id == subscription.id
        )
    )
    start = subscription.started_at or subscription.created_at
    return max(last, start) if last is not None else start


def build_digest(subscription: Subscription, since: datetime, until: datetime) -> Digest:
    """The published events (still to come) and publications of the subscriber's topics
    and kinds, published after `since` and up to `until`."""
    topic_ids = [t.id for t in subscription.topics]
    events: list[Event] = []
    if subscription.event_kinds:
        query = sa.select(Event).where(
            Event.status == "published",
            Event.published_at > since,
            Event.published_at <= until,
            Event.ends_at > until,
            Event.kind.in_(subscription.event_kinds),
        )
        if topic_ids:
            query = query.where(Event.topics.any(Topic.id.in_(topic_ids)))
        events = list(db.session.scalars(query.order_by(Event.starts_at).limit(MAX_ITEMS + 1)))
    publications: list[Publication] = []
    if subscription.publication_kinds:
        query = sa.select(Publication).where(
            Publication.status == "published",
            Publication.published_at > since,
            Publication.published_at <= until,
            Publication.kind.in_(subscription.publication_kinds),
        )
        if topic_ids:
            query = query.where(Publication.topics.any(Topic.id.in_(topic_ids)))
        publications = list(
            db.session.scalars(
                query.options(selectinload(Publication.authors))
                .order_by(Publication.published_at.desc())
                .limit(MAX_ITEMS + 1)
            )
        )
    return Digest(
        since,
        until,
        events[:MAX_ITEMS],
        publications[:MAX_ITEMS],
        more_events=len(events) > MAX_ITEMS,
        more_publications=len(publications) > MAX_ITEMS,
    )


def send_digest(subscription: Subscription, now: datetime, force: bool = False) -> bool:
    """Queue this period's digest for one subscriber if it is due (or `force`), new items
    exist and nobody sent it yet; True when queued. The caller commits."""
    from interacta.network import notifications  # the mails import this module

    if not subscription.is_on:
        return False
    to = recipient(subscription)
    if to is None:
        return False
    address, language, zone = to
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = now.astimezone(zoneinfo.ZoneInfo("Europe/Brussels"))
    if not force and not is_send_time(subscription.frequency, local):
        return False
    period = period_key(subscription.frequency, local)
    if db.session.scalar(
        sa.select(DigestSend.id).where(
            DigestSend.subscription_id == subscription.id, DigestSend.period == period
        )
    ):
        return False
    digest = build_digest(subscription, window_start(subscription), now)
    if digest.is_empty:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                DigestSend(
                    subscription_id=subscription.id,
                    period=period,
                    since=digest.since,
                    until=digest.until,
                    events=len(digest.events),
                    publications=len(digest.publications),
                )
            )
    except sa.exc.IntegrityError:
        logger.info("digest %s for subscription %s sent by another worker", period, subscription.id)
        return False
    notifications.digest(subscription, address, language, zone, digest)
    return True


def send_digests(now: datetime | None = None, force: bool = False) -> tuple[int, int]:
    """Send every digest due at `now` (all of this period's when `force`): (sent, failed).
    Commits after each subscriber, so one broken digest stops no other."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            sa.select(Subscription.id)
            .where(Subscription.frequency.in_(("weekly", "monthly")))
            .order_by(Subscription.id)
        )
    )
    db.session.commit()
    sent = failed = 0
    for subscription_id in ids:
        subscription = db.session.get(Subscription, subscription_id)
        if subscription is None:
            continue
        try:
            queued = send_digest(subscription, now, force=force)
            db.session.commit()
        except Exception:  # noqa: BLE001 - logged; the other subscribers still get theirs
            db.session.rollback()
            failed += 1
            logger.exception("digest for subscription %s failed", subscription_id)
            continue
        sent += int(queued)
    return sent, failed


# -- personal data ------------------------------------------------------------------------------


def _export(subscription: Subscription) -> dict:
    return {
        "frequency": subscription.frequency,
        "topics": [t.name for t in subscription.topics],
        "event_kinds": list(subscription.event_kinds or []),
        "publication_kinds": list(subscription.publication_kinds or []),
        "started_at": subscription.started_at.isoformat() if subscription.started_at else None,
        "email": subscription.email,
        "language": subscription.language if subscription.email else None,
        "timezone": subscription.timezone if subscription.email else None,
        "digests_sent": [
            {"period": d.period, "events": d.events, "publications": d.publications}
            for d in db.session.scalars(
                sa.select(DigestSend)
                .where(DigestSend.subscription_id == subscription.id)
                .order_by(DigestSend.id)
            )
        ],
    }


def _rows_of(member: Member) -> list[Subscription]:
    """The member's subscription and any guest one made with the account's address."""
    conditions = [Subscription.member_id == member.id]
    if member.email:
        conditions.append(Subscription.email == normalize_email(member.email))
    return list(
        db.session.scalars(
            sa.select(Subscription).where(sa.or_(*conditions)).order_by(Subscription.id)
        )
    )


def export_member(member: Member) -> list[dict]:
    """The member's subscriptions (and a guest one under the same address) with the
    digests sent."""
    return [_export(s) for s in _rows_of(member)]


def erase_member(member: Member) -> None:
    """Delete the member's subscriptions and the digests' records."""
    for subscription in _rows_of(member):
        db.session.delete(subscription)
    db.session.flush()
