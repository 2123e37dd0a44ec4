"""Who sees an event's participant list, and who appears on it."""

from __future__ import annotations

import pytest

from interacta.events import participants, registrations


@pytest.fixture
def listed_event(make_event, make_member):
    """make(visibility) -> (event, [confirmed registrations]): one listed civilian, one
    unlisted military officer."""

    def make(visibility):
        event = make_event(participant_list=visibility)
        civilian = make_member(name="Ana Civil", sector="civil_society", affiliation="Red Cross")
        officer = make_member(name="Major Hidden", sector="military", affiliation="Army")
        one, _ = registrations.register_member(event.id, civilian, listed=True)
        two, _ = registrations.register_member(event.id, officer)
        return event, [one, two]

    return make


def test_participants_are_unlisted_unless_they_choose(listed_event):
    event, (civilian, officer) = listed_event("public")
    assert civilian.is_listed and not officer.is_listed
    assert officer.sector == "military"
    assert [r.name for r in participants.rows(event)] == ["Ana Civil"]
    participants.set_listed(officer, True)
    assert [r.name for r in participants.rows(event)] == ["Ana Civil", "Major Hidden"]


def test_list_rows_hold_name_organisation_and_sector_only(listed_event):
    event, _ = listed_event("public")
    [row] = participants.rows(event)
    assert row == participants.Row("Ana Civil", "Red Cross", "Civil society / NGO")


@pytest.mark.parametrize(
    ("visibility", "visitor", "member", "participant", "organizer"),
    [
        ("hidden", False, False, False, True),
        ("participants", False, False, True, True),
        ("public", True, True, True, True),
    ],
)
def test_who_may_see_the_list(
    listed_event, make_member, visibility, visitor, member, participant, organizer
):
    event, (civilian, _) = listed_event(visibility)
    assert participants.can_see(event, None) is visitor
    assert participants.can_see(event, make_member()) is member
    assert participants.can_see(event, civilian.member) is participant
    assert participants.can_see(event, event.organizer) is organizer


def test_cancelled_and_waiting_people_are_not_listed(make_event, make_member):
    event = make_event(participant_list="public", capacity=1)
    first, _ = registrations.register_member(event.id, make_member(name="First"), listed=True)
    registrations.register_member(event.id, make_member(name="Second"), listed=True)  # waits
    assert [r.name for r in participants.rows(event)] == ["First"]
    registrations.cancel_registration(first)
    assert [r.name for r in participants.rows(event)] == ["Second"]  # promoted


def test_the_page_is_404_to_those_not_allowed_and_never_shows_emails(
    client, auth, listed_event, make_member
):
    event, (civilian, officer) = listed_event("participants")
    url = f"/events/{event.slug}/participants"
    assert client.get(url).status_code == 404
    auth.login_as(make_member())
    assert client.get(url).status_code == 404
    auth.login_as(officer.member)
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ana Civil" in html and "Red Cross" in html and "Civil society / NGO" in html
    assert "Major Hidden" not in html
    assert "@" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_page_runs_a_fixed_number_of_queries(client, make_event, make_member, count_queries):
    def count(n):
        event = make_event(participant_list="public")
        for i in range(n):
            registrations.register_member(
                event.id, make_member(name=f"P{i}", sector="academia"), listed=True
            )
        client.get(f"/events/{event.slug}/participants")  # warm caches
        with count_queries() as counter:
            response = client.get(f"/events/{event.slug}/participants")
        assert response.get_data(as_text=True).count("Academia") == n
        return counter.count

    assert count(2) == count(12)


def test_a_military_member_is_told_why_the_box_is_unticked(client, auth, make_event, make_member):
    event = make_event(participant_list="public")
    auth.login_as(make_member(sector="military"))
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert 'name="listed"' in html and "checked" not in html.split('name="listed"')[1][:40]
    assert "Serving personnel are often not allowed to appear on lists" in html


def test_member_registers_listed_from_the_event_page(client, auth, make_event, make_member, db):
    event = make_event(participant_list="public")
    member = make_member(name="Lisa Listed")
    auth.login_as(member)
    client.post(f"/events/{event.slug}/register", data={"listed": "y"})
    assert "Lisa Listed" in client.get(f"/events/{event.slug}/participants").get_data(as_text=True)


def test_a_guest_gives_a_sector_and_chooses_to_appear(client, make_event, db):
    event = make_event(participant_list="public")
    data = {
        "name": "Gina Guest",
        "email": "gina@example.org",
        "affiliation": "UNHCR",
        "note": "",
        "sector": "international_organisation",
        "listed": "y",
    }
    assert client.post(f"/events/{event.slug}/register", data=data).status_code == 200
    [registration] = event_registrations(db, event)
    assert registration.sector == "international_organisation" and registration.is_listed


def event_registrations(db, event):
    import sqlalchemy as sa

    from interacta.events.models import Registration

    return list(
        db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id))
    )


def test_participant_changes_their_choice_on_the_status_page(
    client, auth, listed_event, make_member
):
    event, (civilian, _) = listed_event("public")
    page = client.get(f"/events/registration/{civilian.token}").get_data(as_text=True)
    assert 'name="listed" value="y" checked' in page
    response = client.post(f"/events/registration/{civilian.token}/listing", data={})
    assert response.status_code == 302
    assert "Ana Civil" not in client.get(f"/events/{event.slug}/participants").get_data(
        as_text=True
    )
