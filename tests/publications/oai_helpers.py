"""Shared by the OAI-PMH tests: the schemas, a validating request helper, bulk records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dcw": "http://schema.datacite.org/oai/oai-1.1/",
    "datacite": "http://datacite.org/schema/kernel-4",
}

_schema: etree.XMLSchema | None = None


def oai_schema() -> etree.XMLSchema:
    """OAI-PMH 2.0 with the oai_dc and oai_datacite formats, all from local files (the
    parser never reaches the network)."""
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "all.xsd")))
    return _schema


def validate(document: etree._Element) -> None:
    schema = oai_schema()
    if not schema.validate(document):
        raise AssertionError(f"not valid OAI-PMH: {schema.error_log}")


def oai(client, method: str = "GET", **params) -> etree._Element:
    """The response to an OAI-PMH request, checked (200, text/xml, valid)."""
    params = {("from" if k == "from_" else k): v for k, v in params.items()}
    if method == "POST":
        response = client.post("/oai", data=params)
    else:
        response = client.get("/oai", query_string=params)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    document = etree.fromstring(response.data)
    validate(document)
    return document


def error_code(document) -> str | None:
    errors = document.findall("oai:error", NS)
    return errors[0].get("code") if errors else None


def identifiers(document) -> list[str]:
    return [e.text for e in document.iterfind(".//oai:header/oai:identifier", NS)]


def token_of(document):
    return document.find(".//oai:resumptionToken", NS)


def add_publications(db, n: int, **values) -> list[int]:
    """`n` published records written in one statement (no authors); their ids."""
    from interacta.publications.models import Publication

    now = datetime.now(UTC)
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Publication.id), 0)))
    rows = []
    for i in range(n):
        row = {
            "slug": f"bulk-{start + i + 1}",
            "kind": "journal_article",
            "title": f"Bulk record {start + i + 1}",
            "abstract": "",
            "year": 2024,
            "language": "en",
            "keywords": "",
            "status": "published",
            "published_at": now,
            "created_at": now,
            "updated_at": now,
            "search_authors": "",
        }
        row.update(values)
        rows.append(row)
    db.session.execute(sa.insert(Publication), rows)
    return list(
        db.session.scalars(
            sa.select(Publication.id).where(Publication.id > start).order_by(Publication.id)
        )
    )
