"""How credentials plug into the app: its registries, periodic job and CLI.

Called by the app factory (`interacta.register_blueprints`) after every blueprint is
registered; the package itself (`interacta/credentials/__init__.py`) only makes `bp`, so
importing a model or a service never loads this wiring or a view.
"""

from __future__ import annotations

from flask import Flask

from interacta.core.jobs import HOURLY, PeriodicJob, register_periodic
from interacta.core.registry import (
    DemoSeeder,
    PersonalDataProvider,
    RelatedItems,
    register_demo,
    register_personal_data,
    register_related_items,
)
from interacta.credentials import cli, demo, services
from interacta.credentials.models import Certificate


def init_app(app: Flask) -> None:
    app.cli.add_command(cli.credentials_cli)

    register_demo(app, DemoSeeder(45, "credentials", seed=demo.seed))
    # The member's record (/members/me/record), linked from their account page.
    register_related_items(
        app,
        RelatedItems(
            "member", 35, "credentials/_my_link.html", load=lambda member: {}, models=(Certificate,)
        ),
    )
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
