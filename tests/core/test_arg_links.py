"""A list page's links that differ in one argument (core.pagination.arg_link: facets, pager)
are exactly the links url_for builds from url_args, and a page builds them from a fixed
number of url_for calls, not one per link."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask import url_for

from interacta import InteractaFlask
from interacta.core.pagination import arg_link, url_args

AWKWARD = ["report", "été à Ljubljana", "a b", "50%", "a?b#c", "x&y=z", "ž/š", "", "qUvaryUq"]
QUERIES = [
    {},
    {"page": "3"},
    {"kind": "report", "page": "2", "q": "peace"},
    {"q": "a&b=c", "author": "Ana Ferreira", "year": "2024", "sort": "date"},
    {"year": "x", "endpoint": "x", "_external": "1", "kind": "été"},
    {"q": "qUvaryUq", "kind": "x"},  # the marker in a person's words: url_for's own way
    {"topic": "religion", "author": "", "page": "0"},
]


@pytest.mark.parametrize("prefix", ["", "/fr"])
@pytest.mark.parametrize("query", QUERIES)
def test_each_value_is_linked_exactly_as_url_for_links_it(app, prefix, query):
    path = "/publications/?" + urlencode(query)
    with app.test_request_context(path, base_url=f"http://localhost{prefix}/"):
        for key in ("kind", "author", "year", "page", "q"):
            for changes in ({}, {"page": None}, {"sort": "title"}):
                if key in changes:
                    continue
                link = arg_link("publications.index", key, **changes)
                for value in [*AWKWARD, 2024, 7, None]:
                    expected = url_for("publications.index", **url_args(**{key: value}, **changes))
                    assert link(value) == expected, (key, value, changes)
                    assert link(value) == expected  # again: the link without the key is kept


def test_a_key_cannot_both_vary_and_change(app):
    with app.test_request_context("/publications/"), pytest.raises(ValueError):
        arg_link("publications.index", "page", page=None)


def _url_for_calls(client, monkeypatch, path: str) -> int:
    from interacta.core.cache import clear_texts
    from interacta.extensions import cache

    cache.clear()  # the page built, not a kept copy, nor its kept pieces
    clear_texts()
    calls = []
    original = InteractaFlask.url_for

    def counting(self, endpoint, /, **values):
        calls.append(endpoint)
        return original(self, endpoint, **values)

    app = client.application
    in_templates = app.jinja_env.globals["url_for"]  # the app's own, bound when it was made

    def counting_in_templates(endpoint, /, **values):
        calls.append(endpoint)
        return in_templates(endpoint, **values)

    monkeypatch.setattr(InteractaFlask, "url_for", counting)  # flask.url_for in Python
    monkeypatch.setitem(app.jinja_env.globals, "url_for", counting_in_templates)
    try:
        response = client.get(path)
    finally:
        monkeypatch.undo()
    assert response.status_code == 200
    # The list's own links (the records' links may come from kept pieces of HTML).
    return calls.count("publications.index")


@pytest.mark.parametrize("path", ["/publications/?kind=report", "/publications/?q=record"])
def test_the_publications_list_builds_its_facet_and_pager_links_once(
    client, db, make_publication, monkeypatch, path
):
    from interacta.publications import search

    # Two pages of results, in two years, by two authors, of one kind.
    for n in range(search.PER_PAGE + 2):
        make_publication(title=f"Paged record {n}", kind="report", year=2020 + n % 2,
                         authors=[f"Writer {n % 2}"])  # fmt: skip
    # The page's frame (its navigation links to this list too) is built once and kept: a
    # first visit keeps it, so only the list's own links are counted.
    assert client.get("/publications/?v=0").status_code == 200
    few = _url_for_calls(client, monkeypatch, path)
    # Ten more years, authors and kinds among the facets, more pages: more links, the same
    # calls.
    for n in range(10):
        make_publication(title=f"Other record {n}", kind="report", year=2000 + n,
                         authors=[f"Other writer {n}"])  # fmt: skip
    make_publication(title="Other record", kind="book_chapter")
    for n in range(search.PER_PAGE * 3):
        make_publication(title=f"More record {n}", kind="report", authors=["Writer 0"])
    html = client.get(path + "&v=1").get_data(as_text=True)
    assert html.count("year=20") > 10 and "Other writer 9" in html and "page=5" in html
    assert "kind=book_chapter" in html
    assert _url_for_calls(client, monkeypatch, path) == few
