"""Stored text shows escaped on every page that shows it; CSV cells cannot start a formula.

One payload goes into every free-text field of an event, a publication, a profile and a
guest registration; every page (and export) that shows them must never contain it raw.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from interacta.core.models import utcnow

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")


def _assert_no_raw_payload(body: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in body, f"raw {marker!r} on {where}"


@pytest.fixture
def hostile(db, make_member, make_event, make_registration, make_publication):
    """An event, a publication, a member profile and a guest registration, all hostile."""
    organizer = make_member(
        role="organizer",
        name=f"Org {PAYLOAD}"[:120],
        affiliation=f"Aff {PAYLOAD}",
        bio=f"Bio {PAYLOAD}",
        show_in_directory=True,
    )
    starts = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    event = make_event(
        organizer=organizer,
        slug="hostile-event",
        title=f"Title {PAYLOAD}",
        summary=f"Summary {PAYLOAD}",
        description=f"Description {PAYLOAD}\n\n[link](javascript:alert(1))",
        venue_name=f"Venue {PAYLOAD}",
        venue_address=f"Address {PAYLOAD}",
        format="hybrid",
        online_url="https://meet.example.org/room",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    guest = make_registration(
        event=event,
        name=f"Guest {PAYLOAD}"[:120],
        affiliation=f"Guest aff {PAYLOAD}",
        note=f'=HYPERLINK("http://evil.example") {PAYLOAD}',
    )
    formula_guest = make_registration(
        event=event, name="+cmd|' /C calc'!A0", affiliation="@SUM(1+1)", note="-2+3"
    )
    publication = make_publication(
        slug="hostile-publication",
        title=f"Pub {PAYLOAD}",
        abstract=f"Abstract {PAYLOAD}",
        authors=[(f"Author {PAYLOAD}", f"Author aff {PAYLOAD}")],
        keywords=f"kw {PAYLOAD}",
        journal=f"Journal {PAYLOAD}",
        publisher=f"Publisher {PAYLOAD}",
    )
    db.session.commit()
    return {
        "organizer": organizer,
        "event": event,
        "guest": guest,
        "formula_guest": formula_guest,
        "publication": publication,
    }


def test_public_pages_never_show_the_payload_raw(client, hostile):
    event = hostile["event"]
    month = event.starts_at.strftime("%Y-%m")
    pages = [
        "/",
        "/events/",
        f"/events/?q=Title&month={month}",
        f"/events/calendar?month={month}",
        f"/events/{event.slug}",
        f"/events/{event.slug}/register",
        f"/events/registration/{hostile['guest'].token}",
        "/publications/",
        "/publications/?q=Pub",
        f"/publications/{hostile['publication'].slug}",
        "/publications/feed.atom",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_no_raw_payload(response.get_data(as_text=True), path)
    # The text was there, escaped, rather than missing.
    detail = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Title &lt;script&gt;alert(1)&lt;/script&gt;" in detail
    pub = client.get(f"/publications/{hostile['publication'].slug}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pub
    assert 'href="javascript:' not in detail


def test_organizer_pages_never_show_the_payload_raw(client, auth, hostile):
    auth.login_as(hostile["organizer"])
    event = hostile["event"]
    for path in [
        "/events/manage/",
        f"/events/manage/{event.id}/edit",
        f"/events/manage/{event.id}/preview",
        f"/events/manage/{event.id}/participants",
        f"/events/manage/{event.id}/checkin",
        "/members/me",
        "/members/",
        "/members/?q=Org",
        "/events/my",
        "/publications/manage/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        _assert_no_raw_payload(body, path)
    participants = client.get(f"/events/manage/{event.id}/participants").get_data(as_text=True)
    assert "Guest &lt;script&gt;" in participants


def test_participants_csv_neutralises_formulas(client, auth, hostile):
    auth.login_as(hostile["organizer"])
    response = client.get(f"/events/manage/{hostile['event'].id}/participants.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, "no participant rows"
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@"), cell
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'@SUM(1+1)" in cells
    assert "'-2+3" in cells
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def test_guest_registering_through_the_form_with_a_payload_shows_escaped(
    client, auth, db, make_member, make_event
):
    import sqlalchemy as sa

    from interacta.events.models import Registration

    organizer = make_member(role="organizer")
    event = make_event(organizer=organizer, audience="all")
    db.session.commit()
    data = {
        "name": f"G {PAYLOAD}"[:120],
        "email": "xss-guest@example.org",
        "affiliation": f"A {PAYLOAD}",
        "note": f"N {PAYLOAD}",
    }
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code in (200, 302)
    _assert_no_raw_payload(response.get_data(as_text=True), "register response")
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.email == "xss-guest@example.org")
    )
    assert registration is not None
    page = client.get(f"/events/registration/{registration.token}").get_data(as_text=True)
    _assert_no_raw_payload(page, "registration page")
    auth.login_as(organizer)
    for path in (
        f"/events/manage/{event.id}/participants",
        f"/events/manage/{event.id}/participants?q=G",
        f"/events/manage/{event.id}/checkin",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_no_raw_payload(response.get_data(as_text=True), path)
