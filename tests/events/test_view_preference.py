"""With functionality cookies allowed, /events/ remembers the list or calendar view."""

from tests.fixtures.consent import set_cookie_names


def test_calendar_view_is_remembered_only_with_functionality_consent(client, give_consent):
    response = client.get("/events/calendar")
    assert "ia_prefs" not in set_cookie_names(response)
    assert client.get("/events/").status_code == 200  # nothing remembered without consent

    give_consent(client, functionality=True)
    response = client.get("/events/calendar")
    assert "ia_prefs" in set_cookie_names(response)
    again = client.get("/events/")
    assert again.status_code == 302 and again.headers["Location"].endswith("/events/calendar")

    listed = client.get("/events/?view=list")
    assert listed.status_code == 200
    assert client.get("/events/").status_code == 200  # back to the list


def test_filtered_list_is_never_redirected(client, give_consent):
    give_consent(client, functionality=True)
    client.get("/events/calendar")
    assert client.get("/events/?kind=workshop").status_code == 200
