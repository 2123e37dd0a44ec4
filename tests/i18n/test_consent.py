"""Cookie consent in French, German and Slovenian: a choice is only informed if it is made in
a language the person reads. The banner, the policy (generated from the registry) and Cookie
Management are in the page's language; the policy they refer to is one, and so is its hash."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from interacta.consent import registry
from interacta.consent.embed import embed_video
from interacta.consent.models import ConsentLogEntry
from interacta.core.i18n import ENVIRON_KEY, force_locale

#: Per language: the banner's question and buttons, a category name, the policy's title,
#: Cookie Management's title and the "saved" flash.
TEXTS = {
    "fr": {
        "question": "Acceptez-vous que nous utilisions des cookies ?",
        "buttons": ("Tout accepter", "Tout refuser", "Choisir"),
        "categories": ("Strictement nécessaires", "Performance", "Fonctionnalité", "Ciblage"),
        "switch": "Autoriser les cookies de ciblage",
        "policy": "Politique relative aux cookies",
        "management": "Gestion des cookies",
        "purpose": "Mémorise votre affichage préféré des événements",
        "saved": "Votre choix en matière de cookies a été enregistré.",
    },
    "de": {
        "question": "Sind Sie mit unserer Verwendung von Cookies einverstanden?",
        "buttons": ("Alle akzeptieren", "Alle ablehnen", "Auswählen"),
        "categories": ("Unbedingt erforderlich", "Leistung", "Funktionalität", "Targeting"),
        "switch": "Targeting-Cookies erlauben",
        "policy": "Cookie-Richtlinie",
        "management": "Cookie-Verwaltung",
        "purpose": "Speichert Ihre bevorzugte Ansicht der Veranstaltungen",
        "saved": "Ihre Cookie-Auswahl wurde gespeichert.",
    },
    "sl": {
        "question": "Ali se strinjate z našo uporabo piškotkov?",
        "buttons": ("Sprejmi vse", "Zavrni vse", "Izberi"),
        "categories": ("Nujno potrebni", "Zmogljivost", "Funkcionalnost", "Ciljanje"),
        "switch": "Dovoli piškotke za ciljanje",
        "policy": "Politika piškotkov",
        "management": "Upravljanje piškotkov",
        "purpose": "Zapomni si vaš priljubljeni prikaz dogodkov",
        "saved": "Vaša izbira piškotkov je shranjena.",
    },
}
LANGS = tuple(TEXTS)


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _shown_hash(html: str) -> str:
    return re.search(r'<code class="hash">([0-9a-f]{64})</code>', html).group(1)


@pytest.mark.parametrize("lang", LANGS)
def test_banner_on_a_first_visit_is_in_the_pages_language(client, lang):
    html = _page(client, f"/{lang}/")
    assert _lang(html) == lang
    banner = html.split('id="consent-banner"', 1)[1].split("</section>", 1)[0]
    texts = TEXTS[lang]
    assert texts["question"] in banner
    for label in texts["buttons"]:
        assert f">{label}</" in banner
    assert "Accept all" not in banner and "Reject all" not in banner
    # Its links and the page it comes back to stay in the language.
    assert f'href="/{lang}/cookies"' in banner
    assert f'href="/{lang}/cookies/preferences"' in banner
    assert f'action="/{lang}/cookies/consent"' in banner
    assert f'name="next" value="/{lang}/"' in banner


@pytest.mark.parametrize("lang", LANGS)
def test_policy_is_generated_in_the_pages_language(app, client, lang):
    html = _page(client, f"/{lang}/cookies")
    texts = TEXTS[lang]
    assert _lang(html) == lang
    assert f"<h1>{texts['policy']}</h1>" in html
    for name in texts["categories"]:
        assert name in html
    assert texts["purpose"] in html  # a cookie's purpose, from the registry
    assert "Remembers your preferred events view" not in html
    assert "Strictly necessary" not in html
    # The computed lifetimes are written with the language's plural forms.
    months = {"fr": "12 mois", "de": "12 Monate", "sl": "12 mesecev"}[lang]
    assert months in html
    assert f'<time datetime="{app.config["COOKIE_POLICY_DATE"]}">' in html


@pytest.mark.parametrize("lang", LANGS)
def test_cookie_management_is_in_the_pages_language(client, lang):
    html = _page(client, f"/{lang}/cookies/preferences")
    texts = TEXTS[lang]
    assert _lang(html) == lang
    assert f"<h1>{texts['management']}</h1>" in html
    for name in texts["categories"]:
        assert f">{name}</h2>" in html
    assert texts["switch"] in html
    assert "Save my choices" not in html and "Always on" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_saving_a_choice_returns_to_the_language_with_a_flash_in_it(client, db, lang):
    page = _page(client, f"/{lang}/cookies/preferences")
    assert f'name="next" value="/{lang}/cookies/preferences"' in page
    response = client.post(
        f"/{lang}/cookies/consent",
        data={"action": "custom", "functionality": "on", "next": f"/{lang}/cookies/preferences"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{lang}/cookies/preferences"
    html = _page(client, response.headers["Location"])
    assert TEXTS[lang]["saved"] in html
    assert "Your cookie choice was saved." not in html
    assert 'id="consent-functionality" name="functionality" value="on"' in html


def test_saving_from_german_cookie_management_stays_german(client, db):
    client.post("/de/cookies/consent", data={"action": "reject_all", "next": "/de/events/"})
    response = client.post(
        "/de/cookies/consent", data={"action": "custom", "performance": "on"}
    )  # no `next`: back to Cookie Management, in German
    assert response.headers["Location"] == "/de/cookies/preferences"
    html = _page(client, "/de/cookies/preferences")
    assert "Ihre Cookie-Auswahl wurde gespeichert." in html
    # The current choice's dates are written in German.
    assert "Ihre aktuelle Wahl wurde am" in html


def test_the_banner_answer_by_fetch_is_in_the_language(client, db):
    response = client.post(
        "/sl/cookies/consent",
        data={"action": "accept_all"},
        headers={"Accept": "application/json"},
    )
    assert response.get_json()["message"] == TEXTS["sl"]["saved"]


def test_policy_hash_is_the_same_in_every_language(app, client, db):
    expected = registry.policy_hash(
        app.config["COOKIE_POLICY_VERSION"], app.config["COOKIE_POLICY_DATE"]
    )
    shown = {
        lang: _shown_hash(_page(client, f"{'' if lang == 'en' else '/' + lang}/cookies"))
        for lang in ("en", *LANGS)
    }
    assert set(shown.values()) == {expected}
    # The hash is made from the English source texts, whatever language is active.
    version, date = app.config["COOKIE_POLICY_VERSION"], app.config["COOKIE_POLICY_DATE"]
    english = registry.policy_text(version, date)
    for lang in LANGS:
        with app.test_request_context("/cookies"), force_locale(lang):
            assert (
                str(registry.CATEGORY_INFO[registry.NECESSARY].title)
                == (TEXTS[lang]["categories"][0])
            )
            assert registry.policy_text(version, date) == english
    assert "Strictly necessary: Needed for the site to work" in english
    # Choices made in any language are logged under the same hash.
    for lang in LANGS:
        client.post(f"/{lang}/cookies/consent", data={"action": "accept_all"})
    logged = db.session.scalars(sa.select(ConsentLogEntry.policy_hash)).all()
    assert logged and set(logged) == {expected}


@pytest.mark.parametrize("lang", LANGS)
def test_video_placeholder_is_in_the_pages_language(app, db, lang):
    expected = {
        "fr": ("Vidéo : Séminaire", "Autoriser les cookies de ciblage et afficher la vidéo"),
        "de": ("Video: Séminaire", "Targeting-Cookies erlauben und Video anzeigen"),
        "sl": ("Videoposnetek: Séminaire", "Dovoli piškotke za ciljanje in prikaži videoposnetek"),
    }[lang]
    with app.test_request_context(
        "/events/", base_url=f"http://localhost/{lang}", environ_overrides={ENVIRON_KEY: lang}
    ):
        app.preprocess_request()
        html = str(embed_video("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Séminaire"))
    for text in expected:
        assert text in html
    assert f'name="next" value="/{lang}/events/"' in html
    assert f'href="/{lang}/cookies/preferences"' in html
