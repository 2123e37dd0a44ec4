"""Pagination and facet links carry only the list's own query parameters: unknown ones
(`endpoint`, `fmt`, `_external`, ...) never reach url_for."""

from __future__ import annotations

import re

import pytest

ODD_ARGS = [
    {"endpoint": "x"},
    {"fmt": "x"},
    {"_external": "1"},
    {"_scheme": "https"},
    {"_anchor": "x"},
    {"_method": "POST"},
    {"values": "x"},
    {"slug": "x"},
]


def hrefs(response) -> list[str]:
    return re.findall(r'href="([^"]+)"', response.get_data(as_text=True))


@pytest.fixture
def many_publications(make_publication):
    from interacta.publications import search

    for n in range(search.PER_PAGE + 2):
        make_publication(title=f"Paged record {n:02d}", kind="report")


@pytest.fixture
def many_events(make_event):
    from interacta.events.views import PER_PAGE

    for _ in range(PER_PAGE + 2):
        make_event(kind="seminar")


@pytest.mark.parametrize("args", ODD_ARGS)
def test_publication_list_ignores_unknown_arguments_in_its_links(
    client, db, many_publications, args
):
    response = client.get(
        "/publications/",
        query_string={"kind": "report", **args},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 200
    links = hrefs(response)
    # Absolute links (the hreflang alternates) come from SERVER_BASE_URL, never the Host.
    base = client.application.config["SERVER_BASE_URL"]
    assert not [h for h in links if "evil.example" in h]
    assert not [h for h in links if h.startswith("http") and not h.startswith(base)]
    pager = [h for h in links if "page=2" in h]
    assert pager and all("kind=report" in h for h in pager)
    for key in args:
        assert not [h for h in links if f"{key}=" in h.replace("&amp;", "&").split("?")[-1]]


@pytest.mark.parametrize("args", ODD_ARGS)
@pytest.mark.parametrize("url", ["/events/", "/events/past"])
def test_event_lists_ignore_unknown_arguments_in_their_links(
    client, db, many_events, make_event, url, args
):
    if url == "/events/past":
        from datetime import timedelta

        from interacta.core.models import utcnow

        start = utcnow() - timedelta(days=30)
        for _ in range(12):
            make_event(kind="seminar", starts_at=start, ends_at=start + timedelta(hours=2))
    response = client.get(
        url, query_string={"kind": "seminar", **args}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 200
    links = hrefs(response)
    # Absolute links (the hreflang alternates) come from SERVER_BASE_URL, never the Host.
    base = client.application.config["SERVER_BASE_URL"]
    assert not [h for h in links if "evil.example" in h]
    assert not [h for h in links if h.startswith("http") and not h.startswith(base)]
    pager = [h for h in links if "page=2" in h]
    assert pager and all("kind=seminar" in h for h in pager)
    for key in args:
        assert not [h for h in links if f"{key}=" in h.replace("&amp;", "&").split("?")[-1]]


def test_member_admin_actions_return_to_the_list_with_its_own_arguments_only(
    client, db, auth, make_admin, make_member
):
    target = make_member(name="Olga Org")
    auth.login_as(make_admin())
    response = client.post(
        f"/members/admin/{target.id}/role",
        query_string={"q": "olga", "endpoint": "x", "_external": "1"},
        data={"role": "organizer"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/admin?q=olga"
    response = client.post(
        f"/members/admin/{target.id}/active",
        query_string={"page": "2", "endpoint": "x"},
        data={"active": "0"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/admin?page=2"
