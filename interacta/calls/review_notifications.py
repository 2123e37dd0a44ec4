"""Mails to reviewers, each in the recipient's language; never an author's name (in
double-blind review the reviewer must not learn who wrote what)."""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from interacta.core.i18n import force_locale
from interacta.core.mail import queue_mail
from interacta.core.urls import external_url

logger = logging.getLogger(__name__)


def new_assignments(member, call, titles: list[str]) -> None:
    """One mail: the submissions newly given to the reviewer, and a link to their queue."""
    if member is None or not member.email:
        return
    event = call.event
    with force_locale(member.language):
        queue_mail(
            member.email,
            _("Submissions to review for %(event)s", event=event.title),
            "calls/mail/review_queue",
            member=member,
            event=event,
            titles=titles,
            count=len(titles),
            decision_on=call.decision_on,
            queue_url=external_url("calls.review_queue"),
        )
    logger.info("reviewer %s mailed %d new assignments", member.id, len(titles))
