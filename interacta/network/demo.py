"""Demo partner organisations with simple logos, linked to demo members, events and
authors whose affiliation names them, and the demo member's weekly digest. Running it twice
changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events.models import KINDS as EVENT_KINDS
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members.models import Member
from interacta.network import services
from interacta.network.models import Organisation, Subscription
from interacta.publications.models import KINDS as PUBLICATION_KINDS
from interacta.publications.models import PublicationAuthor

#: name, short name, kind, country, partner since, colour, names in other languages,
#: also matched in members' and authors' free-text affiliations
PARTNERS = (
    ("CIMIC Centre of Excellence", "CCOE", "coe", "NL", 2014, "#1f4e79",
     {"fr": "Centre d'excellence COCIM", "de": "CIMIC-Exzellenzzentrum",
      "sl": "Center odličnosti CIMIC"}),
    ("Multinational CIMIC Command", "MN CIMIC", "armed_forces", "DE", 2016, "#4b5320", {}),
    ("UN Office for the Coordination of Humanitarian Affairs", "UN OCHA", "international",
     "CH", 2015, "#0b6fb3",
     {"fr": "Bureau de la coordination des affaires humanitaires",
      "de": "Amt der Vereinten Nationen für die Koordinierung humanitärer Angelegenheiten",
      "sl": "Urad ZN za usklajevanje humanitarnih zadev"}),
    ("University of Ljubljana", "UL", "university", "SI", 2013, "#a6192e",
     {"fr": "Université de Ljubljana", "de": "Universität Ljubljana",
      "sl": "Univerza v Ljubljani"}),
    ("Polish Humanitarian Action", "PAH", "ngo", "PL", 2018, "#e35205", {}),
    ("Swedish Civil Contingencies Agency", "MSB", "government", "SE", 2019, "#006aa7", {}),
)  # fmt: skip
#: Affiliations as the demo members write them -> the organisation's name.
ALIASES = {"UN OCHA": "UN Office for the Coordination of Humanitarian Affairs"}


def logo_svg(short: str, colour: str) -> bytes:
    """A plain round logo with the organisation's initials."""
    letters = "".join(c for c in short if c.isalnum())[:4]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="96" height="96">'
        f'<title>{letters}</title><circle cx="48" cy="48" r="46" fill="{colour}"/>'
        '<text x="48" y="56" font-family="sans-serif" font-size="22" font-weight="bold" '
        f'fill="#ffffff" text-anchor="middle">{letters}</text></svg>'
    ).encode()


def seed_demo() -> None:
    by_name: dict[str, Organisation] = {}
    for name, short, kind, country, since, colour, names in PARTNERS:
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
        if org is None:
            org = services.create_organisation(
                name,
                short_name=short,
                kind=kind,
                country=country,
                website="https://example.org/" + short.lower().replace(" ", "-"),
                description=f"{name} is a partner of the network since {since}.",
                names=names,
                is_partner=True,
                partner_since=date(since, 1, 1),
                logo=logo_svg(short, colour),
            )
        elif not org.is_partner:  # proposed by a demo member before the partners came
            services.update_organisation(
                org,
                short_name=short,
                kind=kind,
                country=country,
                names=names,
                is_partner=True,
                partner_since=date(since, 1, 1),
                is_confirmed=True,
                logo=logo_svg(short, colour),
            )
        by_name[name] = org
    for member in db.session.scalars(
        sa.select(Member).where(Member.organisation_id.is_(None), Member.affiliation.is_not(None))
    ):
        org = by_name.get(ALIASES.get(member.affiliation, member.affiliation))
        if org is not None:
            member.organisation_id = org.id
    for author in db.session.scalars(
        sa.select(PublicationAuthor).where(
            PublicationAuthor.organisation_id.is_(None), PublicationAuthor.affiliation.is_not(None)
        )
    ):
        org = by_name.get(ALIASES.get(author.affiliation, author.affiliation))
        if org is not None:
            author.organisation_id = org.id
    events = list(
        db.session.scalars(
            sa.select(Event).where(Event.status == "published").order_by(Event.starts_at).limit(4)
        )
    )
    coe = by_name["CIMIC Centre of Excellence"]
    for i, event in enumerate(events):
        if not services.co_organisers(event.id):
            partner = by_name[PARTNERS[i % 3 + 1][0]]
            services.set_co_organisers(event, [coe.id, partner.id])
    db.session.flush()


DEMO_SUBSCRIBER = "member@interacta.example"


def seed_demo_subscription() -> None:
    """A weekly digest of every topic and kind for the demo member, started before the
    demo events and publications were published, so `flask digests send --now` puts a
    digest in the dev mailbox. Skipped when the member has one."""
    member = db.session.scalar(sa.select(Member).where(Member.email == DEMO_SUBSCRIBER))
    if member is None:
        return
    if db.session.scalar(sa.select(Subscription.id).where(Subscription.member_id == member.id)):
        return
    db.session.add(
        Subscription(
            member_id=member.id,
            frequency="weekly",
            event_kinds=list(EVENT_KINDS),
            publication_kinds=list(PUBLICATION_KINDS),
            started_at=utcnow() - timedelta(days=60),
        )
    )
    db.session.commit()
