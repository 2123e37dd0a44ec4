"""CLI: `flask events send-reminders`, `flask events purge` (both for cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from interacta.core.mail import deliver_committed
from interacta.events import registrations
from interacta.extensions import db

events_cli = AppGroup("events", help="Event reminders and privacy housekeeping.")


@events_cli.command("send-reminders")
def send_reminders() -> None:
    """Mail a reminder to confirmed participants of events starting within a day (once)."""
    sent = registrations.send_reminders()
    db.session.commit()
    deliver_committed()
    click.echo(f"reminders sent: {sent}")


@events_cli.command("purge")
def purge() -> None:
    """Erase guests' personal data GUEST_DATA_RETENTION_DAYS after their event."""
    erased = registrations.purge_guests()
    db.session.commit()
    click.echo(f"guest registrations anonymised: {erased}")
