"""How events plug into the app: its registries, CLI and template globals.

Called by the app factory (`interacta.register_blueprints`) after every blueprint is
registered; the package itself (`interacta/events/__init__.py`) only makes `bp`, so
importing a model or a service never loads this wiring or a view.
"""

from __future__ import annotations

from flask import Flask

from interacta.core import content
from interacta.core.jobs import HOURLY, PeriodicJob, register_periodic
from interacta.core.registry import (
    DemoSeeder,
    HomeSection,
    PersonalDataProvider,
    register_demo,
    register_home_section,
    register_personal_data,
    register_schema_filter,
    register_stylesheet,
)
from interacta.events import (
    balance,
    cli,
    demo,
    participation_demo,
    registrations,
    room,
    search,
    services,
)
from interacta.events.models import Event, Registration


def init_app(app: Flask) -> None:
    content.init_app(app)
    register_stylesheet(app, "css/events.css")
    register_schema_filter(app, search.include_name)
    app.add_template_global(room.effective, "room_rule")
    app.add_template_global(room.all_rules, "room_rules")
    app.add_template_global(balance.public_states, "sector_seats")
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
