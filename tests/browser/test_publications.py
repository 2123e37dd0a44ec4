"""Publications in a real browser: search, filter, open a record, download its citation."""

from __future__ import annotations

import bibtexparser
import pytest

from interacta.extensions import db as _db
from interacta.publications import services
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def publications(live_app):
    records = [
        ("Floods and Forces: Shared Awareness", "journal_article", 2025, "10.5555/b.floods"),
        ("Floods in the Delta: A Working Paper", "working_paper", 2024, None),
        ("Drought Response Coordination", "report", 2023, None),
    ]
    with live_app.app_context():
        for title, kind, year, doi in records:
            pub = services.save_publication(
                None,
                kind=kind,
                title=title,
                authors=[services.AuthorInput("Maja Lindqvist", "Nordhaven University")],
                abstract="Civil and military actors *coordinate* in a crisis.",
                year=year,
                journal="Journal of Civil-Military Studies",
                doi=doi,
                language="en",
                keywords="coordination",
            )
            services.publish(pub)
        _db.session.commit()
        _db.session.remove()
    return records


def test_visitor_searches_filters_and_downloads_a_citation(live_server, page, publications):
    page.goto(live_server + "/publications/")
    page.get_by_label("Search title, abstract, authors and keywords").fill("floods")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=floods**")
    results = page.locator(".pub-list .pub-title")
    assert results.count() == 2
    assert "publications matching" in page.inner_text("#results-title")

    # Filter by kind through the facet, which shows its count.
    page.locator(".pub-facets a", has_text="Journal article (1)").click()
    page.wait_for_url("**kind=journal_article**")
    assert results.count() == 1
    assert axe_violations(page) == []

    results.first.get_by_role("link").click()
    page.wait_for_url("**/publications/floods-and-forces-shared-awareness")
    assert page.inner_text("h1") == "Floods and Forces: Shared Awareness"
    assert "Lindqvist, M. (2025)." in page.inner_text(".citation")
    assert page.get_by_role("button", name="Copy citation").is_visible()
    assert axe_violations(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="BibTeX").click()
    download = download_info.value
    assert download.suggested_filename == "floods-and-forces-shared-awareness.bib"
    with open(download.path(), encoding="utf-8") as fh:
        [entry] = bibtexparser.parse_string(fh.read()).entries
    assert entry.entry_type == "article"
    assert entry.fields_dict["doi"].value == "10.5555/b.floods"


def test_empty_search_offers_to_clear_filters(live_server, page, publications):
    page.goto(live_server + "/publications/?q=nothing-like-this")
    assert page.get_by_text("No publications match your search and filters.").is_visible()
    page.get_by_role("link", name="Clear all filters").last.click()
    page.wait_for_url(live_server + "/publications/")
    assert page.locator(".pub-list .pub-title").count() >= 3
    assert axe_violations(page) == []
