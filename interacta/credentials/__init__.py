"""Credentials: certificates of attendance and completion earned from attendance per
session (read through interacta.events.attendance), issued once per registration."""

from flask import Blueprint, Flask

bp = Blueprint("credentials", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from interacta.core.jobs import HOURLY, PeriodicJob, register_periodic
    from interacta.core.registry import (
        DemoSeeder,
        PersonalDataProvider,
        register_demo,
        register_personal_data,
    )
    from interacta.credentials import cli, demo, services

    app.cli.add_command(cli.credentials_cli)

    register_demo(app, DemoSeeder(45, "credentials", seed=demo.seed))
    register_personal_data(
        app,
        PersonalDataProvider(
            "certificates", export=services.export_member, erase=services.erase_member
        ),
    )

    register_periodic(
        app,
        PeriodicJob(
            "certificates-issue",
            services.issue_due_job,
            HOURLY,
            "Issue the certificates of ended events to everyone who meets the rule (once each).",
        ),
    )
