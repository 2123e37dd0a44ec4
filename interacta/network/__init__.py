"""The network around the events: partner organisations (records with logos, the events
they co-organise, their members and publications)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("network", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from interacta.core.registry import (
        DemoSeeder,
        PersonalDataProvider,
        RelatedItems,
        register_answer,
        register_demo,
        register_personal_data,
        register_related_items,
    )
    from interacta.network import linking, services  # noqa: F401 - linking listens to flushes
    from interacta.network.demo import seed_demo
    from interacta.network.models import Organisation

    register_personal_data(
        app,
        PersonalDataProvider(
            "organisation", export=services.export_member, erase=services.erase_member
        ),
    )
    register_demo(app, DemoSeeder(50, "partner organisations", seed=seed_demo))
    # What the events show of their co-organisers: page, JSON-LD, calendar entries.
    register_related_items(
        app,
        RelatedItems(
            "event",
            5,
            "network/_event_organisations.html",
            lambda event: {"co_organisers": services.co_organisers(event.id)},
            models=(Organisation,),
        ),
    )
    register_answer(app, "event_organizers", services.organizers_jsonld)
    register_answer(app, "event_calendar_notes", services.calendar_notes)
    # The profile's type-ahead (members/me.html includes network/_organisation_list.html).
    app.add_template_global(services.organisation_names, "organisation_names")
