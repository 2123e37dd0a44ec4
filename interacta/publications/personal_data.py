"""What publications hold about a member (authorship), for the GDPR export and erasure
that members/ runs through the core registry."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.extensions import db
from interacta.publications.models import Publication, PublicationAuthor


def export_authorship(member) -> list[dict]:
    """The member's authorships, for their data export."""
    rows = db.session.execute(
        sa.select(Publication.title, Publication.slug, Publication.status, PublicationAuthor)
        .join(PublicationAuthor, PublicationAuthor.publication_id == Publication.id)
        .where(PublicationAuthor.member_id == member.id)
        .order_by(Publication.year.desc())
    ).all()
    return [
        {
            "publication": row.title,
            "slug": row.slug,
            "status": row.status,
            "author_name": row.PublicationAuthor.name,
            "affiliation": row.PublicationAuthor.affiliation,
            "orcid": row.PublicationAuthor.orcid,
            "position": row.PublicationAuthor.position + 1,
        }
        for row in rows
    ]


def erase_authorship(member) -> None:
    """Unlink the member from authorships and drop the ORCID iD they carried (linked
    authors take the member's); the printed author name of a published work stays, as it
    is part of the public scholarly record."""
    db.session.execute(
        sa.update(PublicationAuthor)
        .where(PublicationAuthor.member_id == member.id)
        .values(member_id=None, orcid=None)
    )
