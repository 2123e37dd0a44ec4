"""The saving rules, called directly (no HTTP): the typed input, author links, PDFs."""

from __future__ import annotations

import pytest

from interacta.publications import files, services
from interacta.publications.services import AuthorInput, PublicationInput


def _input(**overrides) -> PublicationInput:
    values = {"kind": "report", "title": "A report", "year": 2025, "authors": [AuthorInput("A")]}
    values.update(overrides)
    return PublicationInput(**values)


def test_an_author_keeps_a_link_under_the_same_name_and_loses_it_when_asked(db, make_member):
    member = make_member(email="ana@example.org")
    pub = services.save_publication(
        None, _input(authors=[AuthorInput("Ana", email="ANA@example.org "), AuthorInput("Ben")])
    )
    assert [a.member_id for a in pub.authors] == [member.id, None]
    pub = services.save_publication(pub, _input(authors=[AuthorInput("Ben"), AuthorInput("Ana")]))
    assert [a.member_id for a in pub.authors] == [None, member.id]
    pub = services.save_publication(pub, _input(authors=[AuthorInput("Ana", unlink=True)]))
    assert [a.member_id for a in pub.authors] == [None]


def test_a_refused_save_changes_nothing(db, make_publication):
    pub = make_publication(title="Kept title")
    with pytest.raises(services.PublicationError) as caught:
        services.save_publication(pub, _input(title="New title", day=3))
    assert caught.value.field == "day" and caught.value.status_code == 400
    assert pub.title == "Kept title"


def test_a_new_pdf_replaces_the_old_one_and_removal_needs_no_new_file(
    db, make_publication, pdf_bytes
):
    pub = make_publication()
    pub, old = services.save_with_pdf(pub, _input(), pdf=pdf_bytes)
    first = pub.pdf_file
    assert old == [] and (files.pdf_dir() / first).exists()
    pub, old = services.save_with_pdf(pub, _input(), pdf=pdf_bytes, remove_pdf=True)
    assert old == [first] and pub.pdf_file not in (None, first)
    pub, old = services.save_with_pdf(pub, _input(), remove_pdf=True)
    assert pub.pdf_file is None and len(old) == 1
    for name in (first, *old):
        files.delete_pdf_file(name)
    assert not (files.pdf_dir() / first).exists()


def test_a_file_that_is_not_a_pdf_is_refused_beside_the_pdf_field(db):
    with pytest.raises(files.NotAPdf) as caught:
        services.save_with_pdf(None, _input(), pdf=b"GIF89a")
    assert caught.value.field == "pdf"
