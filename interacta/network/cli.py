"""CLI: `flask digests send [--now]` (the hourly job does the same on its own)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from interacta.core.mail import deliver_committed
from interacta.network import digests

digests_cli = AppGroup("digests", help="Digests of new events and publications by topic.")


@digests_cli.command("send")
@click.option(
    "--now",
    "right_now",
    is_flag=True,
    help="Send this period's digests now instead of at 08:00 on Monday or the 1st "
    "(still at most one per subscriber and period).",
)
def send(right_now: bool) -> None:
    """Send the digests due this hour (each at 08:00 in its subscriber's time zone)."""
    sent, failed = digests.send_digests(force=right_now)
    deliver_committed()
    click.echo(f"digests sent: {sent}" + (f", failed: {failed}" if failed else ""))
