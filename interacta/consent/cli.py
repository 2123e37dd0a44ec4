"""CLI: `flask consent purge`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from interacta.consent.services import purge_anonymous
from interacta.extensions import db

consent_cli = AppGroup("consent", help="Cookie consent log.")


@consent_cli.command("purge")
@click.option(
    "--days",
    type=int,
    default=None,
    help="Retention in days (default: ANONYMOUS_CONSENT_RETENTION_DAYS).",
)
def purge(days: int | None) -> None:
    """Delete consent log entries of anonymous visitors older than the retention period."""
    retention = days if days is not None else current_app.config["ANONYMOUS_CONSENT_RETENTION_DAYS"]
    deleted = purge_anonymous(retention)
    db.session.commit()
    click.echo(f"deleted {deleted} anonymous consent log entries older than {retention} days")
