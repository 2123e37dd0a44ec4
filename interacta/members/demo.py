"""Demo members: the three demo accounts and a varied crowd for the directory and charts."""

from __future__ import annotations

import click
import sqlalchemy as sa

from interacta.core.models import Topic, utcnow
from interacta.extensions import db
from interacta.members import services
from interacta.members.models import Member

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - development demo only, printed on seeding

ACCOUNTS = (
    ("admin@interacta.example", "Ada Admin", "admin"),
    ("organizer@interacta.example", "Olu Organizer", "organizer"),
    ("member@interacta.example", "Mia Member", "member"),
)

#: name, sector, country, affiliation, topic positions, in the directory
CROWD = (
    ("Amira Haddad", "civil_society", "LB", "Beirut Relief Network", (0, 8), True),
    ("Jonas Berg", "military", "NO", "Norwegian Armed Forces", (1, 2), True),
    ("Claire Dubois", "international_organisation", "FR", "UN OCHA", (0, 8, 10), True),
    ("Tomasz Nowak", "government", "PL", "Ministry of Interior", (5, 6), False),
    ("Sofia Rossi", "academia", "IT", "University of Bologna", (3, 4), True),
    ("Lukas Meier", "military", "DE", "Bundeswehr CIMIC Centre", (0, 9), True),
    ("Fatima Diallo", "civil_society", "SN", "Dakar Peace Forum", (10, 11), True),
    ("Henrik Larsen", "military", "DK", "Danish Defence", (1, 6), False),
    ("Eva Novak", "academia", "SI", "University of Ljubljana", (4, 11), True),
    ("Marko Horvat", "government", "HR", "Civil Protection Directorate", (7, 8), True),
    ("Aisha Khan", "international_organisation", "PK", "ICRC Delegation", (0, 3), False),
    ("Pieter de Vries", "military", "NL", "CIMIC Centre of Excellence", (0, 1, 9), True),
    ("Ana Silva", "student", "PT", "NOVA University Lisbon", (10,), True),
    ("Daniel Weber", "private_sector", "AT", "Secure Infrastructure GmbH", (6,), False),
    ("Ingrid Johansson", "government", "SE", "Swedish Civil Contingencies Agency", (7, 8), True),
    ("Kofi Mensah", "civil_society", "GH", "West Africa Civil Society Forum", (0, 10), True),
    ("Mateja Kos", "academia", "SI", "Faculty of Social Sciences", (2, 5), True),
    ("Luca Bianchi", "military", "IT", "Italian Army", (3,), False),
    ("Nina Petrova", "international_organisation", "AT", "OSCE", (10, 11), True),
    ("Omar Farouk", "student", "EG", "Cairo University", (4, 0), False),
    ("Greta Schulz", "military", "DE", "Multinational CIMIC Command", (8, 9), True),
    ("Jan Kowalski", "civil_society", "PL", "Polish Humanitarian Action", (0, 8), True),
)


def _member(email: str, name: str, **values) -> tuple[Member, bool]:
    member = services.find_by_email(email)
    if member is not None:
        return member, False
    member = Member(email=email, name=name, email_verified_at=utcnow(), **values)
    services.set_password(member, DEMO_PASSWORD)
    db.session.add(member)
    return member, True


def seed() -> None:
    """Create what is missing; running it twice changes nothing."""
    topics = list(db.session.scalars(sa.select(Topic).order_by(Topic.position)))
    for email, name, role in ACCOUNTS:
        _member(
            email,
            name,
            role=role,
            affiliation="Interacta",
            sector="academia" if role == "member" else "civil_society",
            country="SI",
            show_in_directory=role != "admin",
        )
    for i, (name, sector, country, affiliation, positions, listed) in enumerate(CROWD, 1):
        member, created = _member(
            f"demo{i}@interacta.example",
            name,
            sector=sector,
            country=country,
            affiliation=affiliation,
            show_in_directory=listed,
            bio=f"{name} works on civil-military interaction at {affiliation}.",
        )
        if created:
            member.interests = [topics[p] for p in positions if p < len(topics)]
    db.session.flush()
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role in ACCOUNTS:
        click.echo(f"  {role:<9} {email}")
