"""The events blueprint's one family of domain errors (all derive from core's DomainError).

Views catch `EventError` (or core's `DomainError`) once and show `message` beside
`field` or as a flash, with `status_code`.
"""

from __future__ import annotations

from interacta.core import errors as core_errors


class EventError(core_errors.DomainError):
    """A rule about events or registrations was broken; the message is for the user."""

    status_code = 409


#: Kept as a name for the registration rules; the same family.
RegistrationError = EventError


class InvalidEvent(EventError):
    """Values that break a rule spanning fields (the form shows each beside its field)."""

    status_code = 400

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()), field=next(iter(errors), None))
        self.errors = errors


class InvalidAgenda(EventError):
    """An agenda session off the event's time; `errors` by session index."""

    status_code = 400

    def __init__(self, errors: dict[int, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class RegistrationClosed(EventError):
    """Registration is not open (cancelled, past, not yet open, members only...)."""


class NotAllowed(core_errors.NotAllowed, EventError):
    """This person may not do this (403)."""

    status_code = 403


class CapacityTooLow(EventError):
    field = "capacity"


class EventGone(core_errors.NotFound, EventError):
    status_code = 404
