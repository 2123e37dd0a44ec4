"""A publication presented at an event links to it, and the event page lists it."""

import sqlalchemy as sa

from interacta.publications.models import Publication


def test_publication_presented_at_an_event_is_shown_on_both_pages(
    client, auth, db, make_member, make_event, make_publication
):
    event = make_event(title="Symposium on shared spaces")
    pub = make_publication(title="Notes from the symposium")
    organizer = make_member(role="organizer")
    auth.login_as(organizer)
    form = client.get(f"/publications/manage/{pub.id}/edit").get_data(as_text=True)
    assert "Symposium on shared spaces" in form  # offered in the "Presented at" choice
    pub.presented_at_event_id = event.id
    db.session.flush()
    html = client.get(f"/publications/{pub.slug}").get_data(as_text=True)
    assert f'href="/events/{event.slug}"' in html and "Presented at" in html
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Publications presented here" in html and f"/publications/{pub.slug}" in html


def test_presented_at_an_unknown_event_is_refused(db, make_publication):
    import pytest

    from interacta.publications import services

    pub = make_publication()
    with pytest.raises(services.PublicationError, match="That event does not exist"):
        services.save_publication(
            pub,
            services.PublicationInput(
                kind=pub.kind,
                title=pub.title,
                year=pub.year,
                authors=[services.AuthorInput("A")],
                presented_at_event_id=987654,
            ),
        )
    stored = db.session.scalar(
        sa.select(Publication.presented_at_event_id).where(Publication.id == pub.id)
    )
    assert stored is None
