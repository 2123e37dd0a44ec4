"""Organisations as records: logos, the partners page, an organisation's page."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from interacta.network import services
from interacta.network.logos import LogoRejected, clean_logo
from interacta.network.models import Organisation
from interacta.publications.models import PublicationAuthor
from tests.network.conftest import SVG

SCRIPTED = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="alert(1)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    b'<a x:href="javascript:alert(1)"><rect/></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x.png"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://x.example/#a)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/);</style></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>',
    b'<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&e;</text></svg>',
]


@pytest.mark.parametrize("svg", SCRIPTED)
def test_logo_upload_rejects_scripts_handlers_and_outside_references(app, svg):
    with app.test_request_context(), pytest.raises(LogoRejected) as caught:
        clean_logo(svg)
    assert caught.value.field == "logo" and caught.value.status_code == 400


def test_svg_logo_is_rebuilt_from_the_allowed_drawing_only(app):
    with app.test_request_context():
        data, ctype = clean_logo(
            b'<?xml version="1.0"?><!-- a comment --><svg xmlns="http://www.w3.org/2000/svg" '
            b'data-x="1" viewBox="0 0 10 10"><rect width="10" fill="url(#g)"/>'
            b"<text>A &amp; B</text></svg>"
        )
    assert ctype == "image/svg+xml"
    assert data == (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<rect width="10" fill="url(#g)"></rect><text>A &amp; B</text></svg>'
    )


def test_png_and_jpeg_logos_are_reencoded_as_png(app):
    for fmt in ("PNG", "JPEG"):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(buffer, format=fmt)
        data, ctype = clean_logo(buffer.getvalue() + b"<script>trailing</script>")
        assert ctype == "image/png" and data.startswith(b"\x89PNG")
        assert b"script" not in data


def test_other_files_are_refused_as_logos(app):
    with app.test_request_context(), pytest.raises(LogoRejected):
        clean_logo(b"GIF89a not really")


def test_logo_is_served_with_its_type_and_a_csp_that_runs_nothing(client, make_organisation):
    org = make_organisation(logo=SVG)
    response = client.get(f"/organisations/{org.slug}/logo")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    assert client.get("/organisations/nobody/logo").status_code == 404


def test_partners_page_groups_partners_by_kind_with_logos(client, make_organisation):
    make_organisation("Alpha University", kind="university", logo=SVG)
    make_organisation("Beta NGO", kind="ngo")
    make_organisation("Not a partner", is_partner=False)
    html = client.get("/partners").get_data(as_text=True)
    assert html.index("University") < html.index("Alpha University")
    assert "Beta NGO" in html and "Not a partner" not in html
    assert "/organisations/alpha-university/logo" in html


def test_organisation_page_shows_its_events_publications_and_listed_members(
    client, db, make_organisation, make_event, make_member, make_publication, count_queries
):
    org = make_organisation("Gamma Centre")
    for n in range(3):
        services.set_co_organisers(make_event(title=f"Gamma event {n}"), [org.id])
        make_member(name=f"Listed {n}", organisation_id=org.id, show_in_directory=True)
        pub = make_publication(title=f"Gamma paper {n}", authors=[("A. Writer", "Gamma")])
        db.session.execute(
            sa.update(PublicationAuthor)
            .where(PublicationAuthor.publication_id == pub.id)
            .values(organisation_id=org.id)
        )
    make_member(name="Hidden Person", organisation_id=org.id, show_in_directory=False)
    db.session.commit()
    with count_queries() as counter:
        page = services.organisation_page(org.slug)
    few = counter.count
    assert len(page.events) == len(page.publications) == len(page.members) == 3
    html = client.get(f"/organisations/{org.slug}").get_data(as_text=True)
    for n in range(3):
        assert f"Gamma event {n}" in html and f"Gamma paper {n}" in html
        assert f"Listed {n}" in html
    assert "Hidden Person" not in html
    # More of everything: the same number of queries.
    services.set_co_organisers(make_event(title="Gamma event 4"), [org.id])
    make_member(name="Listed 4", organisation_id=org.id, show_in_directory=True)
    db.session.commit()
    with count_queries() as counter:
        services.organisation_page(org.slug)
    assert counter.count == few


def test_organisation_name_follows_the_page_language(client, make_organisation):
    org = make_organisation(
        "University of Ljubljana",
        names={
            "fr": "Université de Ljubljana",
            "de": "Universität Ljubljana",
            "sl": "Univerza v Ljubljani",
        },
    )
    expected = {
        "fr": "Université de Ljubljana",
        "de": "Universität Ljubljana",
        "sl": "Univerza v Ljubljani",
    }
    for lang, name in expected.items():
        response = client.get(f"/{lang}/organisations/{org.slug}")
        assert response.status_code == 200
        assert name in response.get_data(as_text=True)
        assert client.get(f"/{lang}/partners").status_code == 200


def test_unknown_organisation_is_404(client):
    assert client.get("/organisations/nowhere").status_code == 404


def test_slugs_are_unique(db, make_organisation):
    first, second = make_organisation("Same Name"), make_organisation("Same Name")
    assert (first.slug, second.slug) == ("same-name", "same-name-2")
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 2


def test_website_must_be_http(make_organisation):
    assert make_organisation("X", website="javascript:alert(1)").website is None
    assert make_organisation("Y", website="https://y.example").website == "https://y.example"
