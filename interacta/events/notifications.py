"""Mails about events, queued in the outbox with the organizer as Reply-To."""

from __future__ import annotations

import logging

from interacta.events import registrations

logger = logging.getLogger(__name__)


def event_changed(event, what: str, changes: list[str]) -> int:
    """Tell every active registrant about a change of time or place, or a cancellation."""
    sent = 0
    for registration in registrations.active_registrants(event):
        registrations.mail_event_changed(registration, what, changes)
        sent += 1
    return sent
