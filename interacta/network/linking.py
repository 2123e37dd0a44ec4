"""Members name their organisation in the profile's free-text field (with a type-ahead of
the records); this links the member to the record of that name, or, for a name no record
has, to a new unconfirmed record an admin then confirms or merges. `members` knows nothing
of it: the link is made when the member row is flushed."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from interacta.core.models import utcnow
from interacta.members.models import Member
from interacta.network.models import Organisation, OrganisationTranslation

logger = logging.getLogger(__name__)


def find_or_propose(session: Session, text: str | None) -> int | None:
    """The id of the record named `text` (name, short name or a translated name, any case),
    confirmed ones first; a new unconfirmed record when none is."""
    name = (text or "").strip()
    if not name:
        return None
    key = name.lower()
    with session.no_autoflush:
        found = session.scalar(
            sa.select(Organisation.id)
            .where(
                sa.or_(
                    sa.func.lower(Organisation.name) == key,
                    sa.func.lower(Organisation.short_name) == key,
                    Organisation.id.in_(
                        sa.select(OrganisationTranslation.organisation_id).where(
                            sa.func.lower(OrganisationTranslation.name) == key
                        )
                    ),
                )
            )
            .order_by(Organisation.is_confirmed.desc(), Organisation.id)
            .limit(1)
        )
        if found is not None:
            return found
        from interacta.network.services import unique_slug

        now = utcnow()
        new_id = session.execute(
            sa.insert(Organisation)
            .values(
                slug=unique_slug(name),
                name=name[:200],
                language="en",
                kind="international",
                description="",
                is_partner=False,
                is_confirmed=False,
                created_at=now,
                updated_at=now,
            )
            .returning(Organisation.id)
        ).scalar_one()
    logger.info("organisation %r proposed by a member", name)
    return new_id


@event.listens_for(Session, "before_flush")
def link_member_affiliations(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, Member):
            continue
        changed = sa.inspect(obj).attrs.affiliation.history.has_changes()
        if obj in session.new and not obj.affiliation:
            continue  # a new member without an organisation keeps what was set
        if changed or obj in session.new:
            obj.organisation_id = find_or_propose(session, obj.affiliation)
