"""The list's filters (the facet sidebar) are kept as HTML for the same counts, choices and
links: another page of the same list shows them without building them again, and any
change to what they show (a count, a choice, a word, the language) builds them anew."""

from __future__ import annotations

import re

import pytest

from interacta.publications import search

SIDEBAR = re.compile(r'<aside class="pub-facets".*?</aside>', re.S)


def _sidebar(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return SIDEBAR.search(response.get_data(as_text=True)).group(0)


def _index_links_built(client, monkeypatch, path: str) -> int:
    """How many links to the list the page built with url_for (the facets' go through
    core.pagination.arg_link, one url_for per facet)."""
    app = client.application
    in_templates = app.jinja_env.globals["url_for"]
    calls = []

    def counting(endpoint, /, **values):
        calls.append(endpoint)
        return in_templates(endpoint, **values)

    with monkeypatch.context() as patch:
        patch.setitem(app.jinja_env.globals, "url_for", counting)
        patch.setattr("interacta.core.pagination.url_for", counting)
        assert client.get(path).status_code == 200
    return calls.count("publications.index")


@pytest.fixture
def records(make_publication):
    for n in range(search.PER_PAGE + 3):
        make_publication(title=f"Peace record {n}", kind="report", year=2020 + n % 3,
                         authors=[f"Writer {n % 4}"], topics=["religion"])  # fmt: skip
    make_publication(title="Peace chapter", kind="book_chapter", authors=["Writer 9"])


@pytest.mark.parametrize("query", ["kind=report", "q=peace&kind=report", "author=Nobody"])
def test_another_page_of_the_list_shows_the_filters_kept(client, records, monkeypatch, query):
    first = _sidebar(client, f"/publications/?{query}")
    built = _index_links_built(client, monkeypatch, f"/publications/?{query}&page=2&v=1")
    assert _sidebar(client, f"/publications/?{query}&page=2") == first
    # Only the pager's link and the form's: not the sidebar's, kept (7 and more before).
    assert built <= 3


def test_the_kept_filters_follow_every_change(client, records, make_publication):
    base = _sidebar(client, "/publications/?kind=report")
    assert "Writer 0 <span" in base and "(6)" in base  # 23 reports by four writers: 6 6 6 5

    make_publication(title="Peace record new", kind="report", authors=["Writer 0"])
    changed = _sidebar(client, "/publications/?kind=report&v=1")
    assert changed != base and 'Writer 0 <span class="count">(7)</span>' in changed

    # Another choice, other words, another order, another language: other links or texts.
    for path in (
        "/publications/?kind=report&year=2021",
        "/publications/?kind=report&q=peace",
        "/publications/?kind=report&sort=title",
        "/fr/publications/?kind=report",
    ):
        other = _sidebar(client, path)
        assert other != changed, path
    assert "sort=title" in _sidebar(client, "/publications/?kind=report&sort=title")
    assert "Filtrer" in _sidebar(client, "/fr/publications/?kind=report")
    # An author not among the listed ones shows the results' count, which moves with them.
    assert 'Nobody <span class="count">(0)</span>' in _sidebar(
        client, "/publications/?author=Nobody"
    )


def test_a_chosen_author_beyond_the_listed_ones_shows_the_current_count(
    client, records, make_publication
):
    for n in range(16):  # more authors than the facet lists, each with more records
        for _ in range(3):
            make_publication(kind="report", authors=[f"Busy writer {n:02d}"])
    make_publication(kind="report", authors=["Rare writer"])
    path = "/publications/?author=Rare+writer"
    assert 'Rare writer <span class="count">(1)</span>' in _sidebar(client, path)
    make_publication(kind="report", authors=["Rare writer"])
    # The listed authors are the same; only the results' count moved.
    assert 'Rare writer <span class="count">(2)</span>' in _sidebar(client, path + "&v=1")
