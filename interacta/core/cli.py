"""CLI: `flask mail send-pending|worker`, `flask jobs worker|list|run`, `flask seed-demo`."""

from __future__ import annotations

import logging
import time

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from interacta.core import jobs
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
        sa.select(sa.func.count()).where(OutboxMessage.status.in_(("render", "queued", "sending")))
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


jobs_cli = AppGroup("jobs", help="Periodic and background jobs (Huey).")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Threads (default: JOBS_WORKERS).")
def jobs_worker(workers: int | None) -> None:
    """Run the job worker: every periodic job on time, and queued background jobs.
    Several may run side by side (on several hosts with JOBS_REDIS_URL)."""
    app = current_app._get_current_object()
    names = ", ".join(job.name for job in jobs.periodic_jobs())
    click.echo(f"job worker started; periodic jobs: {names}")
    jobs.run_worker(app, workers=workers or app.config["JOBS_WORKERS"])


@jobs_cli.command("list")
def jobs_list() -> None:
    """Each periodic job with its last run and whether it is overdue."""
    last = jobs.last_runs()
    overdue = jobs.overdue_jobs()
    for job in jobs.periodic_jobs():
        run = last.get(job.name)
        when = run.started_at.isoformat(timespec="seconds") if run else "never"
        state = f"OVERDUE ({overdue[job.name]})" if job.name in overdue else "on time"
        result = f"{run.status}: {run.result or '-'}" if run else "-"
        click.echo(f"{job.name:20} every {job.every}  last {when}  {result}  {state}")


@jobs_cli.command("run")
@click.argument("name")
@click.option("--force", is_flag=True, help="Run even if this period's run is done.")
def jobs_run(name: str, force: bool) -> None:
    """Run the periodic job NAME now, once for its current period (or again with --force)."""
    try:
        job = jobs.periodic_job(name)
    except KeyError:
        raise click.UsageError(f"no periodic job {name!r}; see `flask jobs list`") from None
    run = jobs.run_periodic(job, force=force)
    if run is None:
        click.echo(f"{name}: already done for this period (use --force to run it again)")
    else:
        click.echo(f"{name}: {run.status}: {run.result or '-'}")
        if run.status != "ok":
            raise SystemExit(1)


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
    app.cli.add_command(jobs_cli)
    app.cli.add_command(seed_demo)
