"""Consent rules: how long a choice lasts, which choice wins at sign-in, the log, purge,
export, and the aggregated page-view counts. Nothing here reads the request; the
request-bound helpers (allows, preference, remember_preference) live in `gate` and are
re-exported at the bottom for callers that only import services."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from interacta.consent import registry
from interacta.consent.models import ConsentChoice, ConsentLogEntry, PageView, VisitorDay
from interacta.core.errors import DomainError
from interacta.core.models import utcnow
from interacta.extensions import db
from interacta.members.models import Member

logger = logging.getLogger(__name__)

#: An acceptance (any optional category allowed) is asked again after 12 months.
ACCEPTANCE_LIFETIME = timedelta(days=365)
#: A refusal of everything optional is not asked again for 6 months.
REFUSAL_LIFETIME = timedelta(days=183)

ACTIONS = ("accept_all", "reject_all", "custom", "withdraw", "gpc", "signin_merge")
#: What a consent form may ask for (`values_for`).
FORM_ACTIONS = ("accept_all", "reject_all", "custom", "allow")


class ConsentError(DomainError):
    """A consent form asked for something that does not exist (400)."""


@dataclass(frozen=True)
class Choice:
    performance: bool
    functionality: bool
    targeting: bool
    action: str
    policy_version: int
    chosen_at: datetime

    @property
    def is_refusal(self) -> bool:
        return not (self.performance or self.functionality or self.targeting)

    @property
    def expires_at(self) -> datetime:
        lifetime = REFUSAL_LIFETIME if self.is_refusal else ACCEPTANCE_LIFETIME
        return self.chosen_at + lifetime

    def allows(self, category: str) -> bool:
        if category == registry.NECESSARY:
            return True
        if category not in registry.OPTIONAL:
            raise ValueError(f"unknown cookie category {category!r}")
        return bool(getattr(self, category))

    def is_valid(self, now: datetime, policy_version: int) -> bool:
        """In force now: not expired, and an acceptance must be of the current policy version
        (a refusal stays a refusal when the policy changes)."""
        if now >= self.expires_at:
            return False
        return self.is_refusal or self.policy_version >= policy_version

    def values(self) -> dict[str, bool]:
        return {c: bool(getattr(self, c)) for c in registry.OPTIONAL}

    def to_dict(self) -> dict:
        return {
            "p": self.performance,
            "f": self.functionality,
            "t": self.targeting,
            "a": self.action,
            "v": self.policy_version,
            "at": self.chosen_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data) -> Choice | None:
        """The choice kept in a session, or None if there is none or it is malformed."""
        if not isinstance(data, dict):
            return None
        try:
            chosen_at = datetime.fromisoformat(data["at"])
            if chosen_at.tzinfo is None:
                return None
            return cls(
                bool(data["p"]),
                bool(data["f"]),
                bool(data["t"]),
                str(data["a"]),
                int(data["v"]),
                chosen_at,
            )
        except (KeyError, TypeError, ValueError):
            return None

    @classmethod
    def from_row(cls, row: ConsentChoice | None) -> Choice | None:
        if row is None:
            return None
        return cls(
            row.performance,
            row.functionality,
            row.targeting,
            row.action,
            row.policy_version,
            row.chosen_at,
        )


def make_choice(
    values: dict[str, bool], action: str, policy_version: int, now: datetime | None = None
) -> Choice:
    """A new choice from the three optional values."""
    if action not in ACTIONS:
        raise ValueError(f"unknown consent action {action!r}")
    return Choice(
        bool(values.get(registry.PERFORMANCE)),
        bool(values.get(registry.FUNCTIONALITY)),
        bool(values.get(registry.TARGETING)),
        action,
        policy_version,
        now or utcnow(),
    )


def classify(values: dict[str, bool], previous: Choice | None) -> str:
    """The log action for a choice made on the Cookie Management page."""
    if all(values.get(c) for c in registry.OPTIONAL):
        return "accept_all"
    if previous and any(previous.allows(c) and not values.get(c) for c in registry.OPTIONAL):
        return "withdraw"
    if not any(values.get(c) for c in registry.OPTIONAL):
        return "reject_all"
    return "custom"


def values_for(
    action: str, form_values: dict[str, bool], category: str | None, current: Choice | None
) -> tuple[dict[str, bool], str]:
    """The category values and the log action of a consent form's `action`: accept or
    reject all, `form_values` (Cookie Management), or "allow" one `category` on top of the
    choice in force `current` (a video placeholder's button)."""
    if action == "accept_all":
        return dict.fromkeys(registry.OPTIONAL, True), action
    if action == "reject_all":
        return dict.fromkeys(registry.OPTIONAL, False), action
    if action == "custom":
        values = {c: bool(form_values.get(c)) for c in registry.OPTIONAL}
        return values, classify(values, current)
    if action == "allow":
        if category not in registry.OPTIONAL:
            raise ConsentError(_("Unknown cookie category."))
        values = current.values() if current else {}
        values[category] = True
        return values, classify(values, current)
    raise ConsentError(_("Unknown choice."))


def merge_at_signin(
    session_choice: Choice | None, account_choice: Choice | None, now: datetime, version: int
) -> Choice | None:
    """The choice in force after sign-in: the newest one still valid under the current policy.

    Expired choices and acceptances of an older policy take no part, so an old record never
    turns a newer refusal into an acceptance.
    """
    valid = [c for c in (session_choice, account_choice) if c and c.is_valid(now, version)]
    if not valid:
        return None
    return max(valid, key=lambda c: c.chosen_at)


def save_member_choice(member_id: int, choice: Choice) -> ConsentChoice:
    """Store `choice` as the member's current choice (one row per member)."""
    row = db.session.get(ConsentChoice, member_id)
    if row is None:
        row = ConsentChoice(member_id=member_id)
        db.session.add(row)
    row.performance = choice.performance
    row.functionality = choice.functionality
    row.targeting = choice.targeting
    row.action = choice.action
    row.policy_version = choice.policy_version
    row.chosen_at = choice.chosen_at
    db.session.flush()
    return row


def member_choice(member_id: int) -> Choice | None:
    return Choice.from_row(db.session.get(ConsentChoice, member_id))


def new_subject_id() -> str:
    return uuid.uuid4().hex


def append_log(
    choice: Choice,
    *,
    member_id: int | None,
    subject_id: str | None,
    policy_hash: str,
    action: str | None = None,
    now: datetime | None = None,
) -> ConsentLogEntry:
    """Append one entry to the consent log (never updated afterwards)."""
    entry = ConsentLogEntry(
        consent_id=str(uuid.uuid4()),
        member_id=member_id,
        subject_id=None if member_id else subject_id,
        necessary=True,
        performance=choice.performance,
        functionality=choice.functionality,
        targeting=choice.targeting,
        action=action or choice.action,
        policy_version=choice.policy_version,
        policy_hash=policy_hash,
        recorded_at=now or utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def purge_anonymous(retention_days: int, now: datetime | None = None) -> int:
    """Delete log entries older than `retention_days` of anonymous subjects (and of erased
    accounts, which are anonymous now); return their count."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    erased = sa.select(Member.id).where(Member.email.is_(None))
    result = db.session.execute(
        sa.delete(ConsentLogEntry)
        .where(
            sa.or_(ConsentLogEntry.member_id.is_(None), ConsentLogEntry.member_id.in_(erased)),
            ConsentLogEntry.recorded_at < cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


LOG_COLUMNS = (
    "consent_id",
    "member_id",
    "subject_id",
    "necessary",
    "performance",
    "functionality",
    "targeting",
    "action",
    "policy_version",
    "policy_hash",
    "recorded_at",
)


def _entry_dict(entry: ConsentLogEntry) -> dict:
    """One log entry, column by column (`LOG_COLUMNS`), the time as ISO 8601."""
    row = {column: getattr(entry, column) for column in LOG_COLUMNS}
    row["recorded_at"] = entry.recorded_at.isoformat()
    return row


def log_csv_rows(batch: int = 1000):
    """The whole consent log as CSV text chunks, oldest first (streamed, fixed memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LOG_COLUMNS)
    last_id = 0
    while True:
        entries = list(
            db.session.scalars(
                sa.select(ConsentLogEntry)
                .where(ConsentLogEntry.id > last_id)
                .order_by(ConsentLogEntry.id)
                .limit(batch)
            )
        )
        for entry in entries:
            row = _entry_dict(entry)
            writer.writerow([row[c] for c in LOG_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(entries) < batch:
            return
        last_id = entries[-1].id


def export_member(member) -> dict:
    """The member's current cookie choice and their whole consent history."""
    current = member_choice(member.id)
    history = db.session.scalars(
        sa.select(ConsentLogEntry)
        .where(ConsentLogEntry.member_id == member.id)
        .order_by(ConsentLogEntry.recorded_at, ConsentLogEntry.id)
    )
    return {
        "current_choice": (
            {
                **current.values(),
                "action": current.action,
                "policy_version": current.policy_version,
                "chosen_at": current.chosen_at.isoformat(),
            }
            if current
            else None
        ),
        "history": [_entry_dict(e) for e in history],
    }


def erase_member(member) -> None:
    """Forget the member's current choice; the log rows stay as proof of consent (README)."""
    db.session.execute(sa.delete(ConsentChoice).where(ConsentChoice.member_id == member.id))


# Aggregated page views --------------------------------------------------------------------


def _upsert(session, table, values: dict, index: list[str], increments: dict[str, int]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values, **increments)
    stmt = stmt.on_conflict_do_update(
        index_elements=index,
        set_={k: getattr(table.c, k) + v for k, v in increments.items()},
    )
    session.execute(stmt)


def count_page_view(path: str, day: date, new_visitor: bool, session=None) -> None:
    """Add one view of `path` on `day`, and one visitor to the day if `new_visitor`
    (in `session`, by default the request's)."""
    session = session or db.session
    _upsert(
        session,
        PageView.__table__,
        {"day": day, "path": path[:300]},
        ["day", "path"],
        {"views": 1},
    )
    if new_visitor:
        _upsert(session, VisitorDay.__table__, {"day": day}, ["day"], {"visitors": 1})


@dataclass(frozen=True)
class DayStats:
    day: date
    views: int
    visitors: int


def daily_stats(today: date, days: int = 30) -> list[DayStats]:
    """Views and unique visitors for each of the last `days` days up to `today`, oldest first."""
    first = today - timedelta(days=days - 1)
    views = dict(
        db.session.execute(
            sa.select(PageView.day, sa.func.sum(PageView.views))
            .where(PageView.day >= first, PageView.day <= today)
            .group_by(PageView.day)
        ).all()
    )
    visitors = dict(
        db.session.execute(
            sa.select(VisitorDay.day, VisitorDay.visitors).where(
                VisitorDay.day >= first, VisitorDay.day <= today
            )
        ).all()
    )
    return [
        DayStats(d, int(views.get(d, 0) or 0), int(visitors.get(d, 0) or 0))
        for d in (first + timedelta(days=i) for i in range(days))
    ]


def top_paths(today: date, days: int = 30, limit: int = 20) -> list[tuple[str, int]]:
    first = today - timedelta(days=days - 1)
    total = sa.func.sum(PageView.views).label("total")
    return [
        (path, int(n))
        for path, n in db.session.execute(
            sa.select(PageView.path, total)
            .where(PageView.day >= first, PageView.day <= today)
            .group_by(PageView.path)
            .order_by(total.desc(), PageView.path)
            .limit(limit)
        ).all()
    ]


def with_action(choice: Choice, action: str) -> Choice:
    return replace(choice, action=action)
