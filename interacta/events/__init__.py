"""Events: events, agenda, registration, waiting list, calendars, organizer tools."""

from flask import Blueprint, Flask

bp = Blueprint("events", __name__, template_folder="templates")

from interacta.events import registration_views, views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    from interacta.core.registry import (
        DemoSeeder,
        HomeSection,
        PersonalDataProvider,
        register_demo,
        register_home_section,
        register_personal_data,
    )
    from interacta.events import cli, demo, registrations, services

    register_home_section(
        app,
        HomeSection(10, "events/_home.html", load=lambda: {"events": services.next_events(3)}),
    )
    register_demo(app, DemoSeeder(30, "events", seed=demo.seed))
    register_personal_data(
        app,
        PersonalDataProvider(
            "event_registrations",
            export=registrations.export_member,
            erase=registrations.erase_member,
        ),
    )
    app.cli.add_command(cli.events_cli)
