"""ORCID iDs of authors and ROR ids of affiliations: checked when typed, shown linked on
the page and carried by every export format (each read back by a parser)."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from lxml import etree

from interacta.publications import services
from interacta.publications.models import Publication
from interacta.publications.services import AuthorInput, PublicationError
from tests.publications.oai_helpers import NS, oai
from tests.publications.test_datacite import kernel_schema
from tests.publications.test_exports import parse_ris

ORCID = "0000-0002-1825-0097"  # ORCID's own example
ORCID_X = "0000-0002-1694-233X"  # a check digit of 10, written X
ROR = "05njb9z20"
ROR_URL = f"https://ror.org/{ROR}"


# --- the checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (ORCID, ORCID),
        ("0000000218250097", ORCID),
        (f"https://orcid.org/{ORCID}", ORCID),
        (ORCID_X.lower(), ORCID_X),
        ("", None),
    ],
)
def test_valid_orcid_ids_are_normalised(app, value, expected):
    with app.test_request_context():
        assert services.normalize_orcid(value) == expected


@pytest.mark.parametrize(
    "value",
    ["0000-0002-1825-0098", "0000-0002-1694-2330", "0000-0002-1825-009", "1234"],
)
def test_orcid_ids_with_a_wrong_check_digit_or_form_are_refused(app, value):
    with app.test_request_context(), pytest.raises(PublicationError) as exc:
        services.normalize_orcid(value)
    assert exc.value.field == "authors"


@pytest.mark.parametrize(
    "value", [ROR, ROR_URL, "https://ror.org/03yrm5c26/", "ror.org/04wxnsj81", "02MHBDP94"]
)
def test_valid_ror_ids_are_normalised(app, value):
    with app.test_request_context():
        assert re.fullmatch(r"0[0-9a-z]{6}[0-9]{2}", services.normalize_ror(value))
        assert services.normalize_ror(value) == value.lower().rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    "value",
    [
        "05njb9z21",  # checksum off by one
        "03yrm5c62",  # check digits swapped
        "15njb9z20",  # must start with 0
        "05njb9l20",  # "l" is not in Crockford's base32
        "05njb9z2",  # too short
        "https://ror.org/",
    ],
)
def test_ror_ids_with_a_wrong_form_or_checksum_are_refused(app, value):
    with app.test_request_context(), pytest.raises(PublicationError):
        services.normalize_ror(value)


def test_the_author_line_keeps_its_old_form_and_takes_identifiers_by_their_form(app):
    with app.test_request_context():
        old = services.parse_authors("Ana | Uni | ana@example.org\nBo | | -\nCe")
        assert [(a.name, a.affiliation, a.email, a.unlink) for a in old] == [
            ("Ana", "Uni", "ana@example.org", False),
            ("Bo", None, None, True),
            ("Ce", None, None, False),
        ]
        [full] = services.parse_authors(
            f"Jane Doe | Uni Lj | ana@example.org | {ORCID} | {ROR_URL}"
        )
        assert (full.affiliation, full.email, full.orcid, full.ror) == (
            "Uni Lj",
            "ana@example.org",
            ORCID,
            ROR,
        )
        [short] = services.parse_authors(f"Jane Doe | Uni Lj | https://orcid.org/{ORCID} | {ROR}")
        assert (short.affiliation, short.email, short.orcid, short.ror) == (
            "Uni Lj",
            None,
            ORCID,
            ROR,
        )
        [only] = services.parse_authors(f"Jane Doe | | | {ORCID}")
        assert (only.affiliation, only.orcid) == (None, ORCID)


@pytest.mark.parametrize(
    "line, message",
    [
        ("Jane | Uni | 0000-0002-1825-0098", "check digit"),
        ("Jane | Uni | https://ror.org/05njb9z21", "check digits"),
        (f"Jane | {ROR_URL}", "affiliation"),
        ("Jane | Uni | not an address", "e-mail"),
    ],
)
def test_a_wrong_identifier_is_reported_beside_the_authors_field(
    client, db, organizer, line, message
):
    response = client.post(
        "/publications/manage/new",
        data={
            "kind": "report",
            "title": "Identified report",
            "authors": line,
            "year": "2025",
            "language": "en",
            "version_of": "0",
            "presented_at": "0",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert line.split("|")[0].strip() in html
    assert (
        db.session.scalar(sa.select(Publication).where(Publication.title == "Identified report"))
        is None
    )


# --- saved, shown, exported -------------------------------------------------------------


@pytest.fixture
def identified(make_publication):
    return make_publication(
        kind="working_paper",
        title="Identified paper",
        authors=[
            AuthorInput("Maja Lindqvist", "University of Ljubljana", orcid=ORCID, ror=ROR),
            AuthorInput("Anneke van den Berg", "Somewhere", orcid=ORCID_X),
            "Cai Nobody",
        ],
        year=2025,
    )


def test_the_form_saves_identifiers_and_shows_them_back(client, db, organizer):
    response = client.post(
        "/publications/manage/new",
        data={
            "kind": "report",
            "title": "Identified report",
            "authors": f"Jane Doe | Uni Lj | {ORCID} | {ROR_URL}",
            "year": "2025",
            "language": "en",
            "version_of": "0",
            "presented_at": "0",
        },
    )
    assert response.status_code == 302
    pub = db.session.scalar(sa.select(Publication).where(Publication.title == "Identified report"))
    author = pub.authors[0]
    assert (author.orcid, author.affiliation_ror) == (ORCID, ROR)
    html = client.get(f"/publications/manage/{pub.id}/edit").get_data(as_text=True)
    assert f"Jane Doe | Uni Lj | {ORCID} | {ROR_URL}" in html


def test_an_author_linked_to_a_member_takes_the_members_orcid(client, db, organizer, make_member):
    member = make_member(email="orcid.holder@example.org", name="Orcid Holder")
    member.orcid = ORCID_X
    db.session.commit()
    response = client.post(
        "/publications/manage/new",
        data={
            "kind": "report",
            "title": "Identified report",
            "authors": f"O. Holder | Uni | orcid.holder@example.org | {ORCID}",
            "year": "2025",
            "language": "en",
            "version_of": "0",
            "presented_at": "0",
        },
    )
    assert response.status_code == 302
    pub = db.session.scalar(sa.select(Publication).where(Publication.title == "Identified report"))
    assert pub.authors[0].member_id == member.id
    assert pub.authors[0].orcid == ORCID_X


def test_the_page_links_orcid_and_ror(client, identified):
    html = client.get(f"/publications/{identified.slug}").get_data(as_text=True)
    assert f'href="https://orcid.org/{ORCID}"' in html
    assert f'href="https://orcid.org/{ORCID_X}"' in html
    assert f'href="{ROR_URL}"' in html


def test_json_ld_has_same_as_on_people_and_organizations(client, identified):
    html = client.get(f"/publications/{identified.slug}").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    data = next(d for d in map(json.loads, blocks) if d.get("@type") == "ScholarlyArticle")
    first, second, third = data["author"]
    assert first["sameAs"] == f"https://orcid.org/{ORCID}"
    assert first["affiliation"]["sameAs"] == ROR_URL
    assert first["affiliation"]["identifier"] == ROR_URL
    assert second["sameAs"] == f"https://orcid.org/{ORCID_X}"
    assert "sameAs" not in second["affiliation"]
    assert "sameAs" not in third


def test_csl_json_carries_orcid_and_ror(client, identified):
    [item] = json.loads(client.get(f"/publications/{identified.slug}.json").get_data(as_text=True))
    first, second, third = item["author"]
    assert first["ORCID"] == f"https://orcid.org/{ORCID}"
    assert first["affiliation"] == [
        {"name": "University of Ljubljana", "id": [{"id": ROR_URL, "id-type": "ROR"}]}
    ]
    assert second["ORCID"] == f"https://orcid.org/{ORCID_X}"
    assert "ORCID" not in third


def test_ris_carries_orcid_notes_and_ror_addresses(client, identified):
    [record] = parse_ris(client.get(f"/publications/{identified.slug}.ris").get_data(as_text=True))
    assert record["AU"] == ["Lindqvist, Maja", "van den Berg, Anneke", "Nobody, Cai"]
    assert f"University of Ljubljana {ROR_URL}" in record["AD"]
    assert f"ORCID iD of Lindqvist, Maja: https://orcid.org/{ORCID}" in record["N1"]
    assert f"ORCID iD of van den Berg, Anneke: https://orcid.org/{ORCID_X}" in record["N1"]


def test_datacite_xml_has_name_and_affiliation_identifiers(client, identified):
    response = client.get(f"/publications/{identified.slug}.datacite.xml")
    root = etree.fromstring(response.data)
    assert kernel_schema().validate(root), kernel_schema().error_log
    d = {"d": "http://datacite.org/schema/kernel-4"}
    creators = root.findall("d:creators/d:creator", d)
    ident = creators[0].find("d:nameIdentifier", d)
    assert ident.text == f"https://orcid.org/{ORCID}"
    assert ident.get("nameIdentifierScheme") == "ORCID"
    assert ident.get("schemeURI") == "https://orcid.org"
    affiliation = creators[0].find("d:affiliation", d)
    assert affiliation.text == "University of Ljubljana"
    assert affiliation.get("affiliationIdentifier") == ROR_URL
    assert affiliation.get("affiliationIdentifierScheme") == "ROR"
    assert creators[2].find("d:nameIdentifier", d) is None


def test_oai_datacite_has_the_identifiers(client, identified):
    from interacta.publications.oai import oai_identifier

    with client.application.test_request_context():
        identifier = oai_identifier(identified.id)
    document = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_datacite")
    names = [e.text for e in document.iterfind(".//datacite:nameIdentifier", NS)]
    assert f"https://orcid.org/{ORCID}" in names
    rors = [
        e.get("affiliationIdentifier") for e in document.iterfind(".//datacite:affiliation", NS)
    ]
    assert ROR_URL in rors


def test_identifiers_survive_an_edit_without_them_being_retyped(app, db, identified):
    with app.test_request_context():
        data = services.PublicationInput(
            kind=identified.kind,
            title=identified.title,
            year=identified.year,
            authors=services.parse_authors(services.format_authors(identified.authors, listed={})),
        )
        services.save_publication(identified, data)
    assert identified.authors[0].orcid == ORCID
    assert identified.authors[0].affiliation_ror == ROR
