"""DataCite Metadata Schema 4.5 for a publication, built with the `datacite` package.

`to_datacite_json(pub, ...)` gives DataCite's JSON form; `to_datacite_etree` validates it
with `datacite.schema45.validate` (the package's JSON schema) and only then lets the
package write the XML (`schema45.dump_etree`): no XML is written by hand here.

The identifier: DataCite's `identifier` is required, and the kernel-4.5 XSD requires an
`identifierType` without restricting its value (DataCite's documentation lists "DOI").
A record with a DOI is identified by it (from the JSON's `doi`, written by the package).
A record without one cannot honestly claim a DOI, and the package's JSON form has no
other way to say its identifier; so, after the package has built the record, the one
missing element is added with lxml: `<identifier identifierType="URL">` holding the
record's landing page, its one stable address here. The result validates against the
kernel-4.5 XSD (tests ship it). A DOI is never invented.
"""

from __future__ import annotations

import re

from flask import current_app
from lxml import etree

from interacta.core.urls import external_url
from interacta.publications.models import Publication
from interacta.publications.names import split_name

SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
KERNEL_NS = "http://datacite.org/schema/kernel-4"

#: our kind -> (DataCite resourceTypeGeneral, resourceType as free text)
RESOURCE_TYPES = {
    "journal_article": ("JournalArticle", "Journal article"),
    # A working paper is a paper circulated before (or instead of) formal peer review:
    # DataCite's "Preprint" (InvenioRDM maps its working papers the same way).
    "working_paper": ("Preprint", "Working paper"),
    "report": ("Report", "Report"),
    "book_chapter": ("BookChapter", "Book chapter"),
    "conference_paper": ("ConferencePaper", "Conference paper"),
    "policy_brief": ("Report", "Policy brief"),
}
#: our kind -> the kind of work `journal` names (DataCite relatedItemType)
CONTAINER_TYPES = {
    "journal_article": "Journal",
    "working_paper": "Collection",
    "report": "Collection",
    "policy_brief": "Collection",
    "book_chapter": "Book",
    "conference_paper": "ConferenceProceeding",
}

# Characters XML 1.0 cannot carry (C0 controls but tab/newline/return, lone surrogates,
# U+FFFE/U+FFFF): dropped from every value, so odd input never breaks an export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class InvalidDataCite(Exception):
    """The JSON built for a record does not pass DataCite's schema (a bug, not input)."""


def xml_safe(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def publisher_name(pub: Publication) -> str:
    """The publication's own publisher when it has one, else the network that publishes
    the record here."""
    return xml_safe(pub.publisher).strip() or current_app.config["SITE_NAME"]


def _page_range(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    parts = re.split(r"\s*[-–—]+\s*", pages.strip(), maxsplit=1)
    return parts[0] or None, (parts[1] if len(parts) > 1 else None) or None


def _creator(author) -> dict:
    given, family = split_name(xml_safe(author.name))
    creator: dict = {"name": f"{family}, {given}" if given else family, "nameType": "Personal"}
    if given:
        creator["givenName"] = given
    creator["familyName"] = family
    if author.orcid:
        creator["nameIdentifiers"] = [
            {
                "nameIdentifier": author.orcid_url,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ]
    affiliation = xml_safe(author.affiliation).strip()
    if affiliation:
        entry = {"name": affiliation}
        if author.ror_url:
            entry |= {
                "affiliationIdentifier": author.ror_url,
                "affiliationIdentifierScheme": "ROR",
                "schemeUri": "https://ror.org",
            }
        creator["affiliation"] = [entry]
    return creator


def _related_identifier(other: Publication, relation: str) -> dict:
    if other.doi:
        return {
            "relatedIdentifier": other.doi,
            "relatedIdentifierType": "DOI",
            "relationType": relation,
        }
    return {
        "relatedIdentifier": external_url("publications.detail", slug=other.slug),
        "relatedIdentifierType": "URL",
        "relationType": relation,
    }


def to_datacite_json(pub: Publication, oai_identifier: str | None = None) -> dict:
    """DataCite 4.5 JSON for `pub`; its authors, topics, version_of and versions should be
    loaded (one query each, whatever the number of records)."""
    general, label = RESOURCE_TYPES.get(pub.kind, ("Text", pub.kind_label))
    page_url = external_url("publications.detail", slug=pub.slug)
    creators = [_creator(a) for a in pub.authors]
    if not creators:  # DataCite needs one; an anonymous work is credited to its publisher
        creators = [{"name": publisher_name(pub), "nameType": "Organizational"}]
    data: dict = {
        "schemaVersion": SCHEMA_VERSION,
        "creators": creators,
        "titles": [{"title": xml_safe(pub.title)}],
        "publisher": {"name": publisher_name(pub)},
        "publicationYear": str(pub.year),
        "types": {"resourceTypeGeneral": general, "resourceType": label},
        "alternateIdentifiers": [],
    }
    if pub.doi:
        data["doi"] = pub.doi
        # The DOI is the identifier; the landing page is another name for the record.
        data["alternateIdentifiers"].append(
            {"alternateIdentifier": page_url, "alternateIdentifierType": "URL"}
        )
    if oai_identifier:
        data["alternateIdentifiers"].append(
            {"alternateIdentifier": oai_identifier, "alternateIdentifierType": "OAI"}
        )
    if not data["alternateIdentifiers"]:
        del data["alternateIdentifiers"]
    issued = "-".join([f"{pub.year:04d}"] + [f"{p:02d}" for p in pub.date_parts[1:]])
    data["dates"] = [
        {"date": issued, "dateType": "Issued"},
        {"date": pub.updated_at.date().isoformat(), "dateType": "Updated"},
    ]
    if pub.language:
        data["language"] = xml_safe(pub.language)
    subjects = [{"subject": xml_safe(t.name)} for t in pub.topics]
    seen = {s["subject"] for s in subjects}
    for keyword in pub.keyword_list:
        keyword = xml_safe(keyword)
        if keyword and keyword not in seen:
            seen.add(keyword)
            subjects.append({"subject": keyword})
    if subjects:
        data["subjects"] = subjects
    if pub.abstract and xml_safe(pub.abstract).strip():
        data["descriptions"] = [
            {"description": xml_safe(pub.abstract).strip(), "descriptionType": "Abstract"}
        ]
    if pub.pdf_file:
        data["formats"] = ["application/pdf"]
    related = []
    if pub.version_of is not None and pub.version_of.is_published:
        related.append(_related_identifier(pub.version_of, "IsVersionOf"))
    related += [_related_identifier(v, "HasVersion") for v in pub.versions if v.is_published]
    if related:
        data["relatedIdentifiers"] = related
    if pub.journal and xml_safe(pub.journal).strip():
        first, last = _page_range(xml_safe(pub.pages))
        item = {
            "relationType": "IsPublishedIn",
            "relatedItemType": CONTAINER_TYPES.get(pub.kind, "Collection"),
            "titles": [{"title": xml_safe(pub.journal).strip()}],
            "volume": xml_safe(pub.volume),
            "issue": xml_safe(pub.issue),
            "firstPage": first,
            "lastPage": last,
        }
        data["relatedItems"] = [{k: v for k, v in item.items() if v}]
    return data


def to_datacite_etree(pub: Publication, oai_identifier: str | None = None) -> etree._Element:
    """The DataCite 4.5 `<resource>` element, checked against DataCite's JSON schema first.

    The package builds elements without a namespace under a default-namespace
    declaration; a round trip through its serialiser gives properly namespaced elements
    that can sit inside another document (the OAI-PMH response)."""
    data = to_datacite_json(pub, oai_identifier)
    # Imported here: the package (and the identifier library it loads) takes about 20 MB,
    # which a web worker that never writes DataCite XML need not carry.
    from datacite import schema45

    if not schema45.validate(data):
        errors = [e.message for e in schema45.validator.iter_errors(data)]
        raise InvalidDataCite(f"{pub.slug}: {'; '.join(errors)}")
    resource = etree.fromstring(etree.tostring(schema45.dump_etree(data)))
    if "doi" not in data:  # see the module's docstring
        identifier = etree.Element(f"{{{KERNEL_NS}}}identifier", identifierType="URL")
        identifier.text = external_url("publications.detail", slug=pub.slug)
        resource.insert(0, identifier)
    return resource


def to_datacite_xml(pub: Publication) -> bytes:
    """The record as a DataCite 4.5 XML document."""
    return etree.tostring(
        to_datacite_etree(pub), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
