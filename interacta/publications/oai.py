"""OAI-PMH 2.0 data provider for the publications: the protocol, without Flask routing.

`respond(args, base_url)` takes the request's arguments as (name, value) pairs and
returns the response document (bytes); the view in `oai_views` only collects the
arguments and sends the bytes.

What the repository exposes
- Records: every published publication; a withdrawn one (published once, now back to
  draft) stays as a deleted record (header status="deleted", no metadata) for good:
  `deletedRecord` is "persistent". A draft that was never published does not exist here.
- Identifiers `oai:<host>:publication/<id>`, host from SERVER_BASE_URL.
- Datestamps: the record's last change (updated_at, UTC), seconds granularity; `from`
  and `until` take a day or a second (both the same granularity).
- Sets: `kind` with `kind:<kind>` under it, `topic` with `topic:<slug>` under it. We have
  sets, so noSetHierarchy never applies.
- Formats: `oai_dc` and `oai_datacite` (DataCite Metadata Schema 4.5 `<resource>` inside
  the `oai_datacite` wrapper of DataCite's own OAI provider, schema oai-1.1).

Resumption tokens
Lists are pages of PAGE_SIZE records in id order (keyset: `id > last id`), bounded by the
largest id at the start of the list. The token is signed (the app's SECRET_KEY) and
carries the list's arguments, the last id sent, that bound, the cursor, the size and
an expiry; nothing is kept on the server. An edit during a harvest does not move a
record in id order, so no record present at the start is skipped or sent twice; records
created after the start are left to the next incremental harvest (`from`), which sees
them since their datestamp is later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree
from sqlalchemy.orm import joinedload, selectinload

from interacta.core.models import Topic, utcnow
from interacta.core.urls import external_url
from interacta.extensions import db
from interacta.publications.datacite import to_datacite_etree, xml_safe
from interacta.publications.models import KINDS, Publication, publication_topics
from interacta.publications.names import split_name

PAGE_SIZE = 100
TOKEN_LIFETIME = timedelta(hours=24)
TOKEN_SALT = "interacta.oai.resumption"  # noqa: S105 - a salt (namespace), not a secret

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
OAI_DATACITE_NS = "http://schema.datacite.org/oai/oai-1.1/"
OAI_DATACITE_SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"

#: metadataPrefix -> (schema, namespace)
FORMATS = {
    "oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS),
    "oai_datacite": (OAI_DATACITE_SCHEMA, OAI_DATACITE_NS),
}

VERBS = {
    # verb: (required, optional, exclusive)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_PREFIX = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")


class OAIError(Exception):
    """One OAI-PMH error condition: answered with HTTP 200 and an <error> element."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- small helpers --------------------------------------------------------------------


def repository_host() -> str:
    return urlsplit(current_app.config["SERVER_BASE_URL"]).hostname or "localhost"


def oai_identifier(pub_id: int) -> str:
    return f"oai:{repository_host()}:publication/{pub_id}"


def parse_identifier(identifier: str) -> int | None:
    prefix = f"oai:{repository_host()}:publication/"
    if not identifier.startswith(prefix):
        return None
    rest = identifier[len(prefix) :]
    return int(rest) if rest.isdigit() and len(rest) < 19 else None


def datestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(value: str, name: str) -> tuple[datetime, str]:
    """(moment, "day"|"second") or badArgument."""
    try:
        if _DAY.match(value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC), "day"
        if _SECOND.match(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), "second"
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        f"'{name}' must be a UTC date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ).",
    )


def _check_format(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise OAIError("badArgument", "'metadataPrefix' is not a valid prefix.")
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"'{prefix}' is not a format of this repository.")
    return prefix


def _is_exposed():
    """Published, or published once and withdrawn since (a deleted record)."""
    return sa.or_(Publication.status == "published", Publication.published_at.is_not(None))


def _is_deleted(pub: Publication) -> bool:
    return not pub.is_published


# --- the list arguments and the resumption token ----------------------------------------


@dataclass
class ListArgs:
    prefix: str
    set_spec: str | None = None
    start: datetime | None = None  # updated_at >= start
    end: datetime | None = None  # updated_at < end
    after_id: int = 0
    max_id: int | None = None
    cursor: int = 0
    total: int | None = None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def make_token(args: ListArgs, expires: datetime) -> str:
    return _serializer().dumps(
        {
            "p": args.prefix,
            "s": args.set_spec,
            "f": args.start.timestamp() if args.start else None,
            "u": args.end.timestamp() if args.end else None,
            "a": args.after_id,
            "m": args.max_id,
            "c": args.cursor,
            "t": args.total,
            "x": int(expires.timestamp()),
        }
    )


def read_token(token: str) -> ListArgs:
    bad = OAIError("badResumptionToken", "The resumption token is invalid or has expired.")
    try:
        data = _serializer().loads(token)
        if data["x"] < utcnow().timestamp() or data["p"] not in FORMATS:
            raise bad
        return ListArgs(
            prefix=data["p"],
            set_spec=data["s"],
            start=datetime.fromtimestamp(data["f"], UTC) if data["f"] is not None else None,
            end=datetime.fromtimestamp(data["u"], UTC) if data["u"] is not None else None,
            after_id=int(data["a"]),
            max_id=int(data["m"]),
            cursor=int(data["c"]),
            total=int(data["t"]),
        )
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise bad from exc


def _list_args(params: dict[str, str]) -> ListArgs:
    if "resumptionToken" in params:
        return read_token(params["resumptionToken"])
    args = ListArgs(prefix=_check_format(params["metadataPrefix"]))
    granularities = set()
    if "from" in params:
        args.start, granularity = parse_datestamp(params["from"], "from")
        granularities.add(granularity)
    if "until" in params:
        until, granularity = parse_datestamp(params["until"], "until")
        granularities.add(granularity)
        # Datestamps are whole seconds: `until` includes its whole second, or whole day.
        args.end = until + (timedelta(days=1) if granularity == "day" else timedelta(seconds=1))
    if len(granularities) > 1:
        raise OAIError("badArgument", "'from' and 'until' must have the same granularity.")
    if args.start and args.end and args.start >= args.end:
        raise OAIError("badArgument", "'from' is later than 'until'.")
    if "set" in params:
        if not _SET_SPEC.match(params["set"]):
            raise OAIError("badArgument", "'set' is not a valid setSpec.")
        args.set_spec = params["set"]
    return args


def _filtered(query, args: ListArgs):
    query = query.where(_is_exposed())
    if args.start is not None:
        query = query.where(Publication.updated_at >= args.start)
    if args.end is not None:
        query = query.where(Publication.updated_at < args.end)
    spec = args.set_spec
    if spec:
        group, _, value = spec.partition(":")
        if group == "kind" and not value:
            pass  # every record has a kind
        elif group == "kind" and value in KINDS:
            query = query.where(Publication.kind == value)
        elif group == "topic" and not value:
            query = query.where(
                sa.exists().where(publication_topics.c.publication_id == Publication.id)
            )
        elif group == "topic" and ":" not in value:
            query = query.where(
                sa.exists()
                .where(publication_topics.c.publication_id == Publication.id)
                .where(publication_topics.c.topic_id == Topic.id)
                .where(Topic.slug == value)
            )
        else:
            query = query.where(sa.false())  # an unknown set: no records
    return query


def _with_loads(query, with_metadata: bool):
    """`query` loading what a record's header reads (topics) and, with metadata, what the
    metadata reads too (authors, versions)."""
    query = query.options(selectinload(Publication.topics))
    if with_metadata:
        query = query.options(
            selectinload(Publication.authors),
            joinedload(Publication.version_of),
            selectinload(Publication.versions),
        )
    return query


def _page(args: ListArgs, with_metadata: bool) -> tuple[list[Publication], bool]:
    """The next page after `args.after_id` (and the list's size and bound on its first
    page). Queries: 1 for a first page's size, 1 for the page, and with metadata 3 more
    for authors, topics and versions (version_of is joined)."""
    if args.max_id is None:
        total, max_id = db.session.execute(
            _filtered(sa.select(sa.func.count(Publication.id), sa.func.max(Publication.id)), args)
        ).one()
        if not total:
            raise OAIError("noRecordsMatch", "No records match these arguments.")
        args.total, args.max_id = total, max_id
    query = (
        _filtered(sa.select(Publication), args)
        .where(Publication.id > args.after_id, Publication.id <= args.max_id)
        .order_by(Publication.id)
        .limit(PAGE_SIZE + 1)
    )
    pubs = list(db.session.scalars(_with_loads(query, with_metadata)))
    more = len(pubs) > PAGE_SIZE
    return pubs[:PAGE_SIZE], more


# --- building the response ------------------------------------------------------------


def _sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _o(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def _envelope(base_url: str, request_attrs: dict[str, str]) -> etree._Element:
    root = etree.Element(_o("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    _sub(root, _o("responseDate"), datestamp(utcnow()))
    _sub(root, _o("request"), base_url, **request_attrs)
    return root


def _set_specs(pub: Publication) -> list[str]:
    return [f"kind:{pub.kind}"] + [f"topic:{t.slug}" for t in pub.topics]


def _header(parent, pub: Publication) -> None:
    header = _sub(parent, _o("header"))
    if _is_deleted(pub):
        header.set("status", "deleted")
    _sub(header, _o("identifier"), oai_identifier(pub.id))
    _sub(header, _o("datestamp"), datestamp(pub.updated_at))
    for spec in _set_specs(pub):
        _sub(header, _o("setSpec"), spec)


def _dc_name(name: str) -> str:
    given, family = split_name(name)
    return f"{family}, {given}" if given else family


def oai_dc(pub: Publication) -> etree._Element:
    """Unqualified Dublin Core for the oai_dc format."""
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def dc(name: str, value: str | None) -> None:
        if value and xml_safe(value).strip():
            _sub(root, f"{{{DC_NS}}}{name}", xml_safe(value).strip())

    dc("title", pub.title)
    for author in pub.authors:
        dc("creator", _dc_name(author.name))
    for topic in pub.topics:
        dc("subject", topic.name)
    for keyword in pub.keyword_list:
        dc("subject", keyword)
    dc("description", pub.abstract)
    dc("publisher", pub.publisher)
    dc("date", "-".join([f"{pub.year:04d}"] + [f"{p:02d}" for p in pub.date_parts[1:]]))
    dc("type", "Text")
    dc("type", pub.kind_label)
    if pub.pdf_file:
        dc("format", "application/pdf")
    dc("identifier", external_url("publications.detail", slug=pub.slug))
    if pub.doi:
        dc("identifier", pub.doi_url)
    if pub.journal:
        source = pub.journal
        if pub.volume:
            source += f", {pub.volume}"
        if pub.issue:
            source += f"({pub.issue})"
        if pub.pages:
            source += f", {pub.pages}"
        dc("source", source)
    dc("language", pub.language)
    if pub.version_of is not None and pub.version_of.is_published:
        other = pub.version_of
        dc("relation", other.doi_url or external_url("publications.detail", slug=other.slug))
    return root


def oai_datacite(pub: Publication) -> etree._Element:
    """DataCite 4.5 `<resource>` in the oai_datacite wrapper (DataCite's OAI provider)."""
    root = etree.Element(f"{{{OAI_DATACITE_NS}}}oai_datacite", nsmap={None: OAI_DATACITE_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DATACITE_NS} {OAI_DATACITE_SCHEMA}")
    _sub(root, f"{{{OAI_DATACITE_NS}}}schemaVersion", "4.5")
    # No datacentreSymbol: that names a DataCite member's repository account; we have none.
    payload = _sub(root, f"{{{OAI_DATACITE_NS}}}payload")
    payload.append(to_datacite_etree(pub, oai_identifier(pub.id)))
    return root


def _record(parent, pub: Publication, prefix: str) -> None:
    record = _sub(parent, _o("record"))
    _header(record, pub)
    if not _is_deleted(pub):
        metadata = _sub(record, _o("metadata"))
        metadata.append(oai_dc(pub) if prefix == "oai_dc" else oai_datacite(pub))


# --- the verbs --------------------------------------------------------------------------


def _identify(root, params, base_url) -> None:
    earliest = db.session.scalar(
        sa.select(sa.func.min(Publication.updated_at)).where(_is_exposed())
    )
    body = _sub(root, _o("Identify"))
    _sub(body, _o("repositoryName"), current_app.config["SITE_NAME"])
    _sub(body, _o("baseURL"), base_url)
    _sub(body, _o("protocolVersion"), "2.0")
    _sub(body, _o("adminEmail"), current_app.config["CONTACT_EMAIL"])
    _sub(body, _o("earliestDatestamp"), datestamp(earliest or utcnow()))
    _sub(body, _o("deletedRecord"), "persistent")
    _sub(body, _o("granularity"), "YYYY-MM-DDThh:mm:ssZ")


def _load_one(identifier: str, with_metadata: bool) -> Publication:
    pub_id = parse_identifier(identifier)
    pub = None
    if pub_id is not None:
        query = sa.select(Publication).where(Publication.id == pub_id, _is_exposed())
        pub = db.session.scalar(_with_loads(query, with_metadata))
    if pub is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier '{identifier}'.")
    return pub


def _list_metadata_formats(root, params, base_url) -> None:
    if "identifier" in params:
        _load_one(params["identifier"], with_metadata=False)
    body = _sub(root, _o("ListMetadataFormats"))
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = _sub(body, _o("metadataFormat"))
        _sub(fmt, _o("metadataPrefix"), prefix)
        _sub(fmt, _o("schema"), schema)
        _sub(fmt, _o("metadataNamespace"), namespace)


def _list_sets(root, params, base_url) -> None:
    if "resumptionToken" in params:
        raise OAIError("badResumptionToken", "ListSets is answered in one piece: no tokens.")
    body = _sub(root, _o("ListSets"))

    def add(spec: str, name: str) -> None:
        element = _sub(body, _o("set"))
        _sub(element, _o("setSpec"), spec)
        _sub(element, _o("setName"), name)

    add("kind", "By kind")
    for kind, label in KINDS.items():
        add(f"kind:{kind}", label)
    add("topic", "By topic")
    for topic in db.session.scalars(sa.select(Topic).order_by(Topic.position, Topic.id)):
        if _SET_SPEC.match(f"topic:{topic.slug}"):
            add(f"topic:{topic.slug}", topic.name)


def _get_record(root, params, base_url) -> None:
    prefix = _check_format(params["metadataPrefix"])
    pub = _load_one(params["identifier"], with_metadata=True)
    body = _sub(root, _o("GetRecord"))
    _record(body, pub, prefix)


def _list(root, params, base_url, verb: str) -> None:
    args = _list_args(params)
    with_metadata = verb == "ListRecords"
    pubs, more = _page(args, with_metadata)
    if not pubs:  # nothing at all, or the rest of a list left its set since
        raise OAIError("noRecordsMatch", "No records match these arguments.")
    body = _sub(root, _o(verb))
    for pub in pubs:
        if with_metadata:
            _record(body, pub, args.prefix)
        else:
            _header(body, pub)
    cursor = args.cursor
    if "resumptionToken" in params or more:
        # The last page of a resumed list carries an empty token (the protocol's end mark).
        token = _sub(body, _o("resumptionToken"), cursor=str(cursor))
        if args.total:
            token.set("completeListSize", str(args.total))
        if more:
            expires = utcnow().replace(microsecond=0) + TOKEN_LIFETIME
            args.after_id = pubs[-1].id
            args.cursor = cursor + len(pubs)
            token.text = make_token(args, expires)
            token.set("expirationDate", datestamp(expires))


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": lambda root, params, base: _list(root, params, base, "ListIdentifiers"),
    "ListRecords": lambda root, params, base: _list(root, params, base, "ListRecords"),
}


def _check_arguments(pairs: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """(verb, the other arguments) or the error the protocol names."""
    names = [name for name, _ in pairs]
    verbs = [value for name, value in pairs if name == "verb"]
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "Missing, repeated or illegal verb.")
    verb = verbs[0]
    if len(names) != len(set(names)):
        raise OAIError("badArgument", "An argument is repeated.")
    params = {name: value for name, value in pairs if name != "verb"}
    required, optional, exclusive = VERBS[verb]
    if exclusive and exclusive in params:
        if len(params) > 1:
            raise OAIError("badArgument", f"'{exclusive}' is an exclusive argument.")
        return verb, params
    illegal = set(params) - required - optional
    if illegal:
        raise OAIError("badArgument", f"Illegal argument: {', '.join(sorted(illegal))}.")
    missing = required - set(params)
    if missing:
        raise OAIError("badArgument", f"Missing argument: {', '.join(sorted(missing))}.")
    return verb, params


def respond(pairs: Iterable[tuple[str, str]], base_url: str) -> bytes:
    """The response document to a request with these arguments."""
    pairs = list(pairs)
    try:
        verb, params = _check_arguments(pairs)
    except OAIError as exc:
        # After badVerb/badArgument the request element carries no attributes.
        root = _envelope(base_url, {})
        _sub(root, _o("error"), exc.message, code=exc.code)
    else:
        root = _envelope(base_url, {"verb": verb, **params})
        try:
            HANDLERS[verb](root, params, base_url)
        except OAIError as exc:
            if exc.code == "badArgument":
                root = _envelope(base_url, {})
            _sub(root, _o("error"), exc.message, code=exc.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
