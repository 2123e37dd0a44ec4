"""Events in French, German and Slovenian: the public pages, the registration pages, and
the mails, which follow the recipient (a member's account language, a guest's page)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events.models import Registration

LANGS = ("fr", "de", "sl")

#: A string each page shows in each language (the English source is given as the key).
UPCOMING = {"fr": "Événements à venir", "de": "Kommende Veranstaltungen", "sl": "Prihodnji dogodki"}
WHEN = {"fr": "<dt>Quand</dt>", "de": "<dt>Wann</dt>", "sl": "<dt>Kdaj</dt>"}
NO_EVENTS_MONTH = {
    "fr": "Aucun événement ce mois-ci.",
    "de": "Keine Veranstaltungen in diesem Monat.",
    "sl": "Ta mesec ni dogodkov.",
}
REGISTER_INTRO = {
    "fr": "Nous vous envoyons un e-mail avec un lien de confirmation",
    "de": "Wir senden Ihnen eine E-Mail mit einem Bestätigungslink",
    "sl": "Poslali vam bomo sporočilo s povezavo za potrditev",
}
NOT_CONFIRMED = {
    "fr": "Pas encore confirmée.",
    "de": "Noch nicht bestätigt.",
    "sl": "Še ni potrjena.",
}
#: Babel's names of December 2030's first Sunday and of the month, per language.
SUNDAY = {"fr": "dimanche", "de": "Sonntag", "sl": "nedelja"}
DECEMBER = {"fr": "décembre", "de": "Dezember", "sl": "december"}
#: 1 December 2030 as the event page writes it (Babel's full date of each language).
DEC_1 = {
    "fr": "dimanche 1 décembre 2030",
    "de": "Sonntag, 1. Dezember 2030",
    "sl": "nedelja, 1. december 2030",
}


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _page(client, path: str, lang: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert _lang(html) == lang
    return html


@pytest.mark.parametrize("lang", LANGS)
def test_event_list_is_in_the_pages_language(client, make_event, lang):
    make_event(title="Cyber range", kind="workshop", capacity=10)
    html = _page(client, f"/{lang}/events/", lang)
    assert f"<h1>{UPCOMING[lang]}</h1>" in html
    assert {"fr": "Atelier", "de": "Workshop", "sl": "Delavnica"}[lang] in html
    assert {"fr": "10 places restantes", "de": "Noch 10 Plätze frei",
            "sl": "Še 10 prostih mest"}[lang] in html  # fmt: skip
    assert f'href="/{lang}/events/calendar"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_event_page_is_in_the_pages_language_with_babel_dates(client, make_event, lang):
    start = datetime(2030, 12, 1, 8, 30, tzinfo=UTC)  # 09:30 in Brussels, a Sunday
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=3), capacity=5,
                       description="Bring boots.", format="hybrid",
                       online_url="https://meet.example/room")  # fmt: skip
    html = _page(client, f"/{lang}/events/{event.slug}", lang)
    assert WHEN[lang] in html
    assert DEC_1[lang] in html and "09:30" in html
    assert {"fr": "À propos de cet atelier", "de": "Über diesen Workshop",
            "sl": "O tej delavnici"}[lang] in html  # fmt: skip
    assert {"fr": "et en ligne", "de": "und online", "sl": "in na spletu"}[lang] in html
    # The register link and the calendar file stay in the language.
    assert f'href="/{lang}/events/{event.slug}/register"' in html
    assert "AM" not in html.split("<main", 1)[1]  # 24-hour clocks


@pytest.mark.parametrize("lang", LANGS)
def test_calendar_names_months_and_days_with_babel(client, lang):
    html = _page(client, f"/{lang}/events/calendar?month=2030-12", lang)
    assert DECEMBER[lang] in html
    assert NO_EVENTS_MONTH[lang] in html
    # Day names come from Babel: December 1st, 2030 is a Sunday.
    assert SUNDAY[lang] in html
    assert "Monday" not in html and "December" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_register_page_and_guest_status_page(client, make_event, make_registration, lang):
    event = make_event()
    html = _page(client, f"/{lang}/events/{event.slug}/register", lang)
    assert REGISTER_INTRO[lang] in html
    assert {"fr": "Affiliation", "de": "Organisation", "sl": "Organizacija"}[lang] in html
    registration = make_registration(event=event, status="pending")
    html = _page(client, f"/{lang}/events/registration/{registration.token}", lang)
    assert NOT_CONFIRMED[lang] in html
    assert {"fr": "Confirmer mon inscription", "de": "Meine Anmeldung bestätigen",
            "sl": "Potrdi mojo prijavo"}[lang] in html  # fmt: skip


def test_guest_form_errors_are_translated(client, make_event):
    event = make_event()
    response = client.post(
        f"/fr/events/{event.slug}/register",
        data={"name": "", "email": "nope", "affiliation": "", "note": ""},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Indiquez votre nom." in html and "Indiquez une adresse e-mail valide." in html


def test_a_guest_registering_from_a_german_page_gets_german_mails(client, make_event, outbox, db):
    start = datetime(2030, 12, 1, 8, 30, tzinfo=UTC)
    event = make_event(title="Lagebild", starts_at=start, ends_at=start + timedelta(hours=3))
    response = client.post(
        f"/de/events/{event.slug}/register",
        data={"name": "Gerda Gast", "email": "gerda@example.org", "affiliation": "", "note": ""},
    )
    assert response.status_code == 200
    assert "Sehen Sie in Ihr Postfach" in response.get_data(as_text=True)
    registration = db.session.scalar(sa.select(Registration))
    assert registration.language == "de"

    [request_mail] = outbox(to="gerda@example.org")
    assert request_mail.subject == "Bitte bestätigen Sie Ihre Anmeldung: Lagebild"
    assert "Guten Tag Gerda Gast," in request_mail.text_body
    assert "Meine Anmeldung bestätigen" in request_mail.text_body
    assert re.search(r"1\. Dez(ember|\.) 2030", request_mail.text_body)
    assert "09:30" in request_mail.text_body and " AM" not in request_mail.text_body
    link = re.search(r"http://\S+/events/registration/\S+", request_mail.text_body).group(0)
    assert "/de/events/registration/" in link
    assert f"/de/events/{event.slug}" in request_mail.text_body
    assert "Guten Tag Gerda Gast," in request_mail.html_body

    # Confirming (even from an English page) keeps the guest's language.
    token = link.rsplit("/", 1)[1]
    client.post(f"/events/registration/{token}/confirm")
    confirmed = outbox(to="gerda@example.org")[-1]
    assert confirmed.subject == "Sie sind angemeldet: Lagebild"
    assert "Ihre Anmeldung ist bestätigt." in confirmed.text_body
    assert re.search(r"1\. Dez(ember|\.) 2030", confirmed.text_body)
    assert "Ort: Egmont Palace" in confirmed.text_body
    assert f"/de/events/registration/{token}" in confirmed.text_body
    # The attached calendar file speaks German too (its link and its category).
    attachment, _code = confirmed.attachments  # the calendar file, the check-in code
    assert "/de/events/checkin/" in confirmed.text_body
    import base64

    calendar = icalendar.Calendar.from_ical(base64.b64decode(attachment["data"]))
    [vevent] = calendar.walk("VEVENT")
    assert f"/de/events/{event.slug}" in str(vevent["url"])
    assert "Workshop" in vevent.to_ical().decode()


def test_a_member_gets_mails_in_their_language_whatever_the_page(
    client, auth, make_member, make_event, outbox, db
):
    member = auth.login_as(make_member(language="sl", timezone="America/New_York"))
    start = datetime(2030, 12, 1, 8, 30, tzinfo=UTC)
    event = make_event(title="Vaja", starts_at=start, ends_at=start + timedelta(hours=3))
    response = client.post(f"/events/{event.slug}/register")  # an English page
    assert response.status_code == 302
    with client.session_transaction() as sess:  # the flash is in the page's language
        assert any("You are registered" in m for _, m in sess.get("_flashes", []))
    [mail] = outbox(to=member.email)
    assert mail.subject == "Prijavljeni ste: Vaja"
    assert f"Pozdravljeni, {member.name}," in mail.text_body
    assert "Vaša prijava je potrjena." in mail.text_body
    assert "1. december 2030" in mail.text_body
    # The member's own time, in Slovenian, Babel-formatted (24-hour clock).
    assert "Vaš čas: od " in mail.text_body and "03:30" in mail.text_body
    assert "/sl/events/registration/" in mail.text_body
    registration = db.session.scalar(sa.select(Registration))
    assert registration.language == "en"  # the page's; the member's mails follow the account


def test_organizer_messages_go_as_written_in_a_translated_frame(make_event, make_registration,
                                                                  outbox):  # fmt: skip
    from interacta.events import notifications

    registration = make_registration(event=make_event(title="Vaja"), language="fr")
    notifications.organizer_message(registration, "Parking", "Use gate B.")
    mail = outbox(to=registration.email)[-1]
    assert mail.subject == "Parking\u00a0: Vaja"
    assert "Use gate B." in mail.text_body
    assert "Voici un message de l’organisateur" in mail.text_body


def test_english_mails_are_unchanged(client, make_event, outbox):
    event = make_event(title="Drill")
    client.post(
        f"/events/{event.slug}/register",
        data={"name": "Gina Guest", "email": "gina@example.org", "affiliation": "", "note": ""},
    )
    [mail] = outbox(to="gina@example.org")
    assert mail.subject == "Please confirm your registration: Drill"
    assert "Hello Gina Guest," in mail.text_body
    assert 'pressing "Confirm my registration"' in mail.text_body
    assert "Where: Egmont Palace" in mail.text_body


def test_event_feed_of_a_language_is_cached_apart(client, make_event):
    event = make_event(status="cancelled", cancelled_at=utcnow())
    french = client.get("/fr/events/feed.ics").get_data(as_text=True)
    english = client.get("/events/feed.ics").get_data(as_text=True)
    assert f"{event.title} (annulé)" in french and f"/fr/events/{event.slug}" in french
    assert f"{event.title} (cancelled)" in english and "/fr/" not in english


def test_registering_again_is_answered_in_the_language_of_the_page_used(
    client, make_event, make_registration, outbox
):
    event = make_event(title="Drill")
    make_registration(event=event, email="gina@example.org", language="de", status="waiting")
    client.post(
        f"/fr/events/{event.slug}/register",
        data={"name": "Gina", "email": "gina@example.org", "affiliation": "", "note": ""},
    )
    mail = outbox(to="gina@example.org")[-1]
    assert mail.subject == "Votre inscription\u00a0: Drill"
    assert "Quelqu’un (sans doute vous)" in mail.text_body
    assert "sur liste d’attente" in mail.text_body


def test_a_cancellation_reaches_each_registrant_in_their_own_language(
    make_event, make_registration, make_member, outbox, db
):
    from interacta.core.mail import render_committed
    from interacta.events import services

    event = make_event(title="Drill")
    guest = make_registration(event=event, language="de")
    member = make_member(language="sl")
    make_registration(event=event, member=member, language="fr")
    english = make_registration(event=event)
    services.cancel(event, "The building is closed.")
    db.session.commit()
    render_committed()  # as the request does when it ends
    german = outbox(to=guest.email)[-1]
    assert german.subject == "Veranstaltung abgesagt: Drill"
    assert "The building is closed." in german.text_body  # as the organizer wrote it
    assert "Der Veranstalter schreibt:" in german.text_body
    assert outbox(to=member.email)[-1].subject == "Dogodek je odpovedan: Drill"
    assert outbox(to=english.email)[-1].subject == "Event cancelled: Drill"
