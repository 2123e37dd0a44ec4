"""The operator console in French, German and Slovenian: headings, figure labels, chart
titles, statuses and flashes in the operator's language; the stored values stay English."""

from __future__ import annotations

import re

import pytest

from interacta.core.models import OutboxEvent, OutboxMessage

#: Per language: the console's heading, a figure label, a chart title, the outbox's heading,
#: a column, a status and the flash after "retry failed" (one message).
TEXTS = {
    "fr": {
        "console": "Console d’exploitation",
        "figure": "Inscrits ce mois-ci",
        "chart": "Choix par type",
        "outbox": "Boîte d’envoi",
        "column": "Tentatives",
        "status": "en échec",
        "flash": "1 message en échec remis en file d’attente.",
    },
    "de": {
        "console": "Betriebskonsole",
        "figure": "In diesem Monat beigetreten",
        "chart": "Auswahlen nach Art",
        "outbox": "Postausgang",
        "column": "Versuche",
        "status": "fehlgeschlagen",
        "flash": "1 fehlgeschlagene Nachricht wurde erneut in die Warteschlange gestellt.",
    },
    "sl": {
        "console": "Nadzorna konzola",
        "figure": "Pridruženi ta mesec",
        "chart": "Izbire po vrsti",
        "outbox": "Odprema pošte",
        "column": "Poskusi",
        "status": "neuspešno",
        "flash": "1 neuspešno sporočilo je znova v čakalni vrsti.",
    },
}
LANGS = tuple(TEXTS)


@pytest.fixture
def admin_client(client, auth, make_member):
    auth.login_as(make_member(role="admin"))
    return client


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return html.replace("&#39;", "'").replace("&#8217;", "’")


def _failed_message(db):
    message = OutboxMessage(
        to_addr="lost@example.org",
        subject="Your registration",
        template="events/mail/registration_confirmed",
        text_body="Hello",
        status="failed",
        attempts=8,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
    )
    db.session.add(message)
    db.session.flush()
    db.session.add(OutboxEvent(message_id=message.id, status="failed", detail=message.last_error))
    db.session.commit()
    return message


def _consent_choice(db):
    from interacta.consent.models import ConsentLogEntry

    db.session.add(
        ConsentLogEntry(
            consent_id="i18n-admin-choice",
            subject_id="s",
            performance=True,
            functionality=False,
            targeting=False,
            action="accept_all",
            policy_version=1,
            policy_hash="0" * 64,
        )
    )
    db.session.commit()


@pytest.mark.parametrize("lang", LANGS)
def test_the_console_is_in_the_language(admin_client, db, lang):
    _consent_choice(db)
    html = _text(_page(admin_client, f"/{lang}/admin"))
    texts = TEXTS[lang]
    assert _lang(html) == lang
    assert f"<h1>{texts['console']}</h1>" in html
    assert f"<dt>{texts['figure']}</dt>" in html
    assert texts["chart"] in html
    assert "Operator console" not in html and "Joined this month" not in html
    # links stay in the language
    assert f'href="/{lang}/admin/mail"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_the_outbox_and_a_message_are_in_the_language(admin_client, db, lang):
    message = _failed_message(db)
    texts = TEXTS[lang]
    html = _text(_page(admin_client, f"/{lang}/admin/mail"))
    assert _lang(html) == lang
    assert f"<h1>{texts['outbox']}</h1>" in html
    assert f">{texts['column']}</th>" in html
    assert f"<td>{texts['status']}</td>" in html
    assert '<option value="failed">' in html  # the filter's values stay the stored ones
    detail = _text(_page(admin_client, f"/{lang}/admin/mail/{message.id}"))
    assert _lang(detail) == lang
    assert f'<dd data-figure="status">{texts["status"]}</dd>' in detail


def test_the_german_mail_console(admin_client, db):
    html = _text(_page(admin_client, "/de/admin/mail"))
    assert _lang(html) == "de"
    assert "<h1>Postausgang</h1>" in html and "Keine Nachricht gefunden." in html


@pytest.mark.parametrize("lang", LANGS)
def test_retry_failed_flashes_in_the_language(admin_client, db, lang):
    _failed_message(db)
    response = admin_client.post(f"/{lang}/admin/mail/retry-failed")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/{lang}/admin")
    html = _text(_page(admin_client, response.headers["Location"].split("#")[0]))
    assert TEXTS[lang]["flash"] in html
    assert "queued again" not in html


def test_english_is_unchanged(admin_client, db):
    _failed_message(db)
    html = _page(admin_client, "/admin")
    assert "<h1>Operator console</h1>" in html and "<dt>Joined this month</dt>" in html
    admin_client.post("/admin/mail/retry-failed")
    assert "1 failed message queued again." in _page(admin_client, "/admin")
