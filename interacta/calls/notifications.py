"""Mails to authors, each in the recipient's language (their account language)."""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from interacta.core.i18n import force_locale
from interacta.core.mail import queue_mail
from interacta.core.timezones import format_local
from interacta.core.urls import external_url

logger = logging.getLogger(__name__)


def receipt(submission, what: str) -> None:
    """The receipt of a submission, change or withdrawal, with a copy of what was sent."""
    member = submission.member
    if member is None or not member.email:
        return
    event = submission.call.event
    with force_locale(member.language):
        subjects = {
            "submitted": _("Received: your submission to %(event)s", event=event.title),
            "changed": _("Changed: your submission to %(event)s", event=event.title),
            "withdrawn": _("Withdrawn: your submission to %(event)s", event=event.title),
        }
        queue_mail(
            member.email,
            subjects[what],
            "calls/mail/receipt",
            what=what,
            member=member,
            submission=submission,
            event=event,
            deadline=format_local(submission.call.deadline_at, event.timezone),
            zone=event.timezone,
            submissions_url=external_url("calls.my_submissions"),
        )
