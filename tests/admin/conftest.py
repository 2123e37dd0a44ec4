"""Helpers for the operations tests: a controllable clock and Huey's own scheduler."""

from __future__ import annotations

import pytest

from interacta.core import jobs


class Scheduler:
    """Runs Huey's periodic tasks as its consumer would at a given moment, with the job
    clock set to that moment: time is advanced, never waited for."""

    def __init__(self, app, monkeypatch):
        self.app = app
        self.monkeypatch = monkeypatch
        self.huey = jobs.huey_for(app)

    def run_at(self, moment):
        self.monkeypatch.setattr(jobs, "clock", lambda: moment)
        for task in self.huey.read_periodic(moment):
            self.huey.execute(task)


@pytest.fixture
def scheduler(app, db, monkeypatch):
    return Scheduler(app, monkeypatch)


@pytest.fixture
def admin_client(client, auth, make_member):
    auth.login_as(make_member(role="admin"))
    return client
