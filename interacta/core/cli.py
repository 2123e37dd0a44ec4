"""CLI: `flask mail send-pending|worker`, `flask seed-demo`."""

from __future__ import annotations

import logging
import time

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

from interacta.core.mail import deliver_due, queue_mail
from interacta.core.models import OutboxMessage
from interacta.core.registry import demo_seeders
from interacta.extensions import db

logger = logging.getLogger(__name__)

mail_cli = AppGroup("mail", help="Deliver the mail outbox.")


@mail_cli.command("send-pending")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_pending(limit: int) -> None:
    """Deliver every due message once (for cron)."""
    sent = deliver_due(limit=limit)
    left = db.session.scalar(
        sa.select(sa.func.count()).where(OutboxMessage.status.in_(("queued", "sending")))
    )
    click.echo(f"sent {sent}, still queued {left}")


@mail_cli.command("send-test")
@click.argument("address")
def send_test(address: str) -> None:
    """Queue and deliver a test message to ADDRESS (checks the SMTP settings)."""
    queue_mail(address, _("Interacta: test message"), "core/mail/test_message")
    db.session.commit()
    sent = deliver_due(limit=500)
    click.echo(f"queued a test message to {address}; sent {sent}")


@mail_cli.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@click.option("--passes", default=0, help="Stop after this many passes (0: run until stopped).")
def worker(interval: float, passes: int) -> None:
    """Deliver due mail in a loop; several workers may run side by side."""
    done = 0
    click.echo("mail worker started")
    try:
        while passes == 0 or done < passes:
            sent = deliver_due()
            if sent:
                click.echo(f"sent {sent}")
            db.session.remove()
            done += 1
            if passes == 0 or done < passes:
                time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("mail worker stopped")


@click.command("seed-demo")
def seed_demo() -> None:
    """Create demo content that shows off the site; each seeder skips what already exists."""
    seeders = demo_seeders()
    for seeder in seeders:
        seeder.seed()
        db.session.commit()
        click.echo(f"demo: {seeder.name}")
    if not seeders:
        click.echo("demo: nothing to seed")


def register_commands(app: Flask) -> None:
    app.cli.add_command(mail_cli)
    app.cli.add_command(seed_demo)
