"""The rules of calls for papers; no `request`, so the CLI and tests call them directly."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from interacta.calls.models import BLIND_MODES, CONTRIBUTION_TYPES, Call, Criterion
from interacta.core.errors import DomainError
from interacta.core.models import utcnow
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db

logger = logging.getLogger(__name__)

MAX_CRITERIA = 10
MAX_WEIGHT = 10


class InvalidCall(DomainError):
    """A value of the call is not acceptable (names the form field)."""


@dataclass
class CallValues:
    """What an organizer enters; `deadline` is a wall-clock time in the event's zone."""

    deadline: datetime
    scope: str = ""
    types: list[str] = field(default_factory=lambda: ["paper"])
    tracks: list[str] = field(default_factory=list)
    abstract_word_limit: int = 300
    pdf_required: bool = False
    blind_mode: str = "double"
    #: (name, weight) pairs, weight 1-MAX_WEIGHT
    criteria: list[tuple[str, int]] = field(default_factory=list)
    reviews_per_submission: int = 2
    decision_on: date | None = None


def call_for_event(event_id: int) -> Call | None:
    """The event's call, if it has one."""
    return db.session.scalar(sa.select(Call).where(Call.event_id == event_id))


def parse_criteria(text: str) -> list[tuple[str, int]]:
    """Lines "Name | weight" (weight 1 when left out) as (name, weight) pairs."""
    criteria = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, weight = line.partition("|")
        name = name.strip()
        try:
            value = int(weight.strip()) if weight.strip() else 1
        except ValueError:
            raise InvalidCall(
                _("Write each criterion as “Name | weight”, the weight a whole number."),
                field="criteria",
            ) from None
        criteria.append((name, value))
    return criteria


def format_criteria(call: Call) -> str:
    return "\n".join(f"{c.name} | {c.weight}" for c in call.criteria)


def _validate(values: CallValues, event: Event) -> datetime:
    types = [t for t in values.types if t in CONTRIBUTION_TYPES]
    if not types or len(types) != len(values.types):
        raise InvalidCall(_("Choose at least one contribution type."), field="types")
    if values.blind_mode not in BLIND_MODES:
        raise InvalidCall(_("Choose single-blind or double-blind review."), field="blind_mode")
    if not 20 <= values.abstract_word_limit <= 5000:
        raise InvalidCall(
            _("The word limit must be between 20 and 5000 words."), field="abstract_word_limit"
        )
    if not 1 <= values.reviews_per_submission <= 10:
        raise InvalidCall(
            _("Each submission needs between 1 and 10 reviews."), field="reviews_per_submission"
        )
    if not values.criteria:
        raise InvalidCall(_("Name at least one review criterion."), field="criteria")
    if len(values.criteria) > MAX_CRITERIA:
        raise InvalidCall(_("At most %(n)d review criteria.", n=MAX_CRITERIA), field="criteria")
    names = set()
    for name, weight in values.criteria:
        if not name or len(name) > 120:
            raise InvalidCall(
                _("Each criterion needs a name of at most 120 characters."), field="criteria"
            )
        if not 1 <= weight <= MAX_WEIGHT:
            raise InvalidCall(
                _("Each weight must be between 1 and %(n)d.", n=MAX_WEIGHT), field="criteria"
            )
        if name.casefold() in names:
            raise InvalidCall(_("Two criteria have the same name."), field="criteria")
        names.add(name.casefold())
    try:
        deadline = event_services.local_to_utc(values.deadline, event.timezone)
    except event_services.NonexistentLocalTime as exc:
        raise InvalidCall(str(exc), field="deadline") from None
    if deadline > event.ends_at:
        raise InvalidCall(_("The deadline must be before the event ends."), field="deadline")
    if values.decision_on and values.decision_on < values.deadline.date():
        raise InvalidCall(
            _("The decision date cannot be before the deadline."), field="decision_on"
        )
    return deadline


def save_call(event: Event, values: CallValues) -> Call:
    """Open the event's call, or change it; the deadline is read in the event's zone."""
    deadline = _validate(values, event)
    call = call_for_event(event.id)
    if call is None:
        call = Call(event_id=event.id, event=event)
        db.session.add(call)
    call.scope = values.scope.strip()
    call.types = ",".join(t for t in CONTRIBUTION_TYPES if t in values.types)
    call.tracks = "\n".join(t.strip() for t in values.tracks if t.strip())
    call.abstract_word_limit = values.abstract_word_limit
    call.pdf_required = values.pdf_required
    call.deadline_at = deadline
    call.blind_mode = values.blind_mode
    call.reviews_per_submission = values.reviews_per_submission
    call.decision_on = values.decision_on
    _set_criteria(call, values.criteria)
    db.session.flush()
    logger.info("call %s of event %s saved", call.id, event.id)
    return call


def _set_criteria(call: Call, criteria: list[tuple[str, int]]) -> None:
    by_name = {c.name.casefold(): c for c in call.criteria}
    kept = []
    for position, (name, weight) in enumerate(criteria):
        criterion = by_name.pop(name.casefold(), None) or Criterion(name=name)
        criterion.name, criterion.weight, criterion.position = name, weight, position
        kept.append(criterion)
    call.criteria = kept


def closes_in(call: Call, now: datetime | None = None) -> str | None:
    """ "Closes in 3 days" (hours, minutes when near); None once closed."""
    left = call.deadline_at - (now or utcnow())
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return None
    if seconds >= 2 * 86400:
        days = seconds // 86400
        return ngettext("Closes in %(num)d day.", "Closes in %(num)d days.", days)
    if seconds >= 3600:
        hours = seconds // 3600
        return ngettext("Closes in %(num)d hour.", "Closes in %(num)d hours.", hours)
    minutes = max(1, seconds // 60)
    return ngettext("Closes in %(num)d minute.", "Closes in %(num)d minutes.", minutes)


def public_call(slug: str, member=None) -> Call | None:
    """The call of a visible, not cancelled event, or None."""
    event = event_services.load_event_page(slug)
    if event is None or not event_services.is_visible(event, member):
        return None
    return call_for_event(event.id)
