"""Fixtures of the credentials tests: a finished course of ten sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interacta.core.models import utcnow


@pytest.fixture
def organizer(make_member):
    return make_member(role="organizer", name="Olga Organizer")


@pytest.fixture
def make_course(make_event, organizer):
    """make_course(sessions=10, days_ago=1) -> a published course that has ended, with
    `sessions` sessions of 90 minutes."""

    def make(sessions: int = 10, days_ago: int = 1, **overrides):
        start = (utcnow() - timedelta(days=days_ago + sessions)).replace(
            minute=0, second=0, microsecond=0
        )
        return make_event(
            organizer=organizer,
            kind="course",
            title=overrides.pop("title", "Civil-military cooperation course"),
            starts_at=start,
            ends_at=start + timedelta(days=sessions - 1, hours=2),
            sessions=[
                {
                    "title": f"Session {i + 1}",
                    "starts_at": start + timedelta(days=i),
                    "ends_at": start + timedelta(days=i, minutes=90),
                }
                for i in range(sessions)
            ],
            **overrides,
        )

    return make


@pytest.fixture
def attend():
    """attend(event, registration, n): mark the registration present at the first n
    sessions."""
    from interacta.events import attendance

    def mark(event, registration, n):
        for session in attendance.sessions_of(event)[:n]:
            attendance.mark(event, registration.id, session, True)

    return mark
