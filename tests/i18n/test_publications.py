"""The publications pages in French, German and Slovenian: list, search, facets, a
publication, the organizer's form and the Atom feed. Bibliographic data stays as it is."""

from __future__ import annotations

import re

import pytest


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.fixture
def organizer(make_member, auth):
    return auth.login_as(make_member(role="organizer"))


def test_french_list_with_facets_and_kind_names(client, make_publication):
    make_publication(title="Coordination civilo-militaire", kind="working_paper", language="fr")
    make_publication(title="Shared Spaces", kind="journal_article")
    response = client.get("/fr/publications/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _lang(html) == "fr"
    assert "<h1>Publications</h1>" in html
    assert "Rechercher dans le titre, le résumé, les auteurs et les mots-clés" in html
    assert '<h3 id="facet-kind">Type</h3>' in html
    assert '<h3 id="facet-year">Année</h3>' in html
    assert "Document de travail" in html and "Article de revue" in html
    assert "2 publications" in html
    assert "Suivre les nouvelles publications (flux Atom)" in html
    # The English title is marked as English on the French page; the French one is not.
    assert 'lang="en"><a href="/fr/publications/' in html
    assert 'class="pub-title"><a href="/fr/publications/' in html


def test_german_publication_page(client, make_publication):
    pub = make_publication(
        title="Civil-Military Interaction in Floods",
        kind="report",
        year=2025,
        month=3,
        day=5,
        journal="CIMIC Papers",
        issue="7",
        abstract="About *floods*.",
        keywords="floods, coordination",
    )
    response = client.get(f"/de/publications/{pub.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _lang(html) == "de"
    assert '<p class="pub-kind-label">Bericht</p>' in html
    assert "<dt>Erschienen</dt><dd>5. März 2025</dd>" in html
    assert "<dt>Reihe</dt>" in html and "CIMIC Papers, Nr.\u00a07" in html
    # The publication's language, named in German (Babel), not pycountry's English.
    assert "<dt>Sprache</dt><dd>Englisch</dd>" in html
    assert "<dt>Schlagwörter</dt><dd>floods, coordination</dd>" in html
    assert '<h2 id="abstract-title">Zusammenfassung</h2>' in html
    assert '<h2 id="cite-title">Zitieren</h2>' in html
    assert 'data-copied="Zitation kopiert."' in html
    assert "Alle Publikationen" in html
    # Bibliographic data as it is: the title, lang-marked as English.
    assert '<h1 lang="en">Civil-Military Interaction in Floods</h1>' in html


def test_english_publication_page_is_unchanged(client, make_publication):
    pub = make_publication(title="Dates", year=2025, month=3, day=5, language="fr")
    html = client.get(f"/publications/{pub.slug}").get_data(as_text=True)
    assert "<dt>Published</dt><dd>March 5, 2025</dd>" in html
    assert "<dt>Language</dt><dd>French</dd>" in html
    assert '<h1 lang="fr">Dates</h1>' in html


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "Slovenian"), ("fr", "Slovène"), ("de", "Slowenisch"), ("sl", "Slovenščina")],
)
def test_language_name_in_the_page_language(client, make_publication, lang, name):
    pub = make_publication(title="Jezik", language="sl")
    prefix = "" if lang == "en" else f"/{lang}"
    html = client.get(f"{prefix}/publications/{pub.slug}").get_data(as_text=True)
    assert f"<dd>{name}</dd>" in html


def test_slovenian_search_facets_and_empty_state(client, make_publication):
    make_publication(title="Poplave in civilna zaščita", kind="policy_brief", language="sl")
    make_publication(title="Poplave v Evropi", kind="policy_brief")
    html = client.get("/sl/publications/?q=poplave").get_data(as_text=True)
    assert _lang(html) == "sl"
    assert "2 publikaciji, ki ustrezata iskanju »poplave«" in html
    assert '<h3 id="facet-kind">Vrsta</h3>' in html
    assert '<h3 id="facet-author">Avtor</h3>' in html
    assert "Povzetek za oblikovalce politik" in html
    assert "Citirajte 2 zadetka:" in html
    assert '<option value="relevance" selected>Najboljše ujemanje</option>' in html

    empty = client.get("/sl/publications/?q=nicesarnega").get_data(as_text=True)
    assert "0 publikacij, ki ustrezajo iskanju »nicesarnega«" in empty
    assert "Nobena publikacija ne ustreza vašemu iskanju in filtrom." in empty
    assert "Počisti vse filtre" in empty


def test_french_add_form_labels_and_error_beside_a_field(client, db, organizer):
    page = client.get("/fr/publications/manage/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _lang(html) == "fr"
    assert "<h1>Ajouter une publication</h1>" in html
    assert ">Titre" in html and ">Auteurs" in html and ">Revue ou collection" in html
    assert "Article de revue" in html  # the kind choices
    assert "Un auteur par ligne" in html  # help text
    response = client.post(
        "/fr/publications/manage/new",
        data={
            "kind": "journal_article",
            "title": "Titre",
            "authors": "A | B | pas-une-adresse",
            "year": "2025",
            "day": "4",
            "language": "fr",
            "doi": "pas un doi",
            "version_of": "0",
            "presented_at": "0",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Un jour ne va pas sans mois" in html
    assert "Ce n&#39;est pas un DOI." in html or "Ce n'est pas un DOI." in html
    assert "la troisième partie est l&#39;adresse e-mail d&#39;un membre" in html or (
        "la troisième partie est l'adresse e-mail d'un membre" in html
    )
    empty = client.post("/fr/publications/manage/new", data={"kind": "journal_article"})
    assert "Ce champ est obligatoire." in empty.get_data(as_text=True)
    assert "Indiquez au moins un auteur." in empty.get_data(as_text=True)


def test_french_flash_after_saving(client, db, organizer):
    response = client.post(
        "/fr/publications/manage/new",
        data={
            "kind": "report",
            "title": "Rapport annuel",
            "authors": "Claire Dubois",
            "year": "2025",
            "language": "fr",
            "version_of": "0",
            "presented_at": "0",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "«\u00a0Rapport annuel\u00a0» est enregistrée." in html
    assert "Statut\u00a0: <strong>Brouillon</strong>." in html


def test_german_atom_feed(client, make_publication):
    make_publication(title="Feed Entry")
    response = client.get("/de/publications/feed.atom")
    assert response.status_code == 200
    xml = response.get_data(as_text=True)
    assert 'xml:lang="de"' in xml
    assert re.search(r"<title>[^<]*: neueste Publikationen</title>", xml)
    assert "<subtitle>Zeitschriftenartikel, Arbeitspapiere, Berichte und Policy Briefs" in xml
    assert '<title xml:lang="en">Feed Entry</title>' in xml
    english = client.get("/publications/feed.atom").get_data(as_text=True)
    assert re.search(r"<title>[^<]*: latest publications</title>", english)
