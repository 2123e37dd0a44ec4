"""Linking an author to a member: by e-mail only, never showing another member's address,
and never telling an organizer whether an address belongs to a member."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.publications.models import Publication


def form_data(authors: str, **overrides) -> dict:
    data = {
        "kind": "report",
        "title": "Linked authors report",
        "authors": authors,
        "year": "2025",
        "language": "en",
        "version_of": "0",
        "presented_at": "0",
    }
    data.update(overrides)
    return data


def saved(db) -> Publication | None:
    return db.session.scalar(
        sa.select(Publication).where(Publication.title == "Linked authors report")
    )


def test_a_member_id_does_not_link_an_author_nor_show_the_members_address(
    client, db, organizer, make_member
):
    victim = make_member(email="hidden.person@example.org", name="Hidden Person")
    response = client.post("/publications/manage/new", data=form_data(f"Someone | | {victim.id}"))
    assert response.status_code == 400
    assert "e-mail address" in response.get_data(as_text=True)
    assert saved(db) is None
    assert "hidden.person@example.org" not in response.get_data(as_text=True)


def test_the_edit_form_never_shows_a_linked_members_address(client, db, organizer, make_member):
    member = make_member(email="ana.listed@example.org", name="Ana Listed", show_in_directory=True)
    response = client.post(
        "/publications/manage/new", data=form_data("Ana N. | Uni | ana.listed@example.org")
    )
    assert response.status_code == 302
    pub = saved(db)
    assert pub.authors[0].member_id == member.id
    html = client.get(f"/publications/manage/{pub.id}/edit").get_data(as_text=True)
    assert "ana.listed@example.org" not in html
    assert "Ana N. | Uni | member: Ana Listed" in html


def test_saving_the_edit_form_unchanged_keeps_every_link(client, db, organizer, make_member):
    listed = make_member(email="listed@example.org", name="Listed One", show_in_directory=True)
    unlisted = make_member(email="unlisted@example.org", name="Unlisted One")
    client.post(
        "/publications/manage/new",
        data=form_data("A | | listed@example.org\nB | | unlisted@example.org\nC"),
    )
    pub = saved(db)
    form = client.get(f"/publications/manage/{pub.id}/edit").get_data(as_text=True)
    authors = form.split('name="authors"')[1].split(">", 1)[1].split("</textarea>")[0]
    import html as html_module

    response = client.post(
        f"/publications/manage/{pub.id}/edit",
        data=form_data(html_module.unescape(authors).strip(), slug=pub.slug),
    )
    assert response.status_code == 302
    db.session.refresh(pub)
    assert [a.member_id for a in pub.authors] == [listed.id, unlisted.id, None]


def test_an_unknown_and_a_known_unlisted_address_look_the_same_to_an_organizer(
    client, db, organizer, make_member
):
    make_member(email="exists@example.org", name="Exists Quietly")  # not in the directory
    pages = []
    for email, title in (("exists@example.org", "First"), ("nobody@example.org", "Second")):
        response = client.post(
            "/publications/manage/new",
            data=form_data(f"Some Author | Uni | {email}", title=title),
        )
        assert response.status_code == 302
        pub = db.session.scalar(sa.select(Publication).where(Publication.title == title))
        html = client.get(f"/publications/manage/{pub.id}/edit").get_data(as_text=True)
        pages.append(html.split('name="authors"')[1].split("</textarea>")[0])
    assert pages[0] == pages[1]
    assert "Exists Quietly" not in pages[0] and "exists@example.org" not in pages[0]


def test_an_unknown_address_leaves_the_author_unlinked_without_an_error(client, db, organizer):
    response = client.post(
        "/publications/manage/new", data=form_data("Someone | Somewhere | nobody@example.org")
    )
    assert response.status_code == 302
    pub = saved(db)
    assert pub.authors[0].name == "Someone" and pub.authors[0].member_id is None


def test_a_dash_removes_a_link(client, db, organizer, make_member):
    member = make_member(email="ana@example.org", name="Ana")
    client.post("/publications/manage/new", data=form_data("Ana | | ana@example.org"))
    pub = saved(db)
    assert pub.authors[0].member_id == member.id
    client.post(f"/publications/manage/{pub.id}/edit", data=form_data("Ana | | -", slug=pub.slug))
    db.session.refresh(pub)
    assert pub.authors[0].member_id is None
