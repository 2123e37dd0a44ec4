"""Events: events, agenda, registration, waiting list, calendars, organizer tools."""

from flask import Blueprint, Flask

bp = Blueprint("events", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from interacta.core import content

    content.init_app(app)
    from interacta.core.registry import (
        DemoSeeder,
        HomeSection,
        PersonalDataProvider,
        register_demo,
        register_home_section,
        register_personal_data,
        register_stylesheet,
    )
    from interacta.events import cli, demo, registrations, services
    from interacta.events.models import Event, Registration

    register_stylesheet(app, "css/events.css")
    from interacta.events import room

    app.add_template_global(room.effective, "room_rule")
    app.add_template_global(room.all_rules, "room_rules")
    from interacta.events import balance

    app.add_template_global(balance.public_states, "sector_seats")
    from interacta.core.jobs import HOURLY, PeriodicJob, register_periodic

    register_periodic(
        app,
        PeriodicJob(
            "reserved-seats-release",
            registrations.release_reserved_seats,
            HOURLY,
            "Give unused reserved seats to the waiting list once an event's release date passed.",
        ),
    )
    register_home_section(
        app,
        HomeSection(
            10,
            "events/_home.html",
            load=lambda: {"events": services.next_events(3)},
            models=(Event, Registration),
        ),
    )
    register_demo(app, DemoSeeder(30, "events", seed=demo.seed))
    from interacta.events import participation_demo

    register_demo(app, DemoSeeder(31, "participation", seed=participation_demo.seed))
    register_personal_data(
        app,
        PersonalDataProvider(
            "event_registrations",
            export=registrations.export_member,
            erase=registrations.erase_member,
        ),
    )
    app.cli.add_command(cli.events_cli)
