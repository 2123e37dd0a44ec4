"""Organisations: creating them, their logos, and what their pages show."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from interacta.core.content import clean_translations, content_language, replace_translations
from interacta.core.models import utcnow
from interacta.core.text import slugify
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
    )
    db.session.add(org)
    set_names(org, names or {})
    if logo is not None:
        set_logo(org, logo)
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
    db.session.flush()


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
