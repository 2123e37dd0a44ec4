"""The rules of membership: joining, verification, signing in, profile, roles, erasure.

Services take plain values, flush, and raise domain errors; views commit and render.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from interacta.core.cache import cached
from interacta.core.cache import fingerprint as data_fingerprint
from interacta.core.deferred import DeferredPagination
from interacta.core.errors import DomainError
from interacta.core.i18n import LANGUAGES, current_language, normalize_language
from interacta.core.models import Topic, utcnow
from interacta.core.registry import erase_member_data
from interacta.core.text import normalize_email
from interacta.core.timezones import is_valid_timezone
from interacta.extensions import db
from interacta.members import notifications, tokens
from interacta.members.countries import country_name, is_country
from interacta.members.models import ROLES, SECTOR_LABELS, AuditLog, Member
from interacta.members.passwords import (
    burn_time,
    fingerprint,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

logger = logging.getLogger(__name__)


class MemberError(DomainError):
    """A membership rule was broken; the message is meant for the person who tried."""


class PasswordRejected(MemberError):
    pass


class LoginFailed(MemberError):
    """Wrong credentials (one message for every cause), or a wrong password confirmation."""


class NotVerified(MemberError):
    def __init__(self, member: Member):
        super().__init__(_("Please confirm your email address first."))
        self.member = member


class RoleChangeRefused(MemberError):
    """An admin action on an account that the rules do not allow (409)."""

    status_code = 409


def find_by_email(email: str) -> Member | None:
    address = normalize_email(email)
    if not address:
        return None
    return db.session.scalar(sa.select(Member).where(Member.email == address))


# -- passwords ---------------------------------------------------------------------------


def set_password(member: Member, password: str) -> None:
    """Store an argon2id hash of `password` (rules are checked by `validate_password`)."""
    member.password_hash = hash_password(password)
    member.password_changed_at = utcnow()


def validate_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise PasswordRejected(problem)


def check_password(member: Member, password: str) -> bool:
    """True if `password` is the member's; upgrades the hash when the parameters changed."""
    if not verify_password(member.password_hash, password):
        return False
    if needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)  # same password: no mail, no token loss
        logger.info("rehashed the password of member %s", member.id)
    return True


# -- joining and verification ------------------------------------------------------------


def topics_by_ids(ids) -> list[Topic]:
    ids = [int(i) for i in ids or []]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(ids))))


def join(
    *,
    name: str,
    email: str,
    password: str,
    affiliation: str | None = None,
    sector: str | None = None,
    country: str | None = None,
    interest_ids=(),
    show_in_directory: bool = False,
    language: str | None = None,
) -> Member | None:
    """Create an unverified member and mail the link; an existing address is told instead.

    `language` (the page's, where they joined) is the account's: its pages after sign-in
    and its mails, starting with the verification link.

    Returns the new member, or None when the address already had an account (the caller
    must answer exactly as for a new one).
    """
    validate_password(password)
    address = normalize_email(email)
    existing = find_by_email(address)
    if existing is not None:
        burn_time(password)  # the same work as a new account, so timing tells nothing
        if existing.email_verified_at is None and existing.is_active:
            notifications.verification(existing)
        else:
            notifications.already_registered(existing)
        return None
    member = Member(
        email=address,
        name=name.strip(),
        affiliation=(affiliation or "").strip() or None,
        sector=sector if sector in SECTOR_LABELS else None,
        country=country if is_country(country) else None,
        show_in_directory=bool(show_in_directory),
        role="member",
        language=normalize_language(language if language is not None else current_language()),
    )
    member.interests = topics_by_ids(interest_ids)
    set_password(member, password)
    db.session.add(member)
    db.session.flush()
    notifications.verification(member)
    return member


def verify_email(token: str) -> Member:
    """Mark the address in `token` verified; each link works once."""
    data = tokens.read_token(tokens.VERIFY, token)
    member = db.session.get(Member, data.get("m"))
    if member is None or not member.is_active or member.email != data.get("e"):
        raise tokens.TokenError(_("This link is no longer valid."))
    if member.email_verified_at is not None:
        raise tokens.TokenError(_("This link has already been used. You can sign in."))
    member.email_verified_at = utcnow()
    db.session.flush()
    return member


def resend_verification(email: str) -> None:
    """Mail a fresh verification link if the address has an unverified account."""
    member = find_by_email(email)
    if member is not None and member.is_active and member.email_verified_at is None:
        notifications.verification(member)


# -- signing in and passwords ------------------------------------------------------------


def authenticate(email: str, password: str) -> Member:
    """The member with these credentials; LoginFailed (one message for all) or NotVerified."""
    member = find_by_email(email)
    if member is None:
        burn_time(password)
        raise LoginFailed(_("The email address or the password is not correct."))
    if not check_password(member, password) or not member.is_active:
        raise LoginFailed(_("The email address or the password is not correct."))
    if member.email_verified_at is None:
        raise NotVerified(member)
    member.last_login_at = utcnow()
    db.session.flush()
    return member


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account; silent otherwise."""
    member = find_by_email(email)
    if member is not None and member.is_active:
        notifications.password_reset(member)


def member_for_reset(token: str) -> Member:
    """The member a reset link is for; dead once used, after an hour, or after any change."""
    data = tokens.read_token(tokens.RESET, token)
    member = db.session.get(Member, data.get("m"))
    if member is None or not member.is_active or data.get("h") != fingerprint(member.password_hash):
        raise tokens.TokenError(
            _("This link has already been used or your password has changed since it was sent.")
        )
    return member


def reset_password(token: str, password: str) -> Member:
    member = member_for_reset(token)
    validate_password(password)
    set_password(member, password)
    if member.email_verified_at is None:
        member.email_verified_at = utcnow()  # the link proved the address
    db.session.flush()
    notifications.password_changed(member)
    return member


def change_password(member: Member, current: str, new: str) -> None:
    if not check_password(member, current):
        raise LoginFailed(_("Your current password is not correct."), field="current")
    validate_password(new)
    set_password(member, new)
    db.session.flush()
    notifications.password_changed(member)


# -- profile -------------------------------------------------------------------------------

ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")


def normalize_orcid(value: str | None) -> str | None:
    """0000-0002-1825-0097 form of an ORCID iD (also from its URL); ValueError if invalid."""
    text = (value or "").strip().upper()
    if not text:
        return None
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/", "ORCID.ORG/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    match = ORCID_RE.match(text)
    if not match:
        raise ValueError(_("An ORCID iD looks like 0000-0002-1825-0097."))
    digits = "".join(match.groups())
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise ValueError(_("This ORCID iD has a typo: its check digit does not match."))
    return "-".join(match.groups())


def update_profile(
    member: Member,
    *,
    name: str,
    affiliation: str | None,
    sector: str | None,
    country: str | None,
    interest_ids,
    bio: str | None,
    orcid: str | None,
    timezone: str,
    show_in_directory: bool,
    language: str | None = None,
) -> None:
    """Save the profile; `language` None keeps the account's language."""
    if not is_valid_timezone(timezone):
        raise MemberError(_("Choose a time zone from the list."), field="timezone")
    if language is not None and language not in LANGUAGES:
        raise MemberError(_("Choose a language from the list."), field="language")
    try:
        member.orcid = normalize_orcid(orcid)
    except ValueError as exc:
        raise MemberError(str(exc), field="orcid") from None
    member.name = name.strip()
    member.affiliation = (affiliation or "").strip() or None
    member.sector = sector if sector in SECTOR_LABELS else None
    member.country = country if is_country(country) else None
    member.interests = topics_by_ids(interest_ids)
    member.bio = (bio or "").strip() or None
    member.timezone = timezone
    member.show_in_directory = bool(show_in_directory)
    if language is not None:
        member.language = language
    db.session.flush()


def request_email_change(member: Member, new_email: str, password: str) -> None:
    """Mail a confirmation link to the new address; the old one stays until it is used."""
    if not check_password(member, password):
        raise LoginFailed(_("Your current password is not correct."), field="password")
    address = normalize_email(new_email)
    if address == member.email:
        raise MemberError(_("This is already your email address."), field="new_email")
    taken = find_by_email(address)
    if taken is not None:
        # Say nothing here (no enumeration); tell the owner of that address instead.
        notifications.already_registered(taken)
        return
    notifications.email_change_request(member, address)


def confirm_email_change(token: str) -> Member:
    data = tokens.read_token(tokens.EMAIL_CHANGE, token)
    member = db.session.get(Member, data.get("m"))
    if (
        member is None
        or not member.is_active
        or member.email != data.get("o")
        # A password change or reset, or "sign out everywhere", since the link was sent.
        or data.get("h") != fingerprint(member.password_hash)
        or data.get("s") != (member.session_token or "")
    ):
        raise tokens.TokenError(_("This link has already been used or is no longer valid."))
    new = data.get("n")
    if find_by_email(new) is not None:
        raise tokens.TokenError(_("This address now belongs to another account."))
    old = member.email
    member.email = new
    member.email_verified_at = utcnow()
    db.session.flush()
    notifications.email_changed(member, old)
    return member


# -- roles and the audit log ---------------------------------------------------------------


def audit(action: str, target: Member | None, detail: str, actor: Member | None, via: str):
    entry = AuditLog(
        action=action,
        target_id=target.id if target else None,
        actor_id=actor.id if actor else None,
        detail=detail[:500],
        via=via,
    )
    db.session.add(entry)
    return entry


def set_role(member: Member, role: str, *, actor: Member | None = None, via: str = "web") -> None:
    if role not in ROLES:
        raise RoleChangeRefused(
            _(
                "Unknown role %(role)s; use one of: %(roles)s.",
                role=repr(role),
                roles=", ".join(ROLES),
            )
        )
    if actor is not None and actor.id == member.id:
        raise RoleChangeRefused(_("You cannot change your own role."))
    if member.role == role:
        return
    audit("role", member, f"{member.role} -> {role}", actor, via)
    member.role = role
    db.session.flush()


def set_active(
    member: Member, active: bool, *, actor: Member | None = None, via: str = "web"
) -> None:
    if actor is not None and actor.id == member.id:
        raise RoleChangeRefused(_("You cannot deactivate your own account."))
    if member.erased_at is not None:
        raise RoleChangeRefused(_("This account has been erased."))
    if member.is_active == active:
        return
    audit("reactivate" if active else "deactivate", member, member.name, actor, via)
    member.is_active = active
    db.session.flush()


def create_admin(email: str, password: str, name: str | None = None) -> Member:
    """Create a verified admin, or make an existing account admin with this password."""
    validate_password(password)
    address = normalize_email(email)
    member = find_by_email(address)
    if member is None:
        member = Member(email=address, name=name or address.split("@")[0], role="member")
        member.email_verified_at = utcnow()
        db.session.add(member)
        db.session.flush()
        audit("create-admin", member, address, None, "cli")
    set_password(member, password)
    member.is_active = True
    set_role(member, "admin", via="cli")
    db.session.flush()
    return member


# -- data rights -------------------------------------------------------------------------


def export_profile(member: Member) -> dict:
    """The "profile" part of a member's data export."""
    return {
        "name": member.name,
        "email": member.email,
        "role": member.role,
        "affiliation": member.affiliation,
        "sector": member.sector_label or None,
        "country": member.country,
        "country_name": country_name(member.country) or None,
        "interests": [topic.name for topic in member.interests],
        "bio": member.bio,
        "orcid": member.orcid,
        "timezone": member.timezone,
        "language": member.language,
        "show_in_directory": member.show_in_directory,
        "joined_at": member.created_at.isoformat() if member.created_at else None,
        "email_verified_at": _iso(member.email_verified_at),
        "password_changed_at": _iso(member.password_changed_at),
        "last_login_at": _iso(member.last_login_at),
        "account_changes": [
            {"at": entry.created_at.isoformat(), "action": entry.action, "detail": entry.detail}
            for entry in db.session.scalars(
                sa.select(AuditLog).where(AuditLog.target_id == member.id).order_by(AuditLog.id)
            )
        ],
    }


def _iso(moment):
    return moment.isoformat() if moment else None


def erase_profile(member: Member) -> None:
    """The "profile" provider's part: the interests; the row itself is anonymised last."""
    member.interests = []


def erase_account(member: Member, password: str) -> None:
    """Erase everything about `member` (every provider), then anonymise the member row."""
    if not check_password(member, password):
        raise LoginFailed(_("Your password is not correct."), field="password")
    name, email = member.name, member.email
    notifications.account_erased(name, email, member.language)
    erase_member_data(member)
    audit("erase", member, "account erased by its owner", member, "web")
    member.email = None
    member.name = "Former member"
    member.password_hash = None
    member.affiliation = member.sector = member.country = None
    member.bio = member.orcid = None
    member.interests = []
    member.show_in_directory = False
    member.is_active = False
    member.email_verified_at = None
    member.last_login_at = member.password_changed_at = None
    member.role = "member"
    member.erased_at = utcnow()
    db.session.flush()


# -- directory and the network at a glance ------------------------------------------------


def directory_query(*, sector=None, country=None, topic=None, q=None):
    """Members who opted in to the directory, filtered, in its order; interests loaded
    with them."""
    return _listed(sector=sector, country=country, topic=topic, q=q).options(
        selectinload(Member.interests)
    )


def _listed(*, sector=None, country=None, topic=None, q=None):
    """The directory's select of members, filtered and in its order (no loader options)."""
    query = (
        sa.select(Member)
        .where(
            Member.show_in_directory.is_(True),
            Member.is_active.is_(True),
            Member.email_verified_at.is_not(None),
        )
        .order_by(Member.name, Member.id)
    )
    if sector:
        query = query.where(Member.sector == sector)
    if country:
        query = query.where(Member.country == country)
    if topic:
        query = query.where(Member.interests.any(Topic.slug == topic))
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Member.name).like(like),
                sa.func.lower(Member.affiliation).like(like),
            )
        )
    return query


class DirectoryPagination(DeferredPagination):
    """One page of the directory as stand-ins (`core.deferred`): rows of each member's id
    and `updated_at`, which name the member's card kept as HTML (the template's
    `cached_fragment`); the members, with their interests, are loaded together only if a
    card was not kept. Its total is counted over the members' ids alone, in the list's
    order: read from ix_members_directory by itself (it holds them), where a count of
    every column read each listed member's row (20,000 at ten times the data). The order
    stays: without it SQLite read the table rather than the index (PostgreSQL reads the
    index either way). The total is kept under the members' fingerprint for the same
    filters, so the directory's other pages do not count again."""

    def __init__(self, *, select, filters: tuple, **kwargs) -> None:
        self._ids = select.with_only_columns(Member.id)  # before the count the base runs
        self._filters = filters
        rows = select.with_only_columns(Member.id, Member.updated_at)
        super().__init__(select=rows, load=_members_with_interests, **kwargs)
        #: Names the topics as the cards show them: each card kept as HTML is named by
        #: it, its member's `updated_at` and id.
        self.topics_version = data_fingerprint(Topic)

    def _query_count(self) -> int:
        def count() -> int:
            ids = self._ids.subquery()
            return db.session.execute(sa.select(sa.func.count()).select_from(ids)).scalar()

        return cached("member-directory-count", self._filters, data_fingerprint(Member), count)


def _members_with_interests(ids: list[int]) -> list[Member]:
    query = sa.select(Member).where(Member.id.in_(ids)).options(selectinload(Member.interests))
    return list(db.session.scalars(query))


def directory_page(
    *, sector=None, country=None, topic=None, q=None, page: int, per_page: int
) -> DirectoryPagination:
    """One page of the directory for these filters, and the number of members it lists."""
    return DirectoryPagination(
        select=_listed(sector=sector, country=country, topic=topic, q=q),
        filters=(sector, country, topic, q),
        page=page,
        per_page=per_page,
        error_out=False,
    )


#: Counts below this are shown as "fewer than 5", so nobody can be singled out.
SMALL_COUNT = 5
TOP_COUNTRIES = 10


@dataclass(frozen=True)
class Bar:
    label: str
    count: int

    @property
    def is_small(self) -> bool:
        return self.count < SMALL_COUNT

    @property
    def text(self) -> str:
        return _("fewer than 5") if self.is_small else str(self.count)

    @property
    def shown(self) -> int:
        """The length to draw: small counts are all drawn alike."""
        return SMALL_COUNT if self.is_small else self.count


def _bars(rows: list[tuple], label) -> list[Bar]:
    """Bars for (value, count) rows, labelled by `label(value)`, the largest first."""
    return sorted((Bar(label(value), n) for value, n in rows), key=lambda b: (-b.count, b.label))


def _member_counts(version: str | None = None) -> dict:
    """Active, verified members: how many, and how many per sector and per country (values
    without one left out). Three counts over every member, so kept under the members'
    fingerprint: read again only after a member changes."""
    counted = sa.and_(Member.is_active.is_(True), Member.email_verified_at.is_not(None))

    def per(column) -> list[tuple]:
        query = sa.select(column, sa.func.count()).where(counted, column.is_not(None))
        return [tuple(row) for row in db.session.execute(query.group_by(column))]

    def build() -> dict:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(counted))
        return {"total": total or 0, "sector": per(Member.sector), "country": per(Member.country)}

    return cached("member-counts", (), version or data_fingerprint(Member), build)


def network_stats(version: str | None = None) -> dict:
    """Members per sector and per country (active, verified), for the charts; `version`:
    the members' fingerprint, when the caller has read it already."""
    counts = _member_counts(version)
    total = counts["total"]
    sectors = _bars(counts["sector"], lambda s: SECTOR_LABELS.get(s, s))
    countries = _bars(counts["country"], lambda c: country_name(c) or c)
    country_count = len(countries)
    if len(countries) > TOP_COUNTRIES:
        rest = countries[TOP_COUNTRIES:]
        countries = countries[:TOP_COUNTRIES] + [
            Bar(
                ngettext("%(num)d other country", "%(num)d other countries", len(rest)),
                sum(b.count for b in rest),
            )
        ]
    return {
        "total": Bar(_("All members"), total),
        "sectors": sectors,
        "countries": countries,
        "country_count": country_count,
    }


def network_charts() -> dict:
    """The charts' data as the templates take it: `version` (the members' fingerprint) and
    `stats` (network_stats, to call). The charts are kept as HTML under the version
    (`cached_fragment`), so a page missing the page cache neither labels a hundred
    countries nor draws the bars again until a member changes."""
    version = data_fingerprint(Member)
    return {"version": version, "stats": functools.partial(network_stats, version)}


def home_section() -> dict:
    """Context of the home page's "network at a glance" section."""
    return {"charts": network_charts()}
