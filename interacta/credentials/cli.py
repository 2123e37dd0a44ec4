"""CLI: `flask credentials list [--revoked]`, `flask credentials issue <event>`,
`flask credentials rotate-key`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from interacta.core.errors import DomainError
from interacta.core.mail import deliver_committed
from interacta.credentials import keys, services
from interacta.credentials.models import Certificate
from interacta.events.models import Event
from interacta.extensions import db

credentials_cli = AppGroup("credentials", help="Certificates: list them, issue what is due.")


@credentials_cli.command("list")
@click.option("--revoked", is_flag=True, help="Only revoked certificates.")
def list_certificates(revoked: bool) -> None:
    """Print each certificate's verification URL, holder and event (tab-separated)."""
    query = sa.select(Certificate).order_by(Certificate.issued_at, Certificate.id)
    if revoked:
        query = query.where(Certificate.revoked_at.is_not(None))
    for certificate in db.session.scalars(query):
        state = "revoked" if certificate.is_revoked else "valid"
        click.echo(
            "\t".join(
                (
                    services.verify_url(certificate),
                    certificate.holder_name,
                    certificate.event_title,
                    state,
                )
            )
        )


@credentials_cli.command("issue")
@click.argument("event")
def issue(event: str) -> None:
    """Issue the certificates due now for EVENT (its id or slug)."""
    found = db.session.scalar(
        sa.select(Event).where(Event.id == int(event) if event.isdigit() else Event.slug == event)
    )
    if found is None:
        raise click.ClickException(f"no event {event!r}")
    try:
        issued = services.issue_for_event(found)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    deliver_committed()
    click.echo(f"certificates issued: {len(issued)}")


@credentials_cli.command("rotate-key")
def rotate_key() -> None:
    """Make a new signing key; the old public key stays in the JWK Set, so the credentials
    it signed keep verifying."""
    try:
        old, new = keys.rotate()
    except keys.SigningKeyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"retired key: {old}\ncurrent key: {new}")
