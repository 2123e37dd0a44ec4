"""Admins manage organisation records: create, edit, merge, mark as partner."""

from __future__ import annotations

import io

import sqlalchemy as sa

from interacta.members.models import Member
from interacta.network import services
from interacta.network.models import Organisation, event_organisations
from interacta.publications.models import PublicationAuthor
from tests.network.conftest import SVG


def test_merge_moves_members_authors_and_events_to_the_kept_record(
    db, make_organisation, make_member, make_event, make_publication
):
    keep = make_organisation("NATO CIMIC Centre of Excellence", is_partner=False)
    gone = make_organisation("CCOE (typed by a member)", is_partner=True, is_confirmed=False)
    members = [make_member(organisation_id=gone.id) for _ in range(2)]
    pub = make_publication(authors=[("A. Writer", "CCOE")])
    db.session.execute(sa.update(PublicationAuthor).values(organisation_id=gone.id))
    shared, own = make_event(), make_event()
    services.set_co_organisers(shared, [keep.id, gone.id])
    services.set_co_organisers(own, [gone.id])
    gone_id = gone.id

    moved = services.merge(keep, gone)
    db.session.commit()

    assert moved == {"members": 2, "authors": 1, "events": 1}
    assert db.session.get(Organisation, gone_id) is None
    assert {db.session.get(Member, m.id).organisation_id for m in members} == {keep.id}
    assert (
        db.session.scalar(
            sa.select(PublicationAuthor.organisation_id).where(
                PublicationAuthor.publication_id == pub.id
            )
        )
        == keep.id
    )
    rows = db.session.execute(sa.select(event_organisations)).all()
    assert sorted(rows) == sorted([(shared.id, keep.id), (own.id, keep.id)])
    assert keep.is_partner and keep.is_confirmed


def test_admin_creates_an_organisation_with_a_logo_and_names(client, auth, db, make_member):
    auth.login_as(make_member(role="admin"))
    response = client.post(
        "/admin/organisations",
        data={
            "name": "Civil Protection Agency",
            "name_fr": "Agence de protection civile",
            "kind": "government",
            "country": "si",
            "is_partner": "y",
            "is_confirmed": "y",
            "logo": (io.BytesIO(SVG), "logo.svg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name.like("Civil%")))
    assert org.is_partner and org.country == "SI" and org.logo_type == "image/svg+xml"
    assert [t.name for t in org.translations] == ["Agence de protection civile"]


def test_admin_upload_of_a_scripted_svg_is_refused_beside_the_field(client, auth, db, make_member):
    auth.login_as(make_member(role="admin"))
    response = client.post(
        "/admin/organisations",
        data={
            "name": "Scripted",
            "kind": "ngo",
            "logo": (
                io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
                "logo.svg",
            ),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The SVG holds something other than a drawing" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Scripted")) is None


def test_admin_merges_through_the_console(client, auth, db, make_member, make_organisation):
    keep, gone = make_organisation("Kept"), make_organisation("Gone", is_confirmed=False)
    member = make_member(organisation_id=gone.id)
    db.session.commit()
    auth.login_as(make_member(role="admin"))
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Not confirmed" in page
    assert "Merge into" in client.get(f"/admin/organisations/{gone.id}").get_data(as_text=True)
    response = client.post(f"/admin/organisations/{gone.id}/merge", data={"into": keep.id})
    assert response.status_code == 302
    assert db.session.get(Member, member.id).organisation_id == keep.id


def test_admin_pages_are_translated(client, auth, make_member, make_organisation):
    org = make_organisation("Translated")
    auth.login_as(make_member(role="admin"))
    for lang, word in {"fr": "Organisations", "de": "Organisationen", "sl": "Organizacije"}.items():
        assert word in client.get(f"/{lang}/admin/organisations").get_data(as_text=True)
        assert client.get(f"/{lang}/admin/organisations/{org.id}").status_code == 200
