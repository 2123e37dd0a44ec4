"""The OAI-PMH 2.0 data provider at /oai: every verb and every error, each response
validated against the OAI-PMH, oai_dc and oai_datacite schemas shipped in
tests/publications/schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from interacta.publications import oai as oai_module
from interacta.publications import services
from interacta.publications.models import Publication
from tests.publications.oai_helpers import (
    NS,
    add_publications,
    error_code,
    identifiers,
    oai,
    token_of,
    validate,
)
from tests.publications.test_search import count_queries

HOST = "127.0.0.1"  # TestConfig's SERVER_BASE_URL


def oai_id(pub) -> str:
    return f"oai:{HOST}:publication/{pub.id}"


def set_updated(db, pub, moment: datetime) -> None:
    db.session.execute(
        sa.update(Publication).where(Publication.id == pub.id).values(updated_at=moment)
    )
    db.session.expire_all()


# --- Identify, ListMetadataFormats, ListSets -----------------------------------------------


def test_identify_describes_the_repository(client, db, make_publication):
    pub = make_publication()
    set_updated(db, pub, datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC))
    make_publication(status="draft")  # drafts do not count
    doc = oai(client, verb="Identify")
    body = doc.find("oai:Identify", NS)
    assert body.findtext("oai:baseURL", namespaces=NS) == "http://127.0.0.1:5000/oai"
    assert body.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert body.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert body.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert body.findtext("oai:earliestDatestamp", namespaces=NS) == "2021-03-04T05:06:07Z"
    assert doc.find("oai:request", NS).get("verb") == "Identify"


def test_post_form_encoded_is_answered_like_get(client, db):
    doc = oai(client, method="POST", verb="Identify")
    assert doc.find("oai:Identify", NS) is not None


def test_list_metadata_formats(client, db, make_publication):
    doc = oai(client, verb="ListMetadataFormats")
    prefixes = [e.text for e in doc.iterfind(".//oai:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "oai_datacite"]
    pub = make_publication()
    doc = oai(client, verb="ListMetadataFormats", identifier=oai_id(pub))
    assert len(doc.findall(".//oai:metadataFormat", NS)) == 2
    doc = oai(client, verb="ListMetadataFormats", identifier=f"oai:{HOST}:publication/999999")
    assert error_code(doc) == "idDoesNotExist"


def test_list_sets_by_kind_and_topic(client, db):
    doc = oai(client, verb="ListSets")
    specs = [e.text for e in doc.iterfind(".//oai:setSpec", NS)]
    assert "kind" in specs and "kind:working_paper" in specs
    assert "topic" in specs and "topic:religion" in specs
    assert error_code(oai(client, verb="ListSets", resumptionToken="x")) == "badResumptionToken"


# --- GetRecord ------------------------------------------------------------------------------


def test_get_record_oai_dc(client, db, make_publication):
    pub = make_publication(
        kind="working_paper",
        title="Civil <b>&</b> military",
        authors=["Ana van der Berg", "Li Wei"],
        topics=["religion"],
        doi="10.1234/abc",
        keywords="one, two",
        abstract="What we found.",
        journal="Interacta Working Papers",
        volume="3",
    )
    doc = oai(client, verb="GetRecord", identifier=oai_id(pub), metadataPrefix="oai_dc")
    header = doc.find(".//oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == oai_id(pub)
    assert [e.text for e in header.iterfind("oai:setSpec", NS)] == [
        "kind:working_paper",
        "topic:religion",
    ]
    dc = doc.find(".//oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Civil <b>&</b> military"
    assert [e.text for e in dc.iterfind("dc:creator", NS)] == ["van der Berg, Ana", "Wei, Li"]
    ids = [e.text for e in dc.iterfind("dc:identifier", NS)]
    assert "https://doi.org/10.1234/abc" in ids
    assert f"http://127.0.0.1:5000/publications/{pub.slug}" in ids
    assert dc.findtext("dc:source", namespaces=NS) == "Interacta Working Papers, 3"


def test_get_record_oai_datacite(client, db, make_publication):
    pub = make_publication(kind="policy_brief", authors=[("Maja Lindqvist", "Nordhaven")])
    doc = oai(client, verb="GetRecord", identifier=oai_id(pub), metadataPrefix="oai_datacite")
    resource = doc.find(".//dcw:payload/datacite:resource", NS)
    assert resource is not None
    rtype = resource.find("datacite:resourceType", NS)
    assert (rtype.get("resourceTypeGeneral"), rtype.text) == ("Report", "Policy brief")
    assert resource.findtext(".//datacite:affiliation", namespaces=NS) == "Nordhaven"
    # The payload itself was validated against DataCite's kernel-4.5 XSD: without a
    # required property the same document fails.
    resource.remove(resource.find("datacite:publisher", NS))
    with pytest.raises(AssertionError, match="publisher"):
        validate(doc)


def test_get_record_errors(client, db, make_publication):
    pub = make_publication()
    draft = make_publication(status="draft")
    assert (
        error_code(oai(client, verb="GetRecord", identifier=oai_id(pub), metadataPrefix="marc"))
        == "cannotDisseminateFormat"
    )
    for identifier in (oai_id(draft), "oai:elsewhere.org:publication/1", "nonsense", ""):
        doc = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert error_code(doc) == "idDoesNotExist", identifier
    assert error_code(oai(client, verb="GetRecord", identifier=oai_id(pub))) == "badArgument"


def test_a_withdrawn_publication_is_a_deleted_record_for_good(client, db, make_publication):
    pub = make_publication(topics=["religion"])
    services.withdraw(pub)
    db.session.flush()
    doc = oai(client, verb="GetRecord", identifier=oai_id(pub), metadataPrefix="oai_dc")
    record = doc.find(".//oai:record", NS)
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.find("oai:metadata", NS) is None
    for verb in ("ListIdentifiers", "ListRecords"):
        doc = oai(client, verb=verb, metadataPrefix="oai_datacite")
        assert identifiers(doc) == [oai_id(pub)]
        assert doc.find(".//oai:header", NS).get("status") == "deleted"
    # Edited while withdrawn: still reported deleted.
    pub.title = "Changed while withdrawn"
    db.session.flush()
    doc = oai(client, verb="GetRecord", identifier=oai_id(pub), metadataPrefix="oai_dc")
    assert doc.find(".//oai:header", NS).get("status") == "deleted"


def test_drafts_are_never_exposed(client, db, make_publication):
    make_publication(status="draft")
    for verb in ("ListIdentifiers", "ListRecords"):
        assert error_code(oai(client, verb=verb, metadataPrefix="oai_dc")) == "noRecordsMatch"


# --- selective harvesting -------------------------------------------------------------------


def test_sets_select_by_kind_and_topic(client, db, make_publication):
    paper = make_publication(kind="working_paper", topics=["religion"])
    article = make_publication(kind="journal_article", topics=[])

    def listed(spec):
        doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        return identifiers(doc) if error_code(doc) is None else error_code(doc)

    assert listed("kind:working_paper") == [oai_id(paper)]
    assert listed("kind:journal_article") == [oai_id(article)]
    assert listed("kind") == [oai_id(paper), oai_id(article)]
    assert listed("topic:religion") == [oai_id(paper)]
    assert listed("topic") == [oai_id(paper)]
    assert listed("kind:no_such_kind") == "noRecordsMatch"
    assert listed("topic:no-such-topic") == "noRecordsMatch"
    assert listed("not a set spec") == "badArgument"


def test_from_and_until_on_the_last_change(client, db, make_publication):
    old, mid, new = make_publication(), make_publication(), make_publication()
    set_updated(db, old, datetime(2020, 1, 1, 23, 59, 59, 500000, tzinfo=UTC))
    set_updated(db, mid, datetime(2022, 6, 15, 12, 0, 0, tzinfo=UTC))
    set_updated(db, new, datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC))

    def listed(**params):
        doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return identifiers(doc) if error_code(doc) is None else error_code(doc)

    assert listed(from_="2022-06-15") == [oai_id(mid), oai_id(new)]
    assert listed(until="2020-01-01") == [oai_id(old)]  # the whole day
    assert listed(until="2020-01-01T23:59:59Z") == [oai_id(old)]  # the whole second
    assert listed(from_="2022-06-15T12:00:00Z", until="2022-06-15T12:00:00Z") == [oai_id(mid)]
    assert listed(from_="2022-06-15T12:00:01Z", until="2024-12-31T23:59:59Z") == "noRecordsMatch"
    datestamps = [
        e.text
        for e in oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").iterfind(
            ".//oai:datestamp", NS
        )
    ]
    assert datestamps == ["2020-01-01T23:59:59Z", "2022-06-15T12:00:00Z", "2025-01-01T00:00:00Z"]


@pytest.mark.parametrize(
    "params",
    [
        {"from_": "2022-01-01", "until": "2022-02-01T00:00:00Z"},  # mixed granularity
        {"from_": "2022-13-01"},
        {"until": "yesterday"},
        {"from_": "2022-01-01T00:00:00"},  # not UTC (no Z)
        {"from_": "2022-01-01T00:00:00.5Z"},  # finer than the repository's granularity
        {"from_": "2023-01-01", "until": "2022-01-01"},
    ],
)
def test_bad_dates_are_bad_arguments(client, db, make_publication, params):
    make_publication()
    doc = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **params)
    assert error_code(doc) == "badArgument"
    assert doc.find("oai:request", NS).attrib == {}  # no attributes after badArgument


# --- errors on the arguments ------------------------------------------------------------


@pytest.mark.parametrize(
    "query, code",
    [
        ("", "badVerb"),
        ("verb=Nope", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&extra=1", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=nope", "cannotDisseminateFormat"),
        ("verb=ListRecords&metadataPrefix=no%20pe", "badArgument"),
        ("verb=ListIdentifiers&resumptionToken=forged", "badResumptionToken"),
        ("verb=ListSets&set=kind", "badArgument"),
        ("verb=GetRecord&identifier=x&metadataPrefix=oai_dc&set=kind", "badArgument"),
    ],
)
def test_every_argument_error(client, db, make_publication, query, code):
    make_publication()
    response = client.get(f"/oai?{query}")
    assert response.status_code == 200
    document = etree.fromstring(response.data)
    validate(document)
    assert error_code(document) == code


def test_no_set_hierarchy_never_applies_we_have_sets(client, db, make_publication):
    """noSetHierarchy is for repositories without sets; ours has them, so a set request is
    answered (or noRecordsMatch), never noSetHierarchy."""
    make_publication()
    doc = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="kind")
    assert error_code(doc) is None


# --- resumption tokens -------------------------------------------------------------------


def _harvest(client, verb="ListIdentifiers", **params):
    pages = []
    doc = oai(client, verb=verb, metadataPrefix="oai_dc", **params)
    pages.append(doc)
    while (token := token_of(doc)) is not None and token.text:
        doc = oai(client, verb=verb, resumptionToken=token.text)
        pages.append(doc)
    return pages


def test_pages_of_100_with_size_cursor_and_expiry(client, db):
    add_publications(db, 250)
    pages = _harvest(client)
    assert [len(identifiers(p)) for p in pages] == [100, 100, 50]
    tokens = [token_of(p) for p in pages]
    assert [t.get("cursor") for t in tokens] == ["0", "100", "200"]
    assert {t.get("completeListSize") for t in tokens} == {"250"}
    assert tokens[-1].text is None  # the empty token ends the list
    expires = datetime.strptime(tokens[0].get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ")
    assert expires.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(hours=23)
    all_ids = [i for p in pages for i in identifiers(p)]
    assert len(set(all_ids)) == 250


def test_a_list_that_fits_one_page_has_no_token(client, db):
    add_publications(db, 100)
    doc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(identifiers(doc)) == 100
    assert token_of(doc) is None


def test_a_token_survives_edits_made_during_the_harvest(client, db):
    ids = add_publications(db, 250)
    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = token_of(first).text
    # Meanwhile: records on the next pages edited (their datestamp moves past the start of
    # the harvest), one withdrawn, one already harvested edited, and new records added.
    for pub_id in (ids[0], ids[150], ids[249]):
        pub = db.session.get(Publication, pub_id)
        pub.title = "Edited during the harvest"
    services.withdraw(db.session.get(Publication, ids[120]))
    db.session.flush()
    add_publications(db, 5)
    seen = identifiers(first)
    doc = first
    while (t := token_of(doc)) is not None and t.text:
        doc = oai(client, verb="ListRecords", resumptionToken=token if doc is first else t.text)
        seen += identifiers(doc)
    expected = [f"oai:{HOST}:publication/{i}" for i in ids]
    assert seen == expected  # none lost, none twice, in order; new ones wait for next time
    titles = {
        r.findtext(".//oai:identifier", namespaces=NS): r.findtext(".//dc:title", namespaces=NS)
        for r in doc.iterfind(".//oai:record", NS)
    }
    assert titles[f"oai:{HOST}:publication/{ids[249]}"] == "Edited during the harvest"


def test_tampered_or_expired_tokens_are_refused(client, db, app, monkeypatch):
    add_publications(db, 150)
    token = token_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")).text
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    doc = oai(client, verb="ListIdentifiers", resumptionToken=tampered)
    assert error_code(doc) == "badResumptionToken"
    later = datetime.now(UTC) + timedelta(hours=25)
    monkeypatch.setattr(oai_module, "utcnow", lambda: later)
    doc = oai(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(doc) == "badResumptionToken"


def test_a_page_of_records_takes_a_fixed_number_of_queries(client, db, make_publication):
    def load():
        doc = oai(client, verb="ListRecords", metadataPrefix="oai_datacite")
        assert error_code(doc) is None

    make_publication(authors=["A", "B"], topics=["religion"])
    few = count_queries(db, load)
    for n in range(40):
        make_publication(authors=[f"Author {n}", "Co Author"], topics=["religion", "rule-of-law"])
    add_publications(db, 150)
    many = count_queries(db, load)
    assert few == many
    assert many <= 6


def test_xml_is_built_safely_from_any_text(client, db, make_publication):
    pub = make_publication(title='Bad \x01 bytes ]]> <x> & "quotes"', abstract="\x0b")
    doc = oai(client, verb="GetRecord", identifier=oai_id(pub), metadataPrefix="oai_datacite")
    assert doc.findtext(".//datacite:title", namespaces=NS) == 'Bad  bytes ]]> <x> & "quotes"'


def test_post_needs_no_csrf_token(client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    doc = oai(client, method="POST", verb="ListSets")
    assert doc.find("oai:ListSets", NS) is not None


def test_a_harvester_that_asks_too_fast_is_told_to_retry(client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "OAI_RATE_LIMIT", "3/minute")
    for _ in range(3):
        assert client.get("/oai?verb=Identify").status_code == 200
    response = client.get("/oai?verb=Identify")
    assert response.status_code == 503  # OAI-PMH flow control, which harvesters honour
    # Seconds until the minute's window ends: 60 less the time the four requests took (a
    # slow machine took more than a second).
    assert 50 <= int(response.headers["Retry-After"]) <= 60
