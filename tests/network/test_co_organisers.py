"""Events name co-organising organisations: on the page, in ICS, in JSON-LD."""

from __future__ import annotations

import json
import re

from interacta.network import services


def _jsonld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_event_page_ics_and_jsonld_name_the_co_organisers(
    client, db, make_event, make_organisation
):
    event = make_event()
    org = make_organisation("Civil Protection Agency", names={"fr": "Agence de protection civile"})
    services.set_co_organisers(event, [org.id])
    db.session.commit()
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Co-organised with" in html and f"/organisations/{org.slug}" in html
    organizers = _jsonld(html)["organizer"]
    assert organizers[1]["url"].endswith(f"/organisations/{org.slug}")
    assert organizers[1] == {
        "@type": "Organization",
        "name": "Civil Protection Agency",
        "url": organizers[1]["url"],
    }
    ics = client.get(f"/events/{event.slug}.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "Co-organised by Civil Protection Agency" in ics
    french = client.get(f"/fr/events/{event.slug}.ics").get_data(as_text=True)
    assert "Agence de protection civile" in french.replace("\r\n ", "")


def test_event_without_co_organisers_keeps_the_network_as_organizer(client, make_event):
    event = make_event()
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert _jsonld(html)["organizer"]["@type"] == "Organization"
    assert "Co-organised with" not in html


def test_organizer_sets_the_co_organisers_of_an_event(
    client, auth, db, make_event, make_member, make_organisation
):
    owner = make_member(role="organizer")
    event = make_event(organizer=owner)
    first, second = make_organisation("First"), make_organisation("Second")
    db.session.commit()
    auth.login_as(owner)
    edit = client.get(f"/events/manage/{event.id}/edit").get_data(as_text=True)
    assert f"/events/manage/{event.id}/organisations" in edit
    response = client.post(
        f"/events/manage/{event.id}/organisations", data={"organisations": [first.id, second.id]}
    )
    assert response.status_code == 302
    assert [o.name for o in services.co_organisers(event.id)] == ["First", "Second"]
    for lang in ("fr", "de", "sl"):
        assert client.get(f"/{lang}/events/manage/{event.id}/organisations").status_code == 200


def test_an_event_reads_its_own_co_organisers_and_a_feed_each_events(
    client, db, make_event, make_organisation
):
    # An event page reads its own co-organisers, not every event's (which grows with the
    # network), once for its section and its JSON-LD; the feed reads them for its events at
    # once and names each event's own.
    import sqlalchemy as sa

    first, second = make_event(), make_event()
    make_event()  # one with none
    services.set_co_organisers(first, [make_organisation("Civil Protection Agency").id])
    services.set_co_organisers(second, [make_organisation("Red Cross Office").id])
    db.session.commit()
    slug = first.slug
    db.session.expire_all()
    read: list[tuple] = []

    def rows(conn, cursor, statement, parameters, context, executemany):
        # (The event's own statement asks whether it has any, in an EXISTS.)
        if statement.lstrip().startswith("SELECT event_organisations."):
            read.append(parameters)  # as sent: one value per event asked about

    bind = db.session.get_bind()
    sa.event.listen(bind, "after_cursor_execute", rows)
    try:
        html = client.get(f"/events/{slug}?v=1").get_data(as_text=True)
        assert "Civil Protection Agency" in html and "Red Cross Office" not in html
        assert len(read) == 1 and len(read[0]) == 1  # one event's id
        read.clear()
        feed = client.get("/events/feed.ics?v=1").get_data(as_text=True).replace("\r\n ", "")
        assert "Co-organised by Civil Protection Agency" in feed
        assert "Co-organised by Red Cross Office" in feed
        assert len(read) == 1  # the feed's events at once
    finally:
        sa.event.remove(bind, "after_cursor_execute", rows)
