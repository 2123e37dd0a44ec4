"""Demo data: decisions on the demo call, so `make run` shows each stage: one contribution
accepted and sent (on the agenda, a draft working paper), one asked back for revision, one
rejected but not sent yet (the decisions page offers to send it)."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from interacta.calls import decisions, services
from interacta.calls.models import DECIDED_STATUSES, Call, Submission
from interacta.core.models import utcnow
from interacta.events.services import utc_to_local_naive
from interacta.extensions import db

logger = logging.getLogger(__name__)


def seed() -> None:
    """Decide on the demo call's first submissions; skips once any is decided."""
    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(Submission.status.in_(DECIDED_STATUSES))
    ):
        return
    call = db.session.scalar(sa.select(Call).order_by(Call.id))
    if call is None:
        return
    subs = services.active_submissions(call)
    if len(subs) < 3:
        return
    event = call.event
    revise_by = utc_to_local_naive(
        min(utcnow() + timedelta(days=14), event.starts_at - timedelta(days=1)), event.timezone
    ).replace(minute=0, second=0, microsecond=0)
    decisions.decide(subs[0], "accept", accepted_as="paper")
    decisions.decide(subs[1], "revise", revise_by=revise_by)
    decisions.send_decisions(call)
    decisions.decide(subs[2], "reject")
    logger.info("seeded demo decisions on call %s", call.id)
