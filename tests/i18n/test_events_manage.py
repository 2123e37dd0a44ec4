"""The organizer's event tools speak French, German and Slovenian: the list of events, the
form, the participants and the check-in pages, and the flashes of the views."""

from __future__ import annotations

import re

import pytest

#: A heading (or its beginning) of each page, per language.
HEADINGS = {
    "fr": {
        "index": "Gérer les événements",
        "new": "Nouvel événement",
        "participants": "Participants de « ",
        "checkin": "Émargement",
    },
    "de": {
        "index": "Veranstaltungen verwalten",
        "new": "Neue Veranstaltung",
        "participants": "Teilnehmende von „",
        "checkin": "Einlass",
    },
    "sl": {
        "index": "Upravljanje dogodkov",
        "new": "Nov dogodek",
        "participants": "Udeleženci dogodka »",
        "checkin": "Evidenca prisotnosti",
    },
}


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)


@pytest.fixture
def organizer(make_member):
    return make_member(role="organizer", name="Olga Organizer")


@pytest.fixture
def event(make_event, make_registration, organizer):
    event = make_event(organizer=organizer, title="Resilience workshop", capacity=10)
    make_registration(event=event, name="Alice Able")
    make_registration(event=event, name="Carol Waiting", status="waiting")
    return event


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "de", "sl"])
def test_manage_pages_are_in_the_language_of_the_url(client, auth, organizer, event, lang):
    auth.login_as(organizer)
    words = HEADINGS[lang]
    pages = {
        "index": f"/{lang}/events/manage/",
        "new": f"/{lang}/events/manage/new",
        "participants": f"/{lang}/events/manage/{event.id}/participants",
        "checkin": f"/{lang}/events/manage/{event.id}/checkin",
    }
    for name, path in pages.items():
        html = _page(client, path)
        assert _lang(html) == lang, path
        assert _h1(html).startswith(words[name]), (path, _h1(html))


def test_participants_page_in_french_translates_counts_statuses_and_columns(
    client, auth, organizer, event
):
    auth.login_as(organizer)
    html = _page(client, f"/fr/events/manage/{event.id}/participants")
    assert "Confirmées : 1 sur 10" in html
    assert "Liste d’attente : 1" in html
    assert "2 inscriptions" in html
    assert '<th scope="col">Date d’inscription</th>' in html
    assert "Évolution des inscriptions" in html  # the chart's title
    assert "Liste d’attente (1)" in html  # the waiting participant's status


def test_event_form_in_german_translates_help_and_agenda(client, auth, organizer):
    auth.login_as(organizer)
    html = _page(client, "/de/events/manage/new")
    assert "Leer lassen für unbegrenzte Plätze." in html
    assert "<legend>Programmpunkt 1</legend>" in html
    assert "Zurück zu meinen Veranstaltungen" in html


def test_checkin_page_in_slovenian_counts_the_present(client, auth, organizer, event):
    auth.login_as(organizer)
    html = _page(client, f"/sl/events/manage/{event.id}/checkin")
    assert "Prisotni: <strong>0</strong> od 1" in html
    assert "Zabeleži prisotnost" in html


def test_flash_after_publishing_on_de_is_german(client, auth, organizer, make_event):
    draft = make_event(organizer=organizer, status="draft")
    auth.login_as(organizer)
    response = client.post(f"/de/events/manage/{draft.id}/publish")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/de/events/{draft.slug}")
    html = _page(client, response.headers["Location"])
    assert _lang(html) == "de"
    assert "Die Veranstaltung ist veröffentlicht." in html
    assert "The event is published." not in html


def test_csv_header_row_follows_the_page_language_and_the_data_stays(
    client, auth, organizer, event
):
    auth.login_as(organizer)
    body = client.get(f"/sl/events/manage/{event.id}/participants.csv").data.decode("utf-8")
    header, first = body.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("Ime,E-pošta,Organizacija,Potrebe,Stanje,")
    assert ",confirmed," in first  # the status code, as stored


def test_manage_pages_stay_english_without_a_prefix(client, auth, organizer, event):
    auth.login_as(organizer)
    html = _page(client, f"/events/manage/{event.id}/participants")
    assert _lang(html) == "en"
    assert "Participants of “Resilience workshop”" in html
    assert "Confirmed: 1 of 10" in html
