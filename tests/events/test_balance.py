"""Sector balance: seats reserved per sector group, group waiting lists, the release date."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interacta.core.models import utcnow
from interacta.events import balance, registrations
from interacta.events.errors import EventError

CIVILIAN = balance.GroupInput("civilian", ["civil_society", "government"], 2)
MILITARY = balance.GroupInput("military", ["military"], 2)


@pytest.fixture
def balanced(make_event, make_member):
    """balanced(capacity=5, release_at=None) -> event: civilian 2, military 2, open rest."""

    def make(capacity=5, release_at=None):
        event = make_event(capacity=capacity)
        registrations.set_reservations(event.id, [CIVILIAN, MILITARY], release_at)
        return event

    return make


def register(event, make_member, sector):
    registration, _ = registrations.register_member(event.id, make_member(sector=sector))
    return registration


def test_a_full_group_waits_while_other_groups_have_seats(balanced, make_member):
    event = balanced(capacity=4)  # no open seat
    assert [register(event, make_member, "military").status for _ in range(3)] == [
        "confirmed",
        "confirmed",
        "waiting",
    ]
    assert register(event, make_member, "civil_society").status == "confirmed"


def test_a_full_group_overflows_into_open_seats_then_waits(balanced, make_member):
    event = balanced(capacity=5)  # one open seat
    statuses = [register(event, make_member, "military").status for _ in range(4)]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waiting"]
    # The civilians' reserved seats stay theirs.
    assert register(event, make_member, "government").status == "confirmed"
    assert register(event, make_member, "civil_society").status == "confirmed"


def test_registrants_of_no_group_take_only_open_seats(balanced, make_member):
    event = balanced(capacity=5)
    assert register(event, make_member, "academia").status == "confirmed"
    assert register(event, make_member, None).status == "waiting"


def test_a_freed_group_seat_goes_to_the_first_waiting_of_that_group(balanced, make_member):
    event = balanced(capacity=4)
    soldiers = [register(event, make_member, "military") for _ in range(2)]
    waiting_officer = register(event, make_member, "military")
    civilians = [register(event, make_member, "civil_society") for _ in range(2)]
    late_civilian = register(event, make_member, "civil_society")
    assert waiting_officer.status == late_civilian.status == "waiting"
    registrations.cancel_registration(soldiers[0])
    assert waiting_officer.status == "confirmed"
    assert late_civilian.status == "waiting"  # first in line overall, but not their group
    assert civilians[0].status == "confirmed"


def test_after_the_release_date_the_first_waiting_overall_gets_a_freed_seat(balanced, make_member):
    event = balanced(capacity=4, release_at=utcnow() + timedelta(days=1))
    soldiers = [register(event, make_member, "military") for _ in range(2)]
    late_academic = register(event, make_member, "academia")
    assert late_academic.status == "waiting"
    registrations.set_reservations(
        event.id, [CIVILIAN, MILITARY], utcnow() - timedelta(minutes=1)
    )  # released: the unused civilian seats open to everyone
    assert late_academic.status == "confirmed"
    registrations.cancel_registration(soldiers[0])
    newcomer = register(event, make_member, "academia")
    assert newcomer.status == "confirmed"


def test_seats_left_per_group_for_the_event_page(balanced, make_member):
    event = balanced(capacity=6)
    register(event, make_member, "military")
    register(event, make_member, "academia")
    states = balance.states(event)
    assert [(s.name, s.seats, s.confirmed, s.left) for s in states] == [
        ("civilian", 2, 0, 2),
        ("military", 2, 1, 1),
        ("", 2, 1, 1),
    ]


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([balance.GroupInput("a", ["military"], 4), MILITARY], "one group only"),
        ([balance.GroupInput("a", ["military"], 9)], "exceed the capacity"),
        ([balance.GroupInput("a", ["navy"], 1)], "sectors from the list"),
        ([balance.GroupInput("", ["military"], 1)], "needs a name"),
    ],
)
def test_invalid_reservations_are_refused(make_event, groups, message):
    event = make_event(capacity=5)
    with pytest.raises(EventError) as caught:
        registrations.set_reservations(event.id, groups, None)
    assert message in caught.value.message
    assert event.sector_groups == []


def test_reservations_need_a_capacity_and_release_before_the_start(make_event):
    event = make_event(capacity=None)
    with pytest.raises(EventError, match="Set a capacity"):
        registrations.set_reservations(event.id, [MILITARY], None)
    event = make_event(capacity=5)
    with pytest.raises(EventError, match="before the event starts"):
        registrations.set_reservations(event.id, [MILITARY], event.starts_at)


def test_a_guest_must_give_a_sector_when_the_event_reserves_seats(balanced):
    event = balanced()
    with pytest.raises(EventError, match="Give your sector") as caught:
        registrations.register_guest(event.id, name="G", email="g@example.org")
    assert caught.value.field == "sector"
    registration, _ = registrations.register_guest(
        event.id, name="G", email="g@example.org", sector="military"
    )
    assert registration.sector == "military"


# --- pages --------------------------------------------------------------------------------


def test_event_page_shows_seats_left_per_group(client, balanced, make_member):
    event = balanced(capacity=6)
    register(event, make_member, "military")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "civilian: 2 seats left" in html
    assert "military: 1 seat left" in html
    assert "Open to all: 2 seats left" in html


def test_organizer_sets_reservations_and_sees_the_chart_and_the_csv(
    client, auth, organizer, make_event, make_member, db
):
    event = make_event(organizer=organizer, capacity=10)
    auth.login_as(organizer)
    response = client.post(
        f"/events/manage/{event.id}/reservations",
        data={
            "groups-0-name": "civilian",
            "groups-0-sectors": ["civil_society", "government"],
            "groups-0-seats": "4",
            "groups-1-name": "military",
            "groups-1-sectors": ["military"],
            "groups-1-seats": "4",
            "groups-2-name": "",
        },
    )
    assert response.status_code == 302
    assert [(g.name, g.seats) for g in event.sector_groups] == [("civilian", 4), ("military", 4)]
    register(event, make_member, "military")
    page = client.get(f"/events/manage/{event.id}/participants").get_data(as_text=True)
    assert 'id="balance-chart-title"' in page and "1 / 4" in page
    csv_text = client.get(f"/events/manage/{event.id}/participants.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0].endswith("Sector,Sector group")
    assert csv_text.splitlines()[1].endswith("military,military")


def test_organizer_is_told_when_reservations_exceed_the_capacity(
    client, auth, organizer, make_event
):
    event = make_event(organizer=organizer, capacity=3)
    auth.login_as(organizer)
    data = {"groups-0-name": "military", "groups-0-sectors": "military", "groups-0-seats": "5"}
    client.post(f"/events/manage/{event.id}/reservations", data=data)
    page = client.get(f"/events/manage/{event.id}/participants").get_data(as_text=True)
    assert "The reserved seats exceed the capacity of 3." in page
    assert event.sector_groups == []


def test_a_guest_without_a_sector_is_told_beside_the_field(client, balanced):
    event = balanced()
    data = {"name": "Gina", "email": "gina@example.org", "affiliation": "", "note": ""}
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 400
    assert 'id="sector-error"' in response.get_data(as_text=True)


def test_demo_has_a_balanced_symposium_under_the_chatham_house_rule(app, db):
    from interacta.events import participation_demo

    participation_demo.seed()
    participation_demo.seed()
    import sqlalchemy as sa

    from interacta.events.models import Event

    [event] = db.session.scalars(sa.select(Event).where(Event.slug == participation_demo.SLUG))
    assert event.room_rule == "chatham_house" and event.participant_list == "public"
    assert [(g.name, g.seats) for g in event.sector_groups] == [("civilian", 12), ("military", 12)]


def test_the_periodic_job_gives_released_seats_to_the_waiting_list(balanced, make_member, db):
    event = balanced(capacity=4, release_at=utcnow() + timedelta(hours=1))
    register(event, make_member, "military")
    late = register(event, make_member, "academia")
    assert late.status == "waiting"
    assert registrations.release_reserved_seats(utcnow()).startswith("0 ")
    assert late.status == "waiting"  # before the release date
    event.reservations_release_at = utcnow() - timedelta(minutes=1)  # the date has passed
    db.session.commit()
    assert registrations.release_reserved_seats(utcnow()).startswith("1 ")
    assert late.status == "confirmed"
    assert registrations.release_reserved_seats(utcnow()).startswith("0 ")
