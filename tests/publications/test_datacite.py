"""/publications/<slug>.datacite.xml: DataCite Metadata Schema 4.5, built by the `datacite`
package from its JSON form after DataCite's JSON schema accepted it."""

from __future__ import annotations

import pytest
from datacite import schema45
from lxml import etree

from interacta.publications import datacite, services
from interacta.publications.models import KINDS
from tests.publications.oai_helpers import SCHEMAS

DC = {"d": "http://datacite.org/schema/kernel-4"}
_kernel: etree.XMLSchema | None = None


def kernel_schema() -> etree.XMLSchema:
    """DataCite's kernel-4.5 XSD, shipped in tests/publications/schemas."""
    global _kernel
    if _kernel is None:
        _kernel = etree.XMLSchema(etree.parse(str(SCHEMAS / "datacite-kernel-4.5/metadata.xsd")))
    return _kernel


REQUIRED = (
    "identifier",
    "creators/d:creator/d:creatorName",
    "titles/d:title",
    "publisher",
    "publicationYear",
    "resourceType",
)


def fetch(client, slug):
    response = client.get(f"/publications/{slug}.datacite.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = etree.fromstring(response.data)
    assert kernel_schema().validate(root), kernel_schema().error_log
    return root


@pytest.mark.parametrize("doi", [None, "10.5555/with-doi"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_gives_valid_datacite_with_the_required_properties(
    client, db, make_publication, kind, doi
):
    pub = make_publication(kind=kind, authors=[("Ana Costa", "Nordhaven University")], doi=doi)
    with client.application.test_request_context():
        data = datacite.to_datacite_json(pub)
    assert schema45.validate(data), list(schema45.validator.iter_errors(data))
    root = fetch(client, pub.slug)
    assert root.tag == "{http://datacite.org/schema/kernel-4}resource"
    for path in REQUIRED:
        element = root.find(f"d:{path}", DC)
        assert element is not None and (element.text or "").strip(), path
    general = root.find("d:resourceType", DC).get("resourceTypeGeneral")
    assert general == datacite.RESOURCE_TYPES[kind][0]
    assert root.findtext("d:publicationYear", namespaces=DC) == "2024"


def test_a_doi_is_the_identifier_and_without_one_the_landing_page_stands_in(
    client, db, make_publication
):
    with_doi = make_publication(doi="10.1234/xyz")
    root = fetch(client, with_doi.slug)
    identifier = root.find("d:identifier", DC)
    assert (identifier.text, identifier.get("identifierType")) == ("10.1234/xyz", "DOI")

    without = make_publication()
    root = fetch(client, without.slug)  # valid against the kernel-4.5 XSD (see fetch)
    identifier = root.find("d:identifier", DC)  # never an invented DOI: the page's URL
    assert identifier.get("identifierType") == "URL"
    assert identifier.text == f"http://127.0.0.1:5000/publications/{without.slug}"


def test_publisher_is_the_works_own_or_the_network(client, db, make_publication):
    own = make_publication(publisher="Nordhaven University Press")
    assert fetch(client, own.slug).findtext("d:publisher", namespaces=DC) == (
        "Nordhaven University Press"
    )
    ours = make_publication()
    assert fetch(client, ours.slug).findtext("d:publisher", namespaces=DC) == "Interacta"


def test_rich_record(client, db, make_publication):
    earlier = make_publication(kind="working_paper", doi="10.1234/wp")
    pub = make_publication(
        authors=["Ana van der Berg", "Plato"],
        topics=["religion"],
        keywords="peace, order",
        abstract="An abstract.",
        journal="Journal of Things",
        volume="4",
        issue="2",
        pages="10-20",
        version_of_id=earlier.id,
    )
    root = fetch(client, pub.slug)
    names = [e.text for e in root.iterfind("d:creators/d:creator/d:creatorName", DC)]
    assert names == ["van der Berg, Ana", "Plato"]
    subjects = [e.text for e in root.iterfind("d:subjects/d:subject", DC)]
    assert subjects == ["Religion", "peace", "order"]
    assert root.findtext("d:descriptions/d:description", namespaces=DC) == "An abstract."
    related = root.find("d:relatedIdentifiers/d:relatedIdentifier", DC)
    assert (related.text, related.get("relationType")) == ("10.1234/wp", "IsVersionOf")
    item = root.find("d:relatedItems/d:relatedItem", DC)
    assert item.get("relatedItemType") == "Journal"
    assert item.findtext("d:firstPage", namespaces=DC) == "10"
    assert item.findtext("d:lastPage", namespaces=DC) == "20"


def test_drafts_are_404_even_for_organizers(client, db, make_publication, organizer):
    draft = make_publication(status="draft")
    assert client.get(f"/publications/{draft.slug}.datacite.xml").status_code == 404
    pub = make_publication()
    services.withdraw(pub)
    assert client.get(f"/publications/{pub.slug}.datacite.xml").status_code == 404
    assert client.get("/publications/no-such-thing.datacite.xml").status_code == 404


def test_the_page_links_every_export_format_and_keeps_highwire(client, db, make_publication):
    pub = make_publication(title="Linked formats")
    html = client.get(f"/publications/{pub.slug}").get_data(as_text=True)
    for href in ("bib", "ris", "json", "datacite.xml"):
        assert '<link rel="alternate" type="' in html
        assert f'href="/publications/{pub.slug}.{href}"' in html, href
    assert '<meta name="citation_title" content="Linked formats">' in html
    for href in ("bib", "ris", "json", "datacite.xml"):
        assert client.get(f"/publications/{pub.slug}.{href}").status_code == 200
