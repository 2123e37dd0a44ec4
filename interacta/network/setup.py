"""How the network plugs into the app: registries and template globals (called by the
app factory; the package itself only makes `bp`)."""

from __future__ import annotations

from flask import Flask

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


def init_app(app: Flask) -> None:
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
