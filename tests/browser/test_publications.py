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
                services.PublicationInput(
                    kind=kind,
                    title=title,
                    authors=[services.AuthorInput("Maja Lindqvist", "Nordhaven University")],
                    abstract="Civil and military actors *coordinate* in a crisis.",
                    year=year,
                    journal="Journal of Civil-Military Studies",
                    doi=doi,
                    language="en",
                    keywords="coordination",
                ),
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


USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) InteractaTest/1.0"


def sign_in(live_app, live_server, browser, member_email: str):
    """A browser context signed in as a new organizer (the sign-in page belongs to the
    members blueprint, so the session cookie is made here the way Flask-Login checks it)."""
    from flask_login.utils import _create_identifier

    from interacta.core.models import utcnow
    from interacta.members.models import Member

    with live_app.app_context():
        member = Member(
            email=member_email, name="Olga Organizer", role="organizer", email_verified_at=utcnow()
        )
        _db.session.add(member)
        _db.session.commit()
        member_id = member.get_id()
        _db.session.remove()
    with live_app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        identifier = _create_identifier()
    serializer = live_app.session_interface.get_signing_serializer(live_app)
    cookie = serializer.dumps({"_user_id": member_id, "_fresh": True, "_id": identifier})
    context = browser.new_context(user_agent=USER_AGENT)
    context.add_cookies([{"name": "session", "value": cookie, "url": live_server}])
    return context


def test_organizer_adds_a_publication_with_a_pdf_and_publishes_it(
    live_app, live_server, browser, tmp_path
):
    from tests.publications.conftest import PDF_BYTES

    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(PDF_BYTES)
    context = sign_in(live_app, live_server, browser, "olga@example.org")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/publications/manage/new")
    assert axe_violations(page) == []
    page.get_by_label("Kind").select_option("policy_brief")
    page.locator("#title").fill("Liaison in Practice")
    page.get_by_label("Authors").fill("Olga Organizer | Interacta Global | olga@example.org")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("DOI").fill("not a doi")
    page.get_by_role("button", name="Save").click()
    # The server refuses the DOI and says why, next to the field.
    assert "This is not a DOI" in page.inner_text(".has-error")
    page.get_by_label("DOI").fill("10.5555/liaison.2026")
    page.get_by_label("PDF (optional, at most 20 MB)").set_input_files(str(pdf))
    page.get_by_label("Rule of law").check()
    page.get_by_role("button", name="Save").click()
    assert "Saved “Liaison in Practice”." in page.inner_text(".flashes")
    page.get_by_role("button", name="Publish").click()
    assert "Published “Liaison in Practice”." in page.inner_text(".flashes")

    public = browser.new_page()
    public.goto(live_server + "/publications/liaison-in-practice")
    assert public.inner_text("h1") == "Liaison in Practice"
    response = public.request.get(live_server + "/publications/liaison-in-practice.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == PDF_BYTES
    public.close()
    context.close()
