"""Decision mails and revision receipts, each in the recipient's language."""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from interacta.core.i18n import force_locale
from interacta.core.mail import queue_mail
from interacta.core.timezones import format_local
from interacta.core.urls import external_url

logger = logging.getLogger(__name__)


def decision(submission, kind: str, template=None) -> bool:
    """The decision on a submission, to its author: the organizer's wording (`template`, sent
    as written) or the default one in the author's language, with the reviewers' comments
    for the authors. False when there is nobody to mail."""
    from interacta.calls import decisions

    member = submission.member
    if member is None or not member.email:
        return False
    event = submission.call.event
    with force_locale(member.language):
        if template is not None:
            subject, body = template.subject, template.body
        else:
            subject, body = decisions.default_template(kind)
        if kind == "revise":
            link = external_url("calls.revise_submission", submission_id=submission.id)
        else:
            link = external_url("calls.my_submissions")
        values = {
            "name": member.name,
            "title": submission.title,
            "event": event.title,
            "type": submission.accepted_as_label,
            "deadline": (
                f"{format_local(submission.revise_by, event.timezone)} ({event.timezone})"
                if submission.revise_by
                else ""
            ),
        }
        # {link} stays a mark until the template renders: only our own URL becomes a link.
        chunks = decisions.fill(body, values).split("{link}")
        queue_mail(
            member.email,
            decisions.fill(subject, {**values, "link": str(link)}),
            "calls/mail/decision",
            chunks=chunks,
            link=link,
            comments=decisions.comments_for_authors(submission),
        )
    return True


def revised(submission) -> None:
    """The receipt of a revised submission, with a copy of what was sent."""
    member = submission.member
    if member is None or not member.email:
        return
    event = submission.call.event
    with force_locale(member.language):
        queue_mail(
            member.email,
            _("Revised: your submission to %(event)s", event=event.title),
            "calls/mail/revised",
            member=member,
            submission=submission,
            event=event,
            submissions_url=external_url("calls.my_submissions"),
        )
