"""The shared layout, the static pages and the error pages in French, German and Slovenian:
`<html lang>`, nav, footer and the pages' own text come from the catalogs."""

from __future__ import annotations

import re
from html import unescape

import pytest

from interacta.core.errors import render_error
from interacta.core.i18n import force_locale

NAV = {
    "fr": ("Accueil", "Événements", "Publications", "Gestion des cookies", "Membres / Adhérer"),
    "de": ("Startseite", "Veranstaltungen", "Publikationen", "Cookie-Verwaltung", "Mitglieder"),
    "sl": ("Domov", "Dogodki", "Publikacije", "Upravljanje piškotkov", "Člani / Včlanitev"),
}
PAGES = {
    "/": {
        "fr": "Unité de but entre acteurs civils et militaires",
        "de": "Gemeinsame Ziele ziviler und militärischer Akteure",
        "sl": "Enotnost ciljev civilnih in vojaških akterjev",
    },
    "/about": {
        "fr": "Pourquoi ce réseau",
        "de": "Das Netzwerk gibt es, damit sie einander verstehen",
        "sl": "Mreža od leta 2013 povezuje ljudi",
    },
    "/privacy": {
        "fr": "responsable du traitement des données personnelles",
        "de": "Widerruf der Einwilligung",
        "sl": "Preklic privolitve",
    },
    "/imprint": {
        "fr": "Mentions légales",
        "de": "Haftung für Inhalte und Links",
        "sl": "Odgovornost za vsebino in povezave",
    },
}
FOOTER = {
    "fr": "Ce site est géré par Interacta Global d.o.o.",
    "de": "Betreiber dieser Website ist Interacta Global d.o.o.",
    "sl": "To spletno mesto upravlja Interacta Global d.o.o.",
}
NOT_FOUND = {
    "fr": ("Page introuvable", "Erreur 404", "Aller à la page d’accueil"),
    "de": ("Seite nicht gefunden", "Fehler 404", "Zur Startseite"),
    "sl": ("Strani ni mogoče najti", "Napaka 404", "Na domačo stran"),
}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ").split())


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize("lang", ["fr", "de", "sl"])
@pytest.mark.parametrize("path", list(PAGES))
def test_static_pages_render_in_the_language(client, lang, path):
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _lang(html) == lang
    text = _text(html)
    assert PAGES[path][lang] in text
    assert FOOTER[lang] in text
    assert "d.o.o.." not in text


@pytest.mark.parametrize("lang", ["fr", "de", "sl"])
def test_nav_skip_link_and_brand_are_translated(client, lang):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    nav = _text(html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0])
    for label in NAV[lang]:
        assert label in nav
    assert "Cookie Management" not in nav and "Members / Join" not in nav
    skip = re.search(r'<a class="skip-link"[^>]*>([^<]+)</a>', html).group(1)
    assert skip != "Skip to main content"
    assert "Civil-military interaction network" not in html


@pytest.mark.parametrize("lang", ["fr", "de", "sl"])
def test_not_found_page_is_in_the_language(client, lang):
    response = client.get(f"/{lang}/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert _lang(html) == lang
    text = _text(html)
    for phrase in NOT_FOUND[lang]:
        assert phrase in text
    assert "Page not found" not in text


def test_other_error_pages_follow_the_language(app):
    context = app.test_request_context("/", environ_base={"interacta.language": "de"})
    with context, force_locale("de"):
        for code, title in ((403, "Zugriff verweigert"), (429, "Zu viele Anfragen")):
            html = render_error(code).get_data(as_text=True)
            assert title in html and _lang(html) == "de"
        html = render_error(500).get_data(as_text=True)
        assert "Etwas ist schiefgelaufen" in html


def test_method_not_allowed_in_french(client):
    response = client.post("/fr/about")
    assert response.status_code == 405
    assert "Méthode non autorisée" in response.get_data(as_text=True)


def test_error_json_is_text_in_the_language(client):
    response = client.get("/sl/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "Strani ni mogoče najti"


def test_sign_in_request_is_flashed_in_the_pages_language(client):
    response = client.get("/fr/members/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/fr/members/login")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Veuillez vous connecter pour voir cette page." in html
    assert "Please sign in to see this page." not in html


def test_english_pages_are_unchanged(client):
    html = client.get("/").get_data(as_text=True)
    assert _lang(html) == "en"
    assert "Skip to main content" in html and "Civil-military interaction network" in html
    assert "This site is managed by Interacta Global d.o.o." in _text(html)
    response = client.get("/members/me")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please sign in to see this page." in html


def test_nul_byte_refusal_is_in_the_language(client):
    response = client.get("/de/publications/?q=a%00b")
    assert response.status_code == 400
    assert "NUL-Zeichen" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "footer", "hello"),
    [
        ("fr", "Interacta, géré par Interacta Global d.o.o.", "Bonjour,"),
        ("de", "Interacta, betrieben von Interacta Global d.o.o.", "Guten Tag,"),
        ("sl", "Interacta, upravlja Interacta Global d.o.o.", "Pozdravljeni,"),
    ],
)
def test_mail_layout_is_in_the_recipients_language(app, outbox, lang, footer, hello):
    from interacta.core.mail import queue_mail

    with app.test_request_context(), force_locale(lang):
        queue_mail("ana@example.org", "Test", "core/mail/test_message")
    message = outbox()[-1]
    assert message.text_body.startswith(hello)
    assert footer in message.text_body
    assert f'<html lang="{lang}">' in message.html_body and footer in message.html_body
