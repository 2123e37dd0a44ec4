"""Organisations: creating them, their logos, and what their pages show."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from interacta.core.content import (
    clean_translations,
    content_language,
    replace_translations,
    translated,
)
from interacta.core.errors import DomainError
from interacta.core.models import utcnow
from interacta.core.text import slugify
from interacta.core.urls import external_url
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member
from interacta.network.logos import clean_logo
from interacta.network.models import (
    KINDS,
    Organisation,
    OrganisationTranslation,
    event_organisations,
)
from interacta.publications.models import Publication, PublicationAuthor

logger = logging.getLogger(__name__)

NAME_FIELDS = ("name",)
#: Where a request keeps the events' co-organisers once read (flask.g).
_MAP_KEY = "network_co_organisers"


def unique_slug(name: str, exclude_id: int | None = None) -> str:
    """A slug from `name` that no other organisation has."""
    base = slugify(name, max_length=100, fallback="organisation")
    slug, n = base, 1
    while True:
        query = sa.select(Organisation.id).where(Organisation.slug == slug)
        if exclude_id is not None:
            query = query.where(Organisation.id != exclude_id)
        if db.session.scalar(query) is None:
            return slug
        n += 1
        slug = f"{base}-{n}"


def create_organisation(
    name: str,
    *,
    kind: str = "international",
    short_name: str | None = None,
    country: str | None = None,
    website: str | None = None,
    description: str = "",
    language: str = "en",
    names: dict[str, str] | None = None,
    is_partner: bool = False,
    partner_since: date | None = None,
    is_confirmed: bool = True,
    logo: bytes | None = None,
) -> Organisation:
    """A new organisation record (flushed); `names` gives its name in other languages."""
    name = (name or "").strip()
    cleaned = clean_logo(logo) if logo else (None, None)  # refused before anything is added
    org = Organisation(
        slug=unique_slug(name),
        name=name,
        language=content_language(language),
        kind=kind if kind in KINDS else "international",
        short_name=(short_name or "").strip() or None,
        country=(country or "").strip().upper() or None,
        website=clean_website(website),
        description=description or "",
        is_partner=is_partner,
        partner_since=partner_since,
        is_confirmed=is_confirmed,
        logo=cleaned[0],
        logo_type=cleaned[1],
    )
    db.session.add(org)
    set_names(org, names or {})
    db.session.flush()
    return org


def clean_website(url: str | None) -> str | None:
    """An http(s) address, or None (a page links it: no javascript: or data: links)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else None


def set_names(org: Organisation, names: dict[str, str]) -> bool:
    """Make the organisation's other-language names exactly `names` (language -> name)."""
    given = {lang: {"name": text} for lang, text in names.items() if lang != org.language}
    return replace_translations(
        org, clean_translations(given, NAME_FIELDS), OrganisationTranslation
    )


def set_logo(org: Organisation, data: bytes) -> None:
    """Store the cleaned logo (a sanitised SVG or a re-encoded PNG); LogoRejected else."""
    org.logo, org.logo_type = clean_logo(data)


def partners_by_kind() -> list[tuple[str, list[Organisation]]]:
    """The partners grouped by kind, in KINDS' order, each group by name (one query)."""
    rows = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.is_partner.is_(True))
        .options(selectinload(Organisation.translations))
        .order_by(Organisation.name)
    ).all()
    return [
        (kind, [o for o in rows if o.kind == kind])
        for kind in KINDS
        if any(o.kind == kind for o in rows)
    ]


@dataclass
class OrganisationPage:
    organisation: Organisation
    events: list[Event]
    publications: list[Publication]
    members: list[Member]


def organisation_page(slug: str) -> OrganisationPage | None:
    """What `/organisations/<slug>` shows, in a fixed number of queries."""
    org = db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.slug == slug)
        .options(selectinload(Organisation.translations))
    )
    if org is None:
        return None
    events = db.session.scalars(
        sa.select(Event)
        .join(event_organisations, event_organisations.c.event_id == Event.id)
        .where(event_organisations.c.organisation_id == org.id, Event.status == "published")
        .options(selectinload(Event.translations))
        .order_by(Event.starts_at.desc())
        .limit(50)
    ).all()
    publications = db.session.scalars(
        sa.select(Publication)
        .where(
            Publication.status == "published",
            Publication.id.in_(
                sa.select(PublicationAuthor.publication_id).where(
                    PublicationAuthor.organisation_id == org.id
                )
            ),
        )
        .options(selectinload(Publication.translations), selectinload(Publication.authors))
        .order_by(Publication.year.desc(), Publication.id.desc())
        .limit(50)
    ).all()
    members = db.session.scalars(
        sa.select(Member)
        .where(
            Member.organisation_id == org.id,
            Member.show_in_directory.is_(True),
            Member.is_active.is_(True),
            Member.erased_at.is_(None),
        )
        .order_by(Member.name)
    ).all()
    return OrganisationPage(org, list(events), list(publications), list(members))


def co_organisers(event_id: int) -> list[Organisation]:
    """The organisations an event names as co-organisers, by name."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(event_organisations, event_organisations.c.organisation_id == Organisation.id)
            .where(event_organisations.c.event_id == event_id)
            .options(selectinload(Organisation.translations))
            .order_by(Organisation.name)
        )
    )


def set_co_organisers(event: Event, organisation_ids: list[int]) -> None:
    """Make the event's co-organisers exactly these organisations."""
    db.session.execute(
        sa.delete(event_organisations).where(event_organisations.c.event_id == event.id)
    )
    for org_id in dict.fromkeys(organisation_ids):
        db.session.execute(
            sa.insert(event_organisations).values(event_id=event.id, organisation_id=org_id)
        )
    event.updated_at = utcnow()  # the event's and the organisations' pages show it
    g.pop(_MAP_KEY, None)
    db.session.flush()


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


class CannotMerge(DomainError):
    status_code = 400
    field = "into"


def merge(keep: Organisation, gone: Organisation) -> dict[str, int]:
    """Move `gone`'s members, publication authors and co-organised events to `keep`, then
    delete `gone`. Returns how many of each moved."""
    if keep.id == gone.id:
        raise CannotMerge(_("An organisation cannot be merged into itself."))
    moved = {}
    moved["members"] = db.session.execute(
        sa.update(Member)
        .where(Member.organisation_id == gone.id)
        .values(organisation_id=keep.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    moved["authors"] = db.session.execute(
        sa.update(PublicationAuthor)
        .where(PublicationAuthor.organisation_id == gone.id)
        .values(organisation_id=keep.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    kept_events = sa.select(event_organisations.c.event_id).where(
        event_organisations.c.organisation_id == keep.id
    )
    moved["events"] = db.session.execute(
        sa.update(event_organisations)
        .where(
            event_organisations.c.organisation_id == gone.id,
            event_organisations.c.event_id.not_in(kept_events),
        )
        .values(organisation_id=keep.id)
    ).rowcount
    db.session.execute(
        sa.delete(event_organisations).where(event_organisations.c.organisation_id == gone.id)
    )
    if gone.is_partner and not keep.is_partner:
        keep.is_partner, keep.partner_since = True, gone.partner_since
    if keep.logo is None and gone.logo is not None:
        keep.logo, keep.logo_type = gone.logo, gone.logo_type
    keep.is_confirmed = True
    g.pop(_MAP_KEY, None)
    keep.updated_at = utcnow()
    db.session.delete(gone)
    db.session.flush()
    logger.info("organisation %s merged into %s: %s", gone.slug, keep.slug, moved)
    return moved


def update_organisation(org: Organisation, **values) -> None:
    """Change an organisation's fields (the same names as create_organisation's)."""
    names = values.pop("names", None)
    logo = values.pop("logo", None)
    if logo:  # refused before anything changes
        set_logo(org, logo)
    if "name" in values:
        org.name = (values.pop("name") or "").strip()
    if "website" in values:
        org.website = clean_website(values.pop("website"))
    for key in ("short_name", "country"):
        if key in values:
            text = (values.pop(key) or "").strip()
            setattr(org, key, (text.upper() if key == "country" else text) or None)
    if values.get("kind") not in KINDS:
        values.pop("kind", None)
    for key, value in values.items():
        setattr(org, key, value)
    if names is not None:
        set_names(org, names)
    org.updated_at = utcnow()
    db.session.flush()


def admin_listing() -> list[Organisation]:
    """Every organisation, unconfirmed first, then by name."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .options(selectinload(Organisation.translations))
            .order_by(Organisation.is_confirmed, Organisation.name)
        )
    )


def prefetch_co_organisers(event_ids: list[int]) -> list:
    """Read the co-organisers of these events at once (two queries), kept for the request:
    a calendar feed asks about each of its events, 500 at a time. Answers nothing (the
    `event_calendar_prefetch` question)."""
    known = g.setdefault(_MAP_KEY, {})
    wanted = sorted({i for i in event_ids if i not in known})
    if wanted:
        rows = db.session.execute(_co_organisers_statement(), {"event_ids": wanted}).all()
        for event_id in wanted:
            known[event_id] = []
        for event_id, org in rows:
            known[event_id].append(org)
    return []


@functools.cache
def _co_organisers_statement() -> sa.Select:
    """Built once with its cache key (every event page asks): the ids are bound when run."""
    return (
        sa.select(event_organisations.c.event_id, Organisation)
        .join(Organisation, Organisation.id == event_organisations.c.organisation_id)
        .where(event_organisations.c.event_id.in_(sa.bindparam("event_ids", expanding=True)))
        .options(selectinload(Organisation.translations))
        .order_by(Organisation.name)
    )


def may_have_co_organisers(event_id_column):
    """The event page's condition for its co-organisers' section (read with the event)."""
    return sa.exists().where(event_organisations.c.event_id == event_id_column)


def no_co_organisers(event: Event) -> dict:
    """The section's context for an event without co-organisers, known for the request
    (its JSON-LD asks again)."""
    g.setdefault(_MAP_KEY, {})[event.id] = []
    return {"co_organisers": []}


def event_co_organisers(event_id: int) -> list[Organisation]:
    """The event's co-organisers by name, read once for the request: for this event alone
    unless prefetched (an event page reads its own, not every event's), then shared by the
    page's section, its JSON-LD and the calendar notes."""
    known = g.get(_MAP_KEY)
    if known is None or event_id not in known:
        prefetch_co_organisers([event_id])
        known = g.get(_MAP_KEY)
    return known[event_id]


def organizers_jsonld(event: Event) -> list[dict]:
    """The event's co-organisers as schema.org Organization properties."""
    return [
        {
            "name": translated(org, "name").text,
            "url": str(external_url("network.organisation", slug=org.slug)),
        }
        for org in event_co_organisers(event.id)
    ]


def calendar_notes(event: Event) -> list[str]:
    """A line for the event's calendar entry naming its co-organisers, if any."""
    names = [translated(org, "name").text for org in event_co_organisers(event.id)]
    return [_("Co-organised by %(names)s", names=", ".join(names))] if names else []


def confirmed_organisations() -> list[Organisation]:
    """The confirmed records, by name (what organizers and members pick from)."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.is_confirmed.is_(True))
            .options(selectinload(Organisation.translations))
            .order_by(Organisation.name)
        )
    )


def organisation_names() -> list[str]:
    """The confirmed records' names, for a type-ahead."""
    return list(
        db.session.scalars(
            sa.select(Organisation.name)
            .where(Organisation.is_confirmed.is_(True))
            .order_by(Organisation.name)
        )
    )


def export_member(member: Member) -> dict | None:
    """The organisation record the member is linked to."""
    if member.organisation_id is None:
        return None
    org = db.session.get(Organisation, member.organisation_id)
    return {"name": org.name, "confirmed": org.is_confirmed} if org else None


def erase_member(member: Member) -> None:
    """Unlink the member (the record is the organisation's, not the member's)."""
    member.organisation_id = None
