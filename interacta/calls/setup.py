"""How calls for papers plug into the app: registries (called by the app factory; the
package itself only makes `bp`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, has_request_context, request

from interacta.calls import decision_demo, decisions, demo, reviews, services
from interacta.calls.models import Call, Submission
from interacta.core.registry import (
    DemoSeeder,
    PersonalDataProvider,
    RelatedItems,
    register_demo,
    register_personal_data,
    register_related_items,
)

#: Where the event page's call section leaves, for the request, the call it read (by event
#: id), so that the accepted-contributions section after it need not ask when there is none.
#: In the request's environ, not `flask.g`: an app context may outlive a request (tests).
_EVENT_CALLS = "interacta.calls.event_page_calls"


def _event_page_call(event_id: int):
    call = services.event_page_call(event_id)
    if has_request_context():
        request.environ.setdefault(_EVENT_CALLS, {})[event_id] = call
    return call


def _event_page_contributions(event_id: int) -> list:
    """The accepted contributions; none without a call (known from the call section when it
    ran first in this request: one statement fewer for most events)."""
    if has_request_context() and request.environ.get(_EVENT_CALLS, {}).get(event_id, ...) is None:
        return []
    return decisions.accepted_contributions(event_id)


def _may_have_call(event_id_column):
    """The event page's condition for its call's sections (read with the event)."""
    return sa.exists().where(Call.event_id == event_id_column)


def _no_call(event) -> dict:
    if has_request_context():
        request.environ.setdefault(_EVENT_CALLS, {})[event.id] = None
    return {"call": None}


def _no_contributions(event) -> dict:
    return {"contributions": []}


def init_app(app: Flask) -> None:
    register_related_items(
        app,
        RelatedItems(
            "event",
            5,
            "calls/_event_link.html",
            load=lambda event: {"call": _event_page_call(event.id)},
            models=(Call,),
            present=_may_have_call,
            absent=_no_call,
        ),
    )
    register_related_items(
        app,
        RelatedItems(
            "event",
            6,
            "calls/_accepted.html",
            load=lambda event: {"contributions": _event_page_contributions(event.id)},
            models=(Submission,),
            present=_may_have_call,  # no call, no contributions
            absent=_no_contributions,
        ),
    )
    register_related_items(
        app,
        RelatedItems(
            "member",
            30,
            "calls/_my_link.html",
            load=lambda member: {"count": len(services.member_submissions(member.id))},
            models=(Submission,),
        ),
    )
    register_related_items(
        app,
        RelatedItems(
            "member",
            31,
            "calls/_my_reviews_link.html",
            # The account page is not cached: no models to declare (nor has Reviewer an
            # updated_at for a fingerprint).
            load=lambda member: {"count": reviews.reviewer_call_count(member.id)},
        ),
    )
    register_demo(app, DemoSeeder(45, "calls for papers", seed=demo.seed))
    register_demo(app, DemoSeeder(47, "decisions on calls for papers", seed=decision_demo.seed))
    register_personal_data(
        app,
        PersonalDataProvider(
            "call_submissions", export=services.export_member, erase=services.erase_member
        ),
    )
    # Reviews stay with the submissions, anonymous; the reviewer's own rows go.
    register_personal_data(
        app,
        PersonalDataProvider(
            "call_reviews", export=reviews.export_member, erase=reviews.erase_member
        ),
    )
