"""How the network plugs into the app: registries and template globals (called by the
app factory; the package itself only makes `bp`)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from interacta.core.jobs import HOURLY, PeriodicJob, register_periodic
from interacta.core.mail import deliver_committed
from interacta.core.registry import (
    DemoSeeder,
    PersonalDataProvider,
    RelatedItems,
    register_answer,
    register_demo,
    register_personal_data,
    register_related_items,
)
from interacta.network import digests, linking, services  # noqa: F401 - linking listens to flushes
from interacta.network.cli import digests_cli
from interacta.network.demo import seed_demo, seed_demo_subscription
from interacta.network.models import Organisation, Subscription


def send_digests(now: datetime) -> str:
    """The hourly job: the digests whose 08:00 (Monday, or the 1st) is this hour."""
    sent, failed = digests.send_digests(now)
    deliver_committed()
    return f"{sent} digests sent" + (f", {failed} failed" if failed else "")


def init_app(app: Flask) -> None:
    register_personal_data(
        app,
        PersonalDataProvider(
            "organisation", export=services.export_member, erase=services.erase_member
        ),
    )
    register_personal_data(
        app,
        PersonalDataProvider(
            "subscriptions", export=digests.export_member, erase=digests.erase_member
        ),
    )
    register_demo(app, DemoSeeder(50, "partner organisations", seed=seed_demo))
    register_demo(app, DemoSeeder(51, "topic subscription", seed=seed_demo_subscription))
    register_periodic(
        app,
        PeriodicJob(
            "digests-send",
            send_digests,
            HOURLY,
            "Mail the topic digests due this hour (08:00 in each subscriber's zone, on "
            "Monday or the 1st), once per subscriber and period.",
        ),
    )
    app.cli.add_command(digests_cli)
    # The account page links to the member's digest settings.
    register_related_items(
        app,
        RelatedItems(
            "member",
            40,
            "network/_my_subscription_link.html",
            lambda member: {"subscription": digests.member_subscription(member.id)},
            models=(Subscription,),
        ),
    )
    # What the events show of their co-organisers: page, JSON-LD, calendar entries.
    register_related_items(
        app,
        RelatedItems(
            "event",
            5,
            "network/_event_organisations.html",
            lambda event: {"co_organisers": services.event_co_organisers(event.id)},
            models=(Organisation,),
            present=services.may_have_co_organisers,
            absent=services.no_co_organisers,
        ),
    )
    register_answer(app, "event_organizers", services.organizers_jsonld)
    register_answer(app, "event_calendar_notes", services.calendar_notes)
    register_answer(app, "event_calendar_prefetch", services.prefetch_co_organisers)
    # The profile's type-ahead (members/me.html includes network/_organisation_list.html).
    app.add_template_global(services.organisation_names, "organisation_names")
