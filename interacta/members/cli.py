"""`flask members set-role EMAIL ROLE` and `flask members create-admin EMAIL`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from interacta.extensions import db
from interacta.members import services
from interacta.members.models import ROLES

members_cli = AppGroup("members", help="Manage member accounts.")


@members_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Give the account with EMAIL the ROLE member, organizer or admin."""
    member = services.find_by_email(email)
    if member is None:
        raise click.ClickException(f"no account with the address {email}")
    old = member.role
    services.set_role(member, role, via="cli")
    db.session.commit()
    click.echo(f"{member.email}: {old} -> {member.role}")


@members_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part before the @).")
@click.password_option("--password", prompt="Password", help="Asked for when not given.")
def create_admin(email: str, name: str | None, password: str) -> None:
    """Create an admin account with EMAIL (or make that account admin), asking for a password."""
    try:
        member = services.create_admin(email, password, name=name)
    except services.MemberError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{member.email} is an admin and can sign in at /members/login")
