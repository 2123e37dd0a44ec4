"""The rules of publications: saving, publishing, searching, PDFs and importing.

Services take plain values, flush, and raise `PublicationError`s that views turn into
form errors or 4xx; they never read the request.
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, joinedload, selectinload

from interacta.core.models import Topic, utcnow
from interacta.core.text import normalize_email
from interacta.extensions import db
from interacta.members import services as member_services
from interacta.members.models import Member
from interacta.publications import search as fulltext
from interacta.publications.models import (
    KINDS,
    MAX_ABSTRACT,
    Publication,
    PublicationAuthor,
    publication_topics,
)

logger = logging.getLogger(__name__)

#: Largest PDF accepted (the request limit, MAX_CONTENT_LENGTH, is a little higher so the
#: form's other fields still arrive and we can answer with our own message).
PDF_MAX_BYTES = 20 * 1024 * 1024
PDF_TOO_LARGE = (
    "The PDF is larger than 20 MB, the most this site accepts. "
    "Please upload a smaller (compressed) file, or leave the PDF out and give a link instead."
)
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PER_PAGE = 20
SORTS = ("relevance", "date", "title")


class PublicationError(Exception):
    """A rule was broken; the message is meant for the person who tried."""

    #: The form field the message belongs to, if any.
    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAPdf(PublicationError):
    pass


class PdfTooLarge(PublicationError):
    pass


# --- small helpers ------------------------------------------------------------------


def slugify(text: str, max_length: int = 80) -> str:
    """A URL-safe slug: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "publication"


def normalize_doi(value: str | None) -> str | None:
    """The bare, lower-cased DOI from "10.x/y", "doi:10.x/y" or a doi.org URL; None if empty.

    Raises PublicationError when it does not look like a DOI.
    """
    if not value or not value.strip():
        return None
    doi = value.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    if not DOI_RE.match(doi):
        raise PublicationError(
            "This is not a DOI. A DOI looks like 10.1234/abcd (a doi.org link works too).",
            "doi",
        )
    return doi.lower()


NAME_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le"}


def split_name(name: str) -> tuple[str, str]:
    """(given, family) from "Given Family" or "Family, Given"; particles stay with family."""
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return given, family
    words = name.split(" ")
    if len(words) == 1:
        return "", words[0]
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in NAME_PARTICLES:
        i -= 1
    return " ".join(words[:i]), " ".join(words[i:])


def initials(given: str) -> str:
    parts = [p for p in re.split(r"[\s.]+", given) if p]
    out = []
    for part in parts:
        out.append("-".join(f"{piece[0]}." for piece in part.split("-") if piece))
    return " ".join(out)


def _unique_slug(base: str, exclude_id: int | None = None) -> str:
    taken = set(
        db.session.scalars(
            sa.select(Publication.slug).where(
                sa.or_(Publication.slug == base, Publication.slug.startswith(f"{base}-")),
                Publication.id != (exclude_id or 0),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- saving ---------------------------------------------------------------------------


@dataclass
class AuthorInput:
    """One author as an organizer gives it.

    An author is linked to a member by e-mail address only. Whether the address belongs
    to a member is never said (no error, no echo): an unknown one leaves the author
    unlinked. Without an address an author keeps the link it had under the same name,
    unless `unlink`."""

    name: str
    affiliation: str | None = None
    #: A member's e-mail address, to link the author to their profile.
    email: str | None = None
    #: Remove the link this author had to a member (written "-" in the form).
    unlink: bool = False


#: How the form shows an author's link to a member listed in the directory.
LINKED_MARK = "member:"
UNLINK_MARK = "-"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


def parse_authors(text: str) -> list[AuthorInput]:
    """Authors from lines "Name | Affiliation | member e-mail" (the last two optional);
    the third part may also be "-" (remove the link) or the form's "member: Name"."""
    authors = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3 or not parts[0]:
            raise PublicationError(
                f"“{line.strip()}”: write Name | Affiliation | member e-mail, one author a line.",
                "authors",
            )
        name, affiliation, ref = [*parts, "", ""][:3]
        author = AuthorInput(name, affiliation or None)
        if ref == UNLINK_MARK:
            author.unlink = True
        elif ref and not ref.startswith(LINKED_MARK):
            if not EMAIL_RE.match(ref):
                raise PublicationError(
                    f"“{line.strip()}”: the third part is a member's e-mail address "
                    f"(or “{UNLINK_MARK}” to remove a link).",
                    "authors",
                )
            author.email = normalize_email(ref)
        authors.append(author)
    if not authors:
        raise PublicationError("Give at least one author.", "authors")
    return authors


def format_authors(authors: list[PublicationAuthor], listed: dict[int, str]) -> str:
    """The authors as the form's text (the reverse of parse_authors). A link shows as the
    member's name when the member is in the directory (`listed`: id -> name), else not
    at all: never an address, and nothing the directory does not already show."""
    lines = []
    for a in authors:
        link = f"{LINKED_MARK} {listed[a.member_id]}" if a.member_id in listed else ""
        parts = [a.name, a.affiliation or "", link]
        while not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def listed_member_names(member_ids: list[int]) -> dict[int, str]:
    """id -> name of those members who appear in the member directory."""
    if not member_ids:
        return {}
    query = member_services.directory_query().where(Member.id.in_(member_ids))
    return {m.id: m.name for m in db.session.scalars(query)}


def _author_member_ids(pub: Publication | None, authors: list[AuthorInput]) -> list[int | None]:
    """The member each author is linked to: by e-mail, or the link kept from before."""
    emails = {a.email for a in authors if a.email}
    by_email = (
        dict(
            db.session.execute(
                sa.select(Member.email, Member.id).where(Member.email.in_(emails))
            ).all()
        )
        if emails
        else {}
    )
    kept: dict[str, list[int]] = {}
    for old in pub.authors if pub is not None and pub.id else []:
        if old.member_id:
            kept.setdefault(old.name, []).append(old.member_id)
    ids = []
    for a in authors:
        if a.email:
            ids.append(by_email.get(a.email))
        elif a.unlink or not kept.get(a.name[:200]):
            ids.append(None)
        else:
            ids.append(kept[a.name[:200]].pop(0))
    return ids


def save_publication(pub: Publication | None, **values) -> Publication:
    """Create (pub=None) or update a publication from plain values; flushes.

    values: kind, title, authors (list[AuthorInput]), abstract, year, month, day, journal,
    publisher, volume, issue, pages, doi, external_url, language, topic_ids, keywords,
    slug, version_of_id.
    """
    creating = pub is None
    if len(values.get("abstract") or "") > MAX_ABSTRACT:
        raise PublicationError(
            f"An abstract is at most {MAX_ABSTRACT:,} characters: shorten it.", "abstract"
        )
    if creating:
        pub = Publication(status="draft")
    kind = values.get("kind", pub.kind)
    if kind not in KINDS:
        raise PublicationError("Choose a kind of publication.", "kind")
    doi = normalize_doi(values.get("doi"))
    if doi:
        clash = db.session.scalar(
            sa.select(Publication.slug).where(
                Publication.doi == doi, Publication.id != (pub.id or 0)
            )
        )
        if clash:
            raise PublicationError(f"Another publication ({clash}) already has this DOI.", "doi")
    year, month, day = values["year"], values.get("month"), values.get("day")
    if day and not month:
        raise PublicationError("A day needs a month.", "day")

    wanted_slug = (values.get("slug") or "").strip()
    if wanted_slug:
        if wanted_slug != slugify(wanted_slug, max_length=200):
            raise PublicationError("Use lower-case letters, digits and hyphens only.", "slug")
        clash = db.session.scalar(
            sa.select(Publication.id).where(
                Publication.slug == wanted_slug, Publication.id != (pub.id or 0)
            )
        )
        if clash:
            raise PublicationError("Another publication already uses this address.", "slug")
        pub.slug = wanted_slug
    elif creating or not pub.slug:
        pub.slug = _unique_slug(slugify(values["title"]), exclude_id=pub.id)

    version_of_id = values.get("version_of_id") or None
    if version_of_id is not None:
        if pub.id and version_of_id == pub.id:
            raise PublicationError("A publication cannot be a version of itself.", "version_of")
        if db.session.get(Publication, version_of_id) is None:
            raise PublicationError("That publication does not exist.", "version_of")

    from interacta.events.models import Event  # events' models import ours in turn

    presented_at_event_id = values.get("presented_at_event_id") or None
    if presented_at_event_id is not None and db.session.get(Event, presented_at_event_id) is None:
        raise PublicationError("That event does not exist.", "presented_at")

    authors = []
    member_ids = _author_member_ids(pub, values["authors"])
    for position, (a, member_id) in enumerate(zip(values["authors"], member_ids, strict=True)):
        authors.append(
            PublicationAuthor(
                position=position,
                name=a.name[:200],
                affiliation=(a.affiliation or None),
                member_id=member_id,
            )
        )

    pub.kind = kind
    pub.title = values["title"].strip()
    pub.abstract = values.get("abstract") or ""
    pub.year, pub.month, pub.day = year, month or None, day or None
    for name in ("journal", "publisher", "volume", "issue", "pages", "external_url"):
        value = values.get(name)
        setattr(pub, name, value.strip() if value and value.strip() else None)
    pub.doi = doi
    pub.language = (values.get("language") or "en").strip()
    pub.keywords = ", ".join(
        k.strip() for k in (values.get("keywords") or "").split(",") if k.strip()
    )
    pub.version_of_id = version_of_id
    pub.presented_at_event_id = presented_at_event_id
    topic_ids = list(values.get("topic_ids") or [])
    pub.topics = (
        list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(topic_ids))))
        if topic_ids
        else []
    )
    pub.authors = authors
    if creating:
        db.session.add(pub)
    db.session.flush()
    return pub


def publish(pub: Publication) -> None:
    """Make a publication public."""
    if pub.status != "published":
        pub.status = "published"
        pub.published_at = utcnow()
    db.session.flush()


def withdraw(pub: Publication) -> None:
    """Take a publication back to draft: the public no longer sees it."""
    pub.status = "draft"
    db.session.flush()


# --- PDFs -----------------------------------------------------------------------------


def pdf_dir() -> Path:
    path = Path(current_app.instance_path) / "publications"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pdf_path(pub: Publication) -> Path | None:
    return pdf_dir() / pub.pdf_file if pub.pdf_file else None


def check_pdf(data: bytes) -> None:
    """Raise unless `data` is a PDF of at most PDF_MAX_BYTES (judged by content, not name)."""
    if len(data) > PDF_MAX_BYTES:
        raise PdfTooLarge(PDF_TOO_LARGE, "pdf")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise NotAPdf("This file is not a PDF. Please upload a PDF document.", "pdf")


def read_pdf(stream) -> bytes:
    """The uploaded file's bytes, checked (raises NotAPdf or PdfTooLarge)."""
    data = stream.read(PDF_MAX_BYTES + 1)
    check_pdf(data)
    return data


def attach_pdf(pub: Publication, data: bytes) -> str | None:
    """Store checked PDF bytes under a random name; returns the replaced file's name.

    The caller deletes the old file after the commit (`delete_pdf_file`).
    """
    check_pdf(data)
    name = f"{secrets.token_hex(16)}.pdf"
    (pdf_dir() / name).write_bytes(data)
    old, pub.pdf_file, pub.pdf_size = pub.pdf_file, name, len(data)
    db.session.flush()
    return old


def detach_pdf(pub: Publication) -> str | None:
    old, pub.pdf_file, pub.pdf_size = pub.pdf_file, None, None
    db.session.flush()
    return old


def delete_pdf_file(name: str | None) -> None:
    if name and re.fullmatch(r"[0-9a-f]{32}\.pdf", name):
        (pdf_dir() / name).unlink(missing_ok=True)


def pdf_download_name(pub: Publication) -> str:
    return f"{slugify(pub.title, max_length=60)}.pdf"


# --- reading --------------------------------------------------------------------------


def _date_order():
    return (
        Publication.year.desc(),
        sa.func.coalesce(Publication.month, 0).desc(),
        sa.func.coalesce(Publication.day, 0).desc(),
        Publication.id.desc(),
    )


def _with_lists(query):
    return query.options(selectinload(Publication.authors), selectinload(Publication.topics))


def get_publication(slug: str, include_drafts: bool = False) -> Publication | None:
    """The publication at `slug` with all the detail page shows; drafts only if asked."""
    query = _with_lists(sa.select(Publication).where(Publication.slug == slug)).options(
        joinedload(Publication.version_of),
        selectinload(Publication.versions),
    )
    if not include_drafts:
        query = query.where(Publication.status == "published")
    return db.session.scalar(query)


def linked_versions(
    pub: Publication, include_drafts: bool = False
) -> tuple[Publication | None, list[Publication]]:
    """(the record `pub` is a version of, the records that are versions of `pub`), leaving
    out drafts unless asked; both are loaded by get_publication."""
    version_of = pub.version_of
    if version_of is not None and not (include_drafts or version_of.is_published):
        version_of = None
    versions = [v for v in pub.versions if include_drafts or v.is_published]
    return version_of, versions


def related_publications(pub: Publication, limit: int = 5) -> list[Publication]:
    """Published records sharing the most topics with `pub`, newest first among equals."""
    topic_ids = [t.id for t in pub.topics]
    if not topic_ids:
        return []
    pt = publication_topics
    shared = (
        sa.select(pt.c.publication_id, sa.func.count().label("shared"))
        .where(pt.c.topic_id.in_(topic_ids), pt.c.publication_id != pub.id)
        .group_by(pt.c.publication_id)
        .subquery()
    )
    query = (
        sa.select(Publication)
        .join(shared, shared.c.publication_id == Publication.id)
        .where(Publication.status == "published")
        .order_by(shared.c.shared.desc(), *_date_order())
        .limit(limit)
        .options(selectinload(Publication.authors))
    )
    return list(db.session.scalars(query))


def latest_publications(limit: int = 5) -> list[Publication]:
    query = (
        sa.select(Publication)
        .where(Publication.status == "published")
        .order_by(*_date_order())
        .limit(limit)
    )
    return list(db.session.scalars(_with_lists(query)))


def latest_published_for_feed(limit: int = 50) -> list[Publication]:
    """The most recently published records (by when they went public)."""
    query = (
        sa.select(Publication)
        .where(Publication.status == "published")
        .order_by(
            sa.func.coalesce(Publication.published_at, Publication.updated_at).desc(),
            Publication.id.desc(),
        )
        .limit(limit)
    )
    return list(db.session.scalars(_with_lists(query)))


def manage_listing(page: int):
    query = sa.select(Publication).order_by(Publication.updated_at.desc(), Publication.id.desc())
    return db.paginate(
        query.options(selectinload(Publication.authors)), page=page, per_page=50, error_out=False
    )


def publications_by_member(member_id: int) -> list[Publication]:
    """Published records that list the member as an author, newest first (for profiles)."""
    query = (
        sa.select(Publication)
        .where(
            Publication.status == "published",
            sa.exists().where(
                PublicationAuthor.publication_id == Publication.id,
                PublicationAuthor.member_id == member_id,
            ),
        )
        .order_by(*_date_order())
    )
    return list(db.session.scalars(_with_lists(query)))


def version_choices(exclude_id: int | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Publication.id, Publication.title, Publication.year)
        .where(Publication.id != (exclude_id or 0))
        .order_by(Publication.title)
    )
    return [(row.id, f"{row.title} ({row.year})") for row in rows]


def event_choices() -> list[tuple[int, str]]:
    """Events a publication can have been presented at: every event that is not a draft."""
    from interacta.events.models import Event

    rows = db.session.execute(
        sa.select(Event.id, Event.title, Event.starts_at)
        .where(Event.status != "draft")
        .order_by(Event.starts_at.desc())
    )
    return [(row.id, f"{row.title} ({row.starts_at:%Y-%m-%d})") for row in rows]


def presented_at_event(event_id: int) -> list[Publication]:
    """Published records presented at the event, newest first (for the event page)."""
    query = (
        sa.select(Publication)
        .where(Publication.status == "published", Publication.presented_at_event_id == event_id)
        .order_by(*_date_order())
    )
    return list(db.session.scalars(query))


def all_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.position)))


# --- search ---------------------------------------------------------------------------


@dataclass
class Search:
    """What a visitor asked for on the list page."""

    q: str = ""
    kind: str | None = None
    topic: str | None = None
    year: int | None = None
    author: str | None = None
    sort: str = "date"

    @classmethod
    def from_args(cls, args) -> Search:
        """From a mapping of query-string values; anything invalid is ignored."""
        q = " ".join((args.get("q") or "").split())[:200]
        kind = args.get("kind") if args.get("kind") in KINDS else None
        topic = (args.get("topic") or "").strip()[:80] or None
        try:
            year = int(args.get("year") or "")
        except ValueError:
            year = None
        if year is not None and not 1 <= year <= 9999:
            year = None  # also keeps huge numbers away from the database driver
        author = " ".join((args.get("author") or "").split())[:200] or None
        sort = args.get("sort") if args.get("sort") in SORTS else None
        if sort is None or (sort == "relevance" and not q):
            sort = "relevance" if q else "date"
        return cls(q=q, kind=kind, topic=topic, year=year, author=author, sort=sort)

    @property
    def terms(self) -> list[str]:
        return fulltext.terms(self.q)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.kind or self.topic or self.year or self.author)

    def conditions(self, exclude: str | None = None) -> list:
        """WHERE clauses for the search and every filter but `exclude` (for facets)."""
        where = [Publication.status == "published"]
        if self.terms:
            where.append(fulltext.matches(self.terms))
        elif self.q:
            where.append(sa.false())  # only punctuation: nothing to look for, nothing found
        if self.kind and exclude != "kind":
            where.append(Publication.kind == self.kind)
        if self.year and exclude != "year":
            where.append(Publication.year == self.year)
        if self.topic and exclude != "topic":
            # Aliases, so the subquery never correlates with a facet query's own FROM.
            pt, topic = publication_topics.alias(), aliased(Topic)
            where.append(
                sa.exists().where(
                    pt.c.publication_id == Publication.id,
                    pt.c.topic_id == topic.id,
                    topic.slug == self.topic,
                )
            )
        if self.author and exclude != "author":
            author = aliased(PublicationAuthor)
            where.append(
                sa.exists().where(
                    author.publication_id == Publication.id,
                    author.name == self.author,
                )
            )
        return where

    def select(self):
        """The matching published records in the asked order (without eager loading)."""
        query = sa.select(Publication).where(*self.conditions())
        if self.sort == "title":
            query = query.order_by(sa.func.lower(Publication.title), Publication.id)
        elif self.sort == "relevance" and self.terms:
            query = fulltext.ranked(query, self.terms).order_by(*_date_order())
        else:
            query = query.order_by(*_date_order())
        return query


@dataclass
class Facets:
    kinds: list[tuple[str, str, int]] = field(default_factory=list)
    topics: list[tuple[str, str, int]] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    authors: list[tuple[str, int]] = field(default_factory=list)


def search(params: Search, page: int = 1, per_page: int = PER_PAGE):
    """One page of results (authors and topics loaded), in a fixed number of queries."""
    pagination = db.paginate(
        _with_lists(params.select()), page=page, per_page=per_page, error_out=False, count=False
    )
    # Counted from the conditions alone: counting the ranked query (a join on the
    # full-text hits) makes SQLite run the full-text query once per row.
    pagination.total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Publication).where(*params.conditions())
    )
    return pagination


def search_all(params: Search, limit: int = 1000) -> list[Publication]:
    """Every result (up to `limit`), for exports."""
    return list(db.session.scalars(_with_lists(params.select().limit(limit))))


def facets(params: Search, max_authors: int = 15) -> Facets:
    """Counts per kind, topic, year and author among the records the search finds; each
    facet ignores its own filter so the other choices stay visible. Four queries."""
    count = sa.func.count(Publication.id)
    kinds = dict(
        db.session.execute(
            sa.select(Publication.kind, count)
            .where(*params.conditions("kind"))
            .group_by(Publication.kind)
        ).all()
    )
    years = db.session.execute(
        sa.select(Publication.year, count)
        .where(*params.conditions("year"))
        .group_by(Publication.year)
        .order_by(Publication.year.desc())
    ).all()
    topics = db.session.execute(
        sa.select(Topic.slug, Topic.name, count)
        .join(publication_topics, publication_topics.c.topic_id == Topic.id)
        .join(Publication, Publication.id == publication_topics.c.publication_id)
        .where(*params.conditions("topic"))
        .group_by(Topic.id, Topic.slug, Topic.name, Topic.position)
        .order_by(Topic.position)
    ).all()
    authors = db.session.execute(
        sa.select(PublicationAuthor.name, sa.func.count(sa.distinct(Publication.id)))
        .join(Publication, Publication.id == PublicationAuthor.publication_id)
        .where(*params.conditions("author"))
        .group_by(PublicationAuthor.name)
        .order_by(sa.func.count(sa.distinct(Publication.id)).desc(), PublicationAuthor.name)
        .limit(max_authors)
    ).all()
    return Facets(
        kinds=[(k, label, kinds[k]) for k, label in KINDS.items() if k in kinds],
        topics=[(row[0], row[1], row[2]) for row in topics],
        years=[(row[0], row[1]) for row in years],
        authors=[(row[0], row[1]) for row in authors],
    )


# --- personal data --------------------------------------------------------------------


def export_authorship(member) -> list[dict]:
    rows = db.session.execute(
        sa.select(Publication.title, Publication.slug, Publication.status, PublicationAuthor)
        .join(PublicationAuthor, PublicationAuthor.publication_id == Publication.id)
        .where(PublicationAuthor.member_id == member.id)
        .order_by(Publication.year.desc())
    ).all()
    return [
        {
            "publication": row.title,
            "slug": row.slug,
            "status": row.status,
            "author_name": row.PublicationAuthor.name,
            "affiliation": row.PublicationAuthor.affiliation,
            "position": row.PublicationAuthor.position + 1,
        }
        for row in rows
    ]


def erase_authorship(member) -> None:
    """Unlink the member from authorships; the printed author name of a published work
    stays, as it is part of the public scholarly record."""
    db.session.execute(
        sa.update(PublicationAuthor)
        .where(PublicationAuthor.member_id == member.id)
        .values(member_id=None)
    )
