"""Organizers add, edit, publish and withdraw publications; the public never sees drafts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from interacta.publications.files import PDF_MAX_BYTES
from interacta.publications.models import Publication


def form_data(**overrides):
    data = {
        "kind": "journal_article",
        "title": "Shared Situational Awareness in Flood Response",
        "authors": "Maja Lindqvist | Nordhaven University\nChidi Okonkwo",
        "abstract": "We study *flood* response.",
        "year": "2025",
        "month": "3",
        "day": "",
        "journal": "Journal of Civil-Military Studies",
        "volume": "14",
        "issue": "2",
        "pages": "10-20",
        "doi": "https://doi.org/10.5555/Flood.2025",
        "language": "en",
        "keywords": "floods, coordination",
        "version_of": "0",
    }
    data.update(overrides)
    return data


def saved(db, title="Shared Situational Awareness in Flood Response"):
    return db.session.scalar(sa.select(Publication).where(Publication.title == title))


def test_anonymous_visitor_cannot_open_or_post_to_management(client, db):
    assert client.get("/publications/manage/").status_code in (302, 403)
    response = client.post("/publications/manage/new", data=form_data())
    assert response.status_code in (302, 403)
    assert saved(db) is None


def test_plain_member_is_refused_management(client, db, make_member, auth):
    auth.login_as(make_member(role="member"))
    assert client.get("/publications/manage/").status_code == 403
    assert client.post("/publications/manage/new", data=form_data()).status_code == 403
    assert saved(db) is None


def test_organizer_adds_a_draft_with_ordered_authors_member_link_and_topics(
    client, db, organizer, make_member
):
    author = make_member(email="chidi@example.org", name="Chidi Okonkwo")
    from interacta.core.models import Topic

    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "disaster-management"))
    data = form_data(
        authors="Maja Lindqvist | Nordhaven University\nChidi Okonkwo | | chidi@example.org",
        topics=[str(topic.id)],
    )
    response = client.post("/publications/manage/new", data=data)
    assert response.status_code == 302
    pub = saved(db)
    assert pub.status == "draft"
    assert [a.name for a in pub.authors] == ["Maja Lindqvist", "Chidi Okonkwo"]
    assert pub.authors[0].affiliation == "Nordhaven University"
    assert pub.authors[1].member_id == author.id
    assert pub.doi == "10.5555/flood.2025"
    assert pub.slug == "shared-situational-awareness-in-flood-response"
    assert [t.slug for t in pub.topics] == ["disaster-management"]


def test_admin_may_manage_too(client, db, make_member, auth):
    auth.login_as(make_member(role="admin"))
    assert client.get("/publications/manage/").status_code == 200
    assert client.post("/publications/manage/new", data=form_data()).status_code == 302


def test_edit_form_shows_and_saves_changes(client, db, organizer, make_publication):
    pub = make_publication(title="Old title", authors=[("Ana Ferreira", "Lisbon Institute")])
    page = client.get(f"/publications/manage/{pub.id}/edit")
    assert page.status_code == 200
    assert "Ana Ferreira | Lisbon Institute" in page.get_data(as_text=True)
    response = client.post(
        f"/publications/manage/{pub.id}/edit",
        data=form_data(title="New title", authors="Ana Ferreira", doi="", slug=pub.slug),
    )
    assert response.status_code == 302
    db.session.refresh(pub)
    assert pub.title == "New title"
    assert pub.status == "published"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("doi", "not-a-doi", "This is not a DOI"),
        ("year", "", "Give the year."),
        ("authors", "", "Give at least one author."),
        ("day", "31", "does not exist"),
        ("authors", "Someone | Somewhere | 12", "the third part is a member&#39;s e-mail address"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, db, organizer, field, value, message
):
    data = form_data(**{field: value})
    if field == "day":
        data["month"] = "2"
    response = client.post("/publications/manage/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert saved(db) is None


def test_duplicate_doi_is_refused(client, db, organizer, make_publication):
    make_publication(doi="10.5555/flood.2025")
    response = client.post("/publications/manage/new", data=form_data())
    assert response.status_code == 400
    assert "already has this DOI" in response.get_data(as_text=True)


def test_draft_is_not_found_by_the_public(client, db, make_publication):
    pub = make_publication(status="draft", title="Secret draft")
    for suffix in ("", ".bib", ".ris", ".json", ".pdf"):
        assert client.get(f"/publications/{pub.slug}{suffix}").status_code == 404
    assert "Secret draft" not in client.get("/publications/").get_data(as_text=True)
    assert "Secret draft" not in client.get("/publications/feed.atom").get_data(as_text=True)
    assert "Secret draft" not in client.get("/publications/export.bib").get_data(as_text=True)


def test_draft_is_shown_to_organizers_as_a_draft(client, db, organizer, make_publication):
    pub = make_publication(status="draft", title="Secret draft")
    page = client.get(f"/publications/{pub.slug}")
    assert page.status_code == 200
    assert "Draft: only organizers see this page" in page.get_data(as_text=True)


def test_publish_makes_it_public_and_withdraw_makes_it_a_draft_again(
    client, db, organizer, make_publication
):
    pub = make_publication(status="draft")
    assert client.post(f"/publications/manage/{pub.id}/publish").status_code == 302
    db.session.refresh(pub)
    assert pub.status == "published" and pub.published_at is not None
    assert client.post(f"/publications/manage/{pub.id}/withdraw").status_code == 302
    db.session.refresh(pub)
    assert pub.status == "draft"
    listing = client.get("/publications/manage/").get_data(as_text=True)
    assert f"/publications/manage/{pub.id}/publish" in listing


def test_version_of_link_is_shown_on_both_records(client, db, make_publication):
    article = make_publication(title="The Journal Article", kind="journal_article", year=2025)
    paper = make_publication(
        title="The Working Paper", kind="working_paper", year=2024, version_of_id=article.id
    )
    on_paper = client.get(f"/publications/{paper.slug}").get_data(as_text=True)
    on_article = client.get(f"/publications/{article.slug}").get_data(as_text=True)
    assert "This is a version of" in on_paper and "The Journal Article" in on_paper
    assert "The Working Paper" in on_article and "is a version of this" in on_article


def test_abstract_markdown_is_rendered_and_sanitised(client, db, make_publication):
    pub = make_publication(abstract="Some **bold** text <script>alert(1)</script>")
    html = client.get(f"/publications/{pub.slug}").get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html


# --- PDF upload ---------------------------------------------------------------------


def test_pdf_is_stored_under_the_instance_with_a_random_name_and_served_as_pdf(
    app, client, db, organizer, pdf_bytes
):
    data = form_data(pdf=(io.BytesIO(pdf_bytes), "My paper.pdf"))
    response = client.post(
        "/publications/manage/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    pub = saved(db)
    assert pub.pdf_file and pub.pdf_file != "My paper.pdf"
    stored = Path(app.instance_path) / "publications" / pub.pdf_file
    assert stored.read_bytes() == pdf_bytes
    client.post(f"/publications/manage/{pub.id}/publish")
    download = client.get(f"/publications/{pub.slug}.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data == pdf_bytes
    disposition = download.headers["Content-Disposition"]
    assert "filename=shared-situational-awareness-in-flood-response.pdf" in disposition
    download.close()
    stored.unlink()


def test_renamed_text_file_is_refused_as_not_a_pdf(client, db, organizer):
    fake = io.BytesIO(b"Just some text, honestly.\n" * 20)
    data = form_data(pdf=(fake, "paper.pdf"))
    response = client.post(
        "/publications/manage/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "This file is not a PDF" in response.get_data(as_text=True)
    assert saved(db) is None


def test_pdf_over_20_mb_is_refused_with_a_clear_413(client, db, organizer, pdf_bytes):
    head, tail = pdf_bytes[:-6], b"%%EOF\n"
    big = head + b"0" * (PDF_MAX_BYTES + 1 - len(head) - len(tail)) + tail
    assert len(big) == PDF_MAX_BYTES + 1
    data = form_data(pdf=(io.BytesIO(big), "big.pdf"))
    # Built by hand so the spooled request body gets closed (the test client leaves it open).
    builder = EnvironBuilder(path="/publications/manage/new", method="POST", data=data)
    environ = builder.get_environ()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 413
    assert "larger than 20 MB" in response.get_data(as_text=True)
    assert saved(db) is None


def test_request_over_the_site_limit_gets_the_same_clear_413(app, client, db, organizer):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        data = form_data(pdf=(io.BytesIO(b"%PDF-" + b"0" * 4096 + b"%%EOF"), "big.pdf"))
        response = client.post(
            "/publications/manage/new", data=data, content_type="multipart/form-data"
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "larger than 20 MB" in response.get_data(as_text=True)
    assert saved(db) is None


def test_draft_version_is_not_linked_for_the_public(client, db, make_publication):
    article = make_publication(title="The Journal Article")
    make_publication(title="The Draft Paper", status="draft", version_of_id=article.id)
    html = client.get(f"/publications/{article.slug}").get_data(as_text=True)
    assert "The Draft Paper" not in html
    assert "Other versions" not in html


def test_an_overlong_abstract_is_refused_beside_the_field(client, db, make_member, auth):
    # (PostgreSQL's full-text index also refuses a document over 1 MB: never a 500.)
    auth.login_as(make_member(role="organizer"))
    words = " ".join(f"word{i}" for i in range(3000))  # about 27,000 characters
    response = client.post("/publications/manage/new", data=form_data(abstract=words))
    assert response.status_code == 400
    assert "An abstract is at most 20,000 characters" in response.get_data(as_text=True)
    assert saved(db) is None
    from interacta.publications import services

    with pytest.raises(services.PublicationError, match="at most 20,000"):
        services.save_publication(
            None,
            services.PublicationInput(
                kind="report", title="T", year=2025, authors=[], abstract=words
            ),
        )


def test_a_record_page_without_versions_or_translations_does_not_ask_for_them(
    client, db, make_publication, count_queries
):
    pub = make_publication(title="A Plain Record", year=2025)
    db.session.commit()
    url = f"/publications/{pub.slug}"
    db.session.expire_all()
    with count_queries() as counter:
        html = client.get(url).get_data(as_text=True)
    statements = [" ".join(s.split()) for s in counter.statements]
    assert "A Plain Record" in html and "is a version of" not in html
    # Whether there are some is read with the record (two EXISTS columns).
    assert not any(s.startswith("SELECT publications.version_of_id") for s in statements)
    assert not any(s.startswith("SELECT publication_translations.") for s in statements)
