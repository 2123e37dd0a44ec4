"""Content in several languages (issue 16, "Content"): events and publications carry their
title, summary and description (abstract) in an original language plus translations; a
page shows its own language's version, else the original marked with its `lang` and a
note; organizers edit the versions on the same form; search finds any of them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from interacta.core import content
from interacta.core.i18n import force_locale
from interacta.core.models import Topic
from interacta.events import services as event_services
from interacta.events.models import Event, EventTranslation
from interacta.publications import services as pub_services
from interacta.publications.models import PublicationTranslation
from tests.fixtures.events import event_form_data

FRENCH = {
    "title": "Exercice sur table : évacuation",
    "summary": "S'exercer ensemble à une évacuation",
    "description": "Apportez des **bottes**.",
}
GERMAN = {"title": "Planspiel: Evakuierung", "summary": "", "description": ""}


@pytest.fixture
def organizer(make_member):
    return make_member(role="organizer", name="Olga Organizer")


def _event(make_event, **overrides):
    event = make_event(title="Table-top exercise", summary="Practise together", **overrides)
    event_services.set_translations(event, {"fr": FRENCH})
    return event


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- services -------------------------------------------------------------------------


def test_an_event_saves_its_versions_in_other_languages(make_event, organizer, db):
    values = {k: v for k, v in event_form_data().items() if "-" not in k}
    values.update(
        starts_at=datetime(2031, 3, 2, 9, tzinfo=UTC),
        ends_at=datetime(2031, 3, 2, 17, tzinfo=UTC),
        capacity=30,
        online_url=None,
        recording_url=None,
        registration_opens_at=None,
        registration_closes_at=None,
        language="en",
    )
    event, _ = event_services.save_event(
        None, organizer, values, [], [], {"fr": FRENCH, "de": GERMAN, "sl": {"title": "  "}}
    )
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert {t.language: t.title for t in event.translations} == {
        "de": GERMAN["title"],
        "fr": FRENCH["title"],
    }  # the empty Slovenian section saved nothing


def test_a_version_in_the_original_language_is_refused(make_event, db):
    event = make_event(language="fr")
    with pytest.raises(event_services.InvalidEvent) as caught:
        event_services.update_event(event, translations={"fr": FRENCH})
    assert caught.value.field == "translation_fr"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventTranslation)) == 0


def test_an_empty_section_removes_a_version_and_a_change_reaches_calendars(make_event, db):
    event = _event(make_event)
    sequence = event.sequence
    changed = event_services.update_event(
        event, translations={"fr": {"title": "", "summary": "", "description": ""}}
    )
    assert changed == ["translations"]
    assert event.translations == []
    assert event.sequence == sequence + 1  # published: calendars refresh


def test_the_page_language_version_else_the_original(make_event):
    event = _event(make_event)
    with force_locale("fr"):
        shown = content.translated(event, "title")
        assert (shown.text, shown.lang, shown.foreign) == (FRENCH["title"], "fr", False)
    with force_locale("de"):
        shown = content.translated(event, "title")
        assert (shown.text, shown.lang, shown.foreign) == ("Table-top exercise", "en", True)
    # An empty field of a version falls back on the original's.
    event_services.set_translations(event, {"fr": {"title": "Titre seul"}})
    with force_locale("fr"):
        assert content.translated(event, "summary") == ("Practise together", "en", True)


def test_a_duplicate_keeps_the_versions(make_event, organizer):
    event = _event(make_event, organizer=organizer)
    copy = event_services.duplicate(event, event.starts_at + timedelta(days=7), organizer)
    assert [(t.language, t.title) for t in copy.translations] == [("fr", FRENCH["title"])]


def test_a_publication_saves_title_and_abstract_in_other_languages(make_publication, db):
    pub = make_publication(
        title="Civil-military cooperation",
        translations={"fr": {"title": "Coopération civilo-militaire", "abstract": "Un *résumé*."}},
    )
    db.session.expire_all()
    assert [(t.language, t.title) for t in pub.translations] == [
        ("fr", "Coopération civilo-militaire")
    ]
    assert "Coopération" in pub.search_translations


def test_a_publication_refuses_a_version_in_its_own_language(make_publication):
    with pytest.raises(pub_services.PublicationError) as caught:
        make_publication(language="fr", translations={"fr": {"title": "Titre"}})
    assert caught.value.field == "translation_fr"


def test_a_publication_in_another_language_may_have_all_four(make_publication):
    versions = {lang: {"title": f"Title {lang}"} for lang in ("en", "fr", "de", "sl")}
    pub = make_publication(language="it", title="Cooperazione", translations=versions)
    assert len(pub.translations) == 4
    with force_locale("de"):
        assert content.translated(pub, "title").text == "Title de"
    pub = make_publication(language="en-GB", title="Colour")
    with force_locale("de"):
        assert content.translated(pub, "title") == ("Colour", "en", True)


# --- pages ------------------------------------------------------------------------------


def test_a_french_page_shows_the_french_version_marked_fr(client, make_event):
    event = _event(make_event)
    page = html(client.get(f"/fr/events/{event.slug}"))
    assert f'<span lang="fr">{FRENCH["title"]}</span>' in page.replace("&#39;", "'")
    assert "bottes" in page
    assert "en anglais" not in page
    assert FRENCH["title"] in html(client.get("/fr/events/"))
    assert FRENCH["title"] in html(client.get("/fr/"))
    month = event.starts_at.strftime("%Y-%m")
    assert FRENCH["title"] in html(client.get(f"/fr/events/calendar?month={month}"))


def test_a_german_page_without_a_german_version_shows_the_original_with_a_note(client, make_event):
    event = _event(make_event)
    page = html(client.get(f"/de/events/{event.slug}"))
    assert '<span lang="en">Table-top exercise</span> <small class="lang-note">auf Englisch' in (
        page
    )
    listing = html(client.get("/de/events/"))
    assert '<span lang="en">Table-top exercise</span>' in listing
    assert "auf Englisch" in listing


def test_an_english_page_of_a_french_event_notes_it_in_french(client, make_event):
    event = make_event(title="Exercice", language="fr")
    page = html(client.get(f"/events/{event.slug}"))
    assert '<span lang="fr">Exercice</span> <small class="lang-note">in French</small>' in page


def test_calendar_feeds_use_the_feeds_language(client, make_event):
    event = _event(make_event)
    french = client.get("/fr/events/feed.ics").get_data(as_text=True)
    english = client.get("/events/feed.ics").get_data(as_text=True)
    assert "SUMMARY:Exercice sur table" in french
    assert "SUMMARY:Table-top exercise" in english
    assert "Exercice sur table" in client.get(f"/fr/events/{event.slug}.ics").get_data(as_text=True)


def test_publication_pages_show_the_version_of_their_language(client, make_publication):
    pub = make_publication(
        title="Civil-military cooperation",
        abstract="An abstract.",
        translations={"fr": {"title": "Coopération civilo-militaire", "abstract": "Un résumé."}},
    )
    page = html(client.get(f"/fr/publications/{pub.slug}"))
    assert '<span lang="fr">Coopération civilo-militaire</span>' in page
    assert '<div lang="fr"><p>Un résumé.</p>' in page
    assert "Coopération civilo-militaire" in html(client.get("/fr/publications/"))
    page = html(client.get(f"/sl/publications/{pub.slug}"))
    assert '<span lang="en">Civil-military cooperation</span>' in page
    assert "v angleščini" in page
    assert "Coopération" not in html(client.get("/publications/"))


def test_exports_keep_the_bibliographic_language(client, make_publication):
    pub = make_publication(
        title="Civil-military cooperation",
        language="en",
        translations={"fr": {"title": "Coopération civilo-militaire"}},
    )
    bib = client.get(f"/fr/publications/{pub.slug}.bib").get_data(as_text=True)
    if "language" in bib:
        assert re.search(r"language\s*=\s*\{en", bib)
    assert "Civil-military cooperation" in bib


# --- the forms --------------------------------------------------------------------------


def test_organizers_edit_the_versions_on_the_event_form(client, organizer, db, auth):
    auth.login_as(organizer)
    data = event_form_data(
        language="en",
        **{f"translation_fr-{k}": v for k, v in FRENCH.items()},
        **{"translation_de-title": "", "translation_de-summary": ""},
    )
    response = client.post("/events/manage/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    event = db.session.scalar(sa.select(Event).order_by(Event.id.desc()).limit(1))
    assert [(t.language, t.title) for t in event.translations] == [("fr", FRENCH["title"])]
    form = html(client.get(f"/events/manage/{event.id}/edit"))
    assert 'name="translation_fr-title"' in form
    assert "évacuation" in form


def test_the_event_form_refuses_a_version_in_the_original_language(client, organizer, auth):
    auth.login_as(organizer)
    data = event_form_data(language="fr", **{"translation_fr-title": "Exercice"})
    response = client.post("/events/manage/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="translation_fr-title-error"' in page
    assert "original language" in page


def test_organizers_edit_the_versions_on_the_publication_form(client, organizer, db, auth):
    auth.login_as(organizer)
    data = {
        "kind": "journal_article",
        "title": "Civil-military cooperation",
        "authors": "Ana Novak",
        "year": "2025",
        "language": "en",
        "translation_sl-title": "Civilno-vojaško sodelovanje",
        "translation_sl-abstract": "Povzetek.",
        "translation_en-title": "",
    }
    response = client.post("/publications/manage/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    pub = db.session.scalar(
        sa.select(PublicationTranslation).where(PublicationTranslation.language == "sl")
    ).publication
    assert pub.title == "Civil-military cooperation"
    data["translation_en-title"] = "Again"
    response = client.post(f"/publications/manage/{pub.id}/edit", data=data)
    assert response.status_code == 400
    assert 'id="translation_en-title-error"' in response.get_data(as_text=True)


# --- search -----------------------------------------------------------------------------


def test_the_events_search_finds_words_of_any_version(client, make_event):
    _event(make_event)
    make_event(title="Something else")
    found = html(client.get("/events/?q=bottes"))
    assert "Table-top exercise" in found
    assert "Something else" not in found
    assert "Table-top exercise" in html(client.get("/de/events/?q=évacuation"))


def test_the_publications_search_finds_words_of_any_version(client, make_publication, db):
    pub = make_publication(
        title="Civil-military cooperation",
        translations={"de": {"title": "Zivil-militärische Zusammenarbeit", "abstract": ""}},
    )
    make_publication(title="Something else")
    found = html(client.get("/publications/?q=zusammenarbeit"))
    assert "Civil-military cooperation" in found
    assert "Something else" not in found
    # An edit of the versions reaches the index.
    pub_services.save_publication(
        pub,
        pub_services.PublicationInput(
            kind=pub.kind,
            title=pub.title,
            year=pub.year,
            authors=[pub_services.AuthorInput(a.name) for a in pub.authors],
            translations={"sl": {"title": "Civilno-vojaško sodelovanje", "abstract": ""}},
        ),
    )
    db.session.flush()
    assert "Civil-military cooperation" in html(client.get("/de/publications/?q=sodelovanje"))
    assert "Civil-military cooperation" not in html(client.get("/publications/?q=zusammenarbeit"))


# --- a fixed number of queries ------------------------------------------------------------


def _translated_events(make_event, n, organizer, topic):
    base = datetime(2031, 5, 1, 8, tzinfo=UTC)
    for i in range(n):
        event = make_event(
            organizer=organizer, starts_at=base + timedelta(days=i % 28), topics=[topic]
        )
        event_services.set_translations(event, {"fr": {"title": f"Titre {i}"}, "de": GERMAN})


@pytest.mark.parametrize(
    "url",
    [
        "/fr/events/?month=2031-05",
        "/fr/events/calendar?month=2031-05",
        "/fr/events/feed.ics",
        "/fr/",
    ],
)
def test_translated_lists_load_in_a_fixed_number_of_queries(
    client, make_event, organizer, count_queries, db, url
):
    topic = db.session.scalar(sa.select(Topic).limit(1))
    # Counts kept under a fingerprint (members per sector on the home page) are read once
    # after their data changes: both counts are taken with the members' ones known.
    assert client.get(url).status_code == 200
    _translated_events(make_event, 2, organizer, topic)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _translated_events(make_event, 20, organizer, topic)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements


def test_translated_publication_list_loads_in_a_fixed_number_of_queries(
    client, make_publication, count_queries, db
):
    def add(n):
        for i in range(n):
            make_publication(translations={"fr": {"title": f"Titre {i}", "abstract": ""}})

    add(2)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get("/fr/publications/").status_code == 200
    add(15)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get("/fr/publications/").status_code == 200
    assert many.count == few.count, many.statements
