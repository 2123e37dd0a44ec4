"""The language is in the URL: /fr/, /de/, /sl/ (unprefixed is English), links stay in it,
every page names its alternates, and a browser's language is offered, never imposed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from interacta.core.i18n import force_locale
from interacta.core.timezones import format_local
from interacta.core.urls import external_url

LANGS = ("en", "fr", "de", "sl")


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize("lang", ["fr", "de", "sl"])
def test_prefixed_page_is_in_its_language_and_links_stay_in_it(client, lang):
    response = client.get(f"/{lang}/events/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _lang(html) == lang
    # The nav's links lead to pages in the same language.
    assert f'href="/{lang}/publications/"' in html
    assert f'href="/{lang}/cookies/preferences"' in html


def test_unprefixed_page_is_english(client):
    html = client.get("/events/").get_data(as_text=True)
    assert _lang(html) == "en"
    assert 'href="/publications/"' in html


def test_bare_language_prefix_is_that_languages_home(client):
    response = client.get("/de")
    assert response.status_code == 200
    assert _lang(response.get_data(as_text=True)) == "de"


def test_every_page_names_its_alternates_and_x_default(client, app):
    html = client.get("/fr/publications/?q=nato").get_data(as_text=True)
    base = app.config["SERVER_BASE_URL"].rstrip("/")
    for lang, prefix in (("en", ""), ("fr", "/fr"), ("de", "/de"), ("sl", "/sl")):
        assert (
            f'<link rel="alternate" hreflang="{lang}" href="{base}{prefix}/publications/?q=nato">'
            in html
        )
    assert f'hreflang="x-default" href="{base}/publications/?q=nato"' in html


def test_switcher_leads_to_the_same_page_in_each_language(client, make_event):
    event = make_event()
    html = client.get(f"/sl/events/{event.slug}").get_data(as_text=True)
    switcher = html.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="([^"]+)"', switcher)
    assert targets == [
        f"/events/{event.slug}",
        f"/fr/events/{event.slug}",
        f"/de/events/{event.slug}",
        f"/sl/events/{event.slug}",
    ]
    assert 'aria-current="true">Slovenščina<' in switcher


def test_browser_language_is_offered_in_that_language_not_redirected(client):
    response = client.get("/events/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.status_code == 200  # never a redirect
    html = response.get_data(as_text=True)
    assert _lang(html) == "en"
    assert '<a href="/fr/events/" hreflang="fr">Cette page existe en français.</a>' in html


def test_no_offer_for_english_browsers_or_on_prefixed_pages(client):
    english = client.get("/events/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "language-offer" not in english.get_data(as_text=True)
    german = client.get("/de/events/", headers={"Accept-Language": "de"})
    assert "language-offer" not in german.get_data(as_text=True)


def test_no_cookie_is_needed_to_keep_a_language(client):
    response = client.get("/fr/events/")
    assert "Set-Cookie" not in response.headers


def test_static_files_are_linked_once_for_every_language(client):
    html = client.get("/fr/").get_data(as_text=True)
    assert 'href="/static/css/site.css"' in html
    assert "/fr/static/" not in html


def test_page_cache_keeps_languages_apart(client):
    # The same view and query in two languages must not share a cached body.
    assert _lang(client.get("/de/publications/").get_data(as_text=True)) == "de"
    assert _lang(client.get("/publications/").get_data(as_text=True)) == "en"
    assert _lang(client.get("/de/publications/").get_data(as_text=True)) == "de"


def test_page_cache_keeps_the_offer_apart(client):
    plain = client.get("/publications/").get_data(as_text=True)
    offered = client.get("/publications/", headers={"Accept-Language": "sl"}).get_data(as_text=True)
    assert "language-offer" not in plain
    assert "Ta stran je na voljo tudi v slovenščini." in offered


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Tuesday, 1 December 2026, 09:30 CET"),
        ("de", "Dienstag, 1. Dezember 2026, 09:30 MEZ"),
        ("fr", "mardi 1 décembre 2026, 09:30 CET"),
        ("sl", "torek, 1. december 2026, 09:30 CET"),
    ],
)
def test_dates_are_formatted_for_the_language(app, lang, expected):
    moment = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    with app.test_request_context("/"), force_locale(lang):
        assert format_local(moment, "Europe/Brussels") == expected


def test_french_and_slovenian_use_the_24_hour_clock(app):
    moment = datetime(2026, 12, 1, 14, 5, tzinfo=UTC) + timedelta(0)
    for lang in ("fr", "sl"):
        with app.test_request_context("/"), force_locale(lang):
            assert "15:05" in format_local(moment, "Europe/Ljubljana")


def test_mail_links_follow_the_language_they_are_written_in(app):
    base = app.config["SERVER_BASE_URL"].rstrip("/")
    with app.test_request_context("/"):
        assert external_url("events.index") == f"{base}/events/"
        with force_locale("sl"):
            assert external_url("events.index") == f"{base}/sl/events/"
        assert external_url("events.index", _language="de") == f"{base}/de/events/"


def test_country_and_zone_names_are_translated(app):
    from interacta.core.i18n import country_name, format_names, timezone_label

    with app.test_request_context("/"):
        assert country_name("DE") == "Germany"
        with force_locale("sl"):
            assert country_name("DE") == "Nemčija"
            assert format_names(["a", "b", "c"]) == "a, b in c"
        with force_locale("de"):
            assert timezone_label("Europe/Brussels") == (
                "Europe/Brussels: Brüssel, Mitteleuropäische Zeit"
            )


def test_a_path_moves_into_another_language(app):
    from interacta.core.i18n import in_language

    with app.test_request_context("/"):
        assert in_language("/events/x?a=1", "de") == "/de/events/x?a=1"
        assert in_language("/fr/events/", "sl") == "/sl/events/"
        assert in_language("/fr/events/", "en") == "/events/"
        assert in_language("/fr", "de") == "/de/"
        assert in_language("/france", "de") == "/de/france"
