"""The rules of publications: saving (from a typed `PublicationInput`), publishing, and
the queries the pages and the other blueprints read them with.

Next to this module: `search.py` (full-text search, the list's filters and facets),
`files.py` (PDFs), `exports.py` (citations and export formats), `names.py` (personal
names), `personal_data.py` (a member's authorships, for export and erasure) and
`bibimport.py` (BibTeX import). Services take plain values, flush, and raise
`PublicationError`s (core `DomainError`s) that views attach to the form; they never read
the request.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from interacta.core import content
from interacta.core.cache import cached_recent, fingerprint
from interacta.core.deferred import Deferred, deferred
from interacta.core.errors import DomainError
from interacta.core.models import Topic, utcnow
from interacta.core.text import free_slug, normalize_email, slugify
from interacta.events.models import Event
from interacta.extensions import db
from interacta.members import services as member_services
from interacta.members.models import Member
from interacta.publications import files
from interacta.publications.items import list_items
from interacta.publications.models import (
    KINDS,
    MAX_ABSTRACT,
    Publication,
    PublicationAuthor,
    PublicationTranslation,
    date_order,
    publication_topics,
    with_lists,
)

logger = logging.getLogger(__name__)

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


class PublicationError(DomainError):
    """A rule of publications was broken; the message is meant for the person who tried."""


def _slugify(text: str, max_length: int = 80) -> str:
    return slugify(text, max_length=max_length, fallback="publication")


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
            _("This is not a DOI. A DOI looks like 10.1234/abcd (a doi.org link works too)."),
            "doi",
        )
    return doi.lower()


def _unique_slug(base: str, exclude_id: int | None = None) -> str:
    taken = set(
        db.session.scalars(
            sa.select(Publication.slug).where(
                sa.or_(Publication.slug == base, Publication.slug.startswith(f"{base}-")),
                Publication.id != (exclude_id or 0),
            )
        )
    )
    return free_slug(base, taken)


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
    #: ORCID iD, 0000-0002-1825-0097 form (an author linked to a member with one takes
    #: the member's).
    orcid: str | None = None
    #: ROR id of the affiliation, the 9 characters after https://ror.org/.
    ror: str | None = None


#: How the form shows an author's link to a member listed in the directory.
LINKED_MARK = "member:"
UNLINK_MARK = "-"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


#: Crockford's base32, the alphabet of ROR ids.
_ROR_DIGITS = "0123456789abcdefghjkmnpqrstvwxyz"
ROR_RE = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")
#: What an ORCID iD (or a mistyped one) looks like in an author line.
_ORCID_SHAPE = re.compile(
    r"^(https?://)?(www\.)?(orcid\.org/)?[0-9]{4}[-\s]?[0-9]{4}[-\s]?[0-9]{4}[-\s]?[0-9]{3}[0-9xX]$"
)
#: What a ROR id looks like in an author line.
_ROR_SHAPE = re.compile(r"^((https?://)?(www\.)?ror\.org/\S*|0[0-9a-z]{6}[0-9]{2})$", re.IGNORECASE)


def ror_checksum_ok(ror_id: str) -> bool:
    """ISO 7064 mod 97-10 over the base32 value of the six characters after the 0."""
    value = 0
    for char in ror_id[1:7]:
        value = value * 32 + _ROR_DIGITS.index(char)
    return ror_id[7:] == f"{98 - (value * 100) % 97:02d}"


def normalize_ror(value: str | None) -> str | None:
    """The 9-character ROR id ("05njb9z20") from it or its https://ror.org/ address;
    None if empty. Raises PublicationError when the format or the checksum is wrong."""
    text = (value or "").strip().lower()
    if not text:
        return None
    text = re.sub(r"^(https?://)?(www\.)?ror\.org/", "", text).strip("/")
    if not ROR_RE.match(text):
        raise PublicationError(
            _("A ROR id looks like https://ror.org/05njb9z20 (or 05njb9z20)."), "authors"
        )
    if not ror_checksum_ok(text):
        raise PublicationError(
            _("This ROR id has a typo: its check digits do not match."), "authors"
        )
    return text


def normalize_orcid(value: str | None) -> str | None:
    """The 0000-0002-1825-0097 form of an ORCID iD (ISO 7064 mod 11-2 checked): the
    members' rule, with its messages, as a PublicationError."""
    try:
        return member_services.normalize_orcid(value)
    except ValueError as exc:
        raise PublicationError(str(exc), "authors") from None


def _line_error(line: str, exc: PublicationError) -> PublicationError:
    return PublicationError(
        _("“%(line)s”: %(problem)s", line=line.strip(), problem=exc.message), "authors"
    )


def parse_authors(text: str) -> list[AuthorInput]:
    """Authors from lines "Name | Affiliation | member e-mail | ORCID iD | ROR id" (all
    but the name optional). ORCID iDs and ROR ids are recognised by their form wherever
    they stand after the name; the affiliation is the second part, the member e-mail the
    next free one; it may also be "-" (remove the link) or the form's "member: Name"."""
    authors = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            raise PublicationError(
                _(
                    "“%(line)s”: write Name | Affiliation | member e-mail | ORCID iD | ROR id,"
                    " one author a line.",
                    line=line.strip(),
                ),
                "authors",
            )
        author = AuthorInput(parts[0])
        free = []
        for position, part in enumerate(parts[1:], start=1):
            try:
                if part and _ORCID_SHAPE.match(part) or "orcid.org" in part.lower():
                    if author.orcid:
                        raise PublicationError(_("only one ORCID iD per author."), "authors")
                    author.orcid = normalize_orcid(part)
                elif part and _ROR_SHAPE.match(part):
                    if author.ror:
                        raise PublicationError(_("only one ROR id per author."), "authors")
                    author.ror = normalize_ror(part)
                else:
                    free.append((position, part))
            except PublicationError as exc:
                raise _line_error(line, exc) from None
        if free and free[0][0] == 1:
            author.affiliation = free.pop(0)[1] or None
        free = [part for _position, part in free if part]
        if len(free) > 1:
            raise PublicationError(
                _(
                    "“%(line)s”: write Name | Affiliation | member e-mail | ORCID iD | ROR id,"
                    " one author a line.",
                    line=line.strip(),
                ),
                "authors",
            )
        ref = free[0] if free else ""
        if ref == UNLINK_MARK:
            author.unlink = True
        elif ref and not ref.startswith(LINKED_MARK):
            if not EMAIL_RE.match(ref):
                raise PublicationError(
                    _(
                        "“%(line)s”: the third part is a member's e-mail address "
                        "(or “%(mark)s” to remove a link).",
                        line=line.strip(),
                        mark=UNLINK_MARK,
                    ),
                    "authors",
                )
            author.email = normalize_email(ref)
        if author.ror and not author.affiliation:
            raise PublicationError(
                _(
                    "“%(line)s”: a ROR id names an affiliation: write the affiliation too.",
                    line=line.strip(),
                ),
                "authors",
            )
        authors.append(author)
    if not authors:
        raise PublicationError(_("Give at least one author."), "authors")
    return authors


def format_authors(authors: list[PublicationAuthor], listed: dict[int, str]) -> str:
    """The authors as the form's text (the reverse of parse_authors). A link shows as the
    member's name when the member is in the directory (`listed`: id -> name), else not
    at all: never an address, and nothing the directory does not already show."""
    lines = []
    for a in authors:
        link = f"{LINKED_MARK} {listed[a.member_id]}" if a.member_id in listed else ""
        # The link and the identifiers are recognised by their form: empty ones are left out.
        extra = [link, a.orcid or "", a.ror_url or ""]
        parts = [a.name, a.affiliation or "", *(part for part in extra if part)]
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
    emails = {normalize_email(a.email) for a in authors if a.email}
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
            ids.append(by_email.get(normalize_email(a.email)))
        elif a.unlink or not kept.get(a.name[:200]):
            ids.append(None)
        else:
            ids.append(kept[a.name[:200]].pop(0))
    return ids


def _member_orcids(member_ids: list[int]) -> dict[int, str]:
    """member id -> ORCID iD, for the linked members who gave one."""
    if not member_ids:
        return {}
    rows = db.session.execute(
        sa.select(Member.id, Member.orcid).where(
            Member.id.in_(member_ids), Member.orcid.is_not(None)
        )
    )
    return {row.id: row.orcid for row in rows if row.orcid}


@dataclass
class PublicationInput:
    """Everything an organizer (the form), an import or a test gives to save a record."""

    kind: str
    title: str
    year: int
    authors: list[AuthorInput]
    abstract: str = ""
    month: int | None = None
    day: int | None = None
    journal: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    external_url: str | None = None
    language: str = "en"
    topic_ids: list[int] = field(default_factory=list)
    keywords: str = ""
    #: The address wanted; empty: made from the title (and kept once there is one).
    slug: str = ""
    version_of_id: int | None = None
    presented_at_event_id: int | None = None
    #: Title and abstract in other languages: language -> {"title", "abstract"}; empty
    #: versions are dropped; None leaves the record's translations as they are.
    translations: dict[str, dict[str, str]] | None = None


#: The fields a publication carries in other languages (`Publication.translations`).
TRANSLATED_FIELDS = ("title", "abstract")


def translation_field(language: str) -> str:
    """The form section (and error field) of the version in `language`."""
    return f"translation_{language}"


def _check_translations(data: PublicationInput) -> dict[str, dict[str, str]] | None:
    """The versions to keep; PublicationError for one in the record's own language (its
    bibliographic `language`, when that is one of the site's languages) or too long."""
    if data.translations is None:
        return None
    cleaned = content.clean_translations(data.translations, TRANSLATED_FIELDS)
    original = content.content_language(data.language)
    if original in cleaned:
        raise PublicationError(
            _(
                "This is the publication's language: write this version in the fields"
                " above, or change the language."
            ),
            translation_field(original),
        )
    for lang, values in cleaned.items():
        if len(values["abstract"]) > MAX_ABSTRACT:
            raise PublicationError(
                _(
                    "An abstract is at most %(max)s characters: shorten it.",
                    max=format_number(MAX_ABSTRACT),
                ),
                translation_field(lang),
            )
        if len(values["title"]) > 500:
            raise PublicationError(
                _("A title is at most 500 characters: shorten it."), translation_field(lang)
            )
    return cleaned


def _check(pub: Publication, data: PublicationInput) -> str | None:
    """Raise PublicationError for the first rule `data` breaks; the normalised DOI."""
    if len(data.abstract or "") > MAX_ABSTRACT:
        raise PublicationError(
            _(
                "An abstract is at most %(count)s characters: shorten it.",
                count=format_number(MAX_ABSTRACT),
            ),
            "abstract",
        )
    if data.kind not in KINDS:
        raise PublicationError(_("Choose a kind of publication."), "kind")
    doi = normalize_doi(data.doi)
    if doi:
        clash = db.session.scalar(
            sa.select(Publication.slug).where(
                Publication.doi == doi, Publication.id != (pub.id or 0)
            )
        )
        if clash:
            raise PublicationError(
                _("Another publication (%(slug)s) already has this DOI.", slug=clash), "doi"
            )
    if data.day and not data.month:
        raise PublicationError(_("A day needs a month."), "day")
    wanted_slug = (data.slug or "").strip()
    if wanted_slug:
        if wanted_slug != _slugify(wanted_slug, max_length=200):
            raise PublicationError(_("Use lower-case letters, digits and hyphens only."), "slug")
        clash = db.session.scalar(
            sa.select(Publication.id).where(
                Publication.slug == wanted_slug, Publication.id != (pub.id or 0)
            )
        )
        if clash:
            raise PublicationError(_("Another publication already uses this address."), "slug")
    if data.version_of_id is not None:
        if pub.id and data.version_of_id == pub.id:
            raise PublicationError(_("A publication cannot be a version of itself."), "version_of")
        if db.session.get(Publication, data.version_of_id) is None:
            raise PublicationError(_("That publication does not exist."), "version_of")
    if (
        data.presented_at_event_id is not None
        and db.session.get(Event, data.presented_at_event_id) is None
    ):
        raise PublicationError(_("That event does not exist."), "presented_at")
    return doi


def _stripped(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def save_publication(pub: Publication | None, data: PublicationInput) -> Publication:
    """Create (pub=None) or update a publication; flushes. Nothing changes on an error."""
    creating = pub is None
    if creating:
        pub = Publication(status="draft")
    doi = _check(pub, data)
    translations = _check_translations(data)
    member_ids = _author_member_ids(pub, data.authors)

    wanted_slug = (data.slug or "").strip()
    if wanted_slug:
        pub.slug = wanted_slug
    elif creating or not pub.slug:
        pub.slug = _unique_slug(_slugify(data.title), exclude_id=pub.id)
    pub.kind = data.kind
    pub.title = data.title.strip()
    pub.abstract = data.abstract or ""
    pub.year, pub.month, pub.day = data.year, data.month or None, data.day or None
    pub.journal = _stripped(data.journal)
    pub.publisher = _stripped(data.publisher)
    pub.volume = _stripped(data.volume)
    pub.issue = _stripped(data.issue)
    pub.pages = _stripped(data.pages)
    pub.external_url = _stripped(data.external_url)
    pub.doi = doi
    pub.language = (data.language or "en").strip()
    pub.keywords = ", ".join(k.strip() for k in (data.keywords or "").split(",") if k.strip())
    pub.version_of_id = data.version_of_id or None
    pub.presented_at_event_id = data.presented_at_event_id or None
    topic_ids = list(data.topic_ids or [])
    pub.topics = (
        list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(topic_ids))))
        if topic_ids
        else []
    )
    member_orcids = _member_orcids([m for m in member_ids if m])
    pub.authors = [
        PublicationAuthor(
            position=position,
            name=a.name[:200],
            affiliation=(a.affiliation or None),
            member_id=member_id,
            # An author linked to a member takes the member's ORCID iD.
            orcid=member_orcids.get(member_id) or a.orcid or None,
            affiliation_ror=(a.ror if a.affiliation else None) or None,
        )
        for position, (a, member_id) in enumerate(zip(data.authors, member_ids, strict=True))
    ]
    if translations is not None:
        # The abstracts are Markdown, stored as typed and sanitised when shown (|markdown),
        # as the original's.
        content.replace_translations(pub, translations, PublicationTranslation)
    if creating:
        db.session.add(pub)
    db.session.flush()
    return pub


def save_with_pdf(
    pub: Publication | None,
    data: PublicationInput,
    pdf: bytes | None = None,
    remove_pdf: bool = False,
) -> tuple[Publication, list[str]]:
    """Save, then attach the new PDF (or remove the current one if asked and none came).

    Returns the publication and the names of replaced files, which the caller deletes
    after the commit (`files.delete_pdf_file`)."""
    if pdf is not None:
        files.check_pdf(pdf)
    pub = save_publication(pub, data)
    old_files = []
    if pdf is not None:
        old_files.append(files.attach_pdf(pub, pdf))
    elif remove_pdf:
        old_files.append(files.detach_pdf(pub))
    return pub, [name for name in old_files if name]


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


def can_manage(member) -> bool:
    """Organizers and admins manage publications, and see drafts."""
    return bool(member is not None and member.is_authenticated and member.is_organizer)


# --- reading --------------------------------------------------------------------------


def get_publication(slug: str, include_drafts: bool = False) -> Publication | None:
    """The publication at `slug` with all the detail page shows; drafts only if asked."""
    return db.session.scalar(_publication_statement(include_drafts), {"slug": slug})


def get_publication_page(slug: str, include_drafts: bool = False) -> Publication | None:
    """get_publication for the record's page: whether it has versions and translations is
    read in the same statement; without any (most records) their statements are not run,
    with some they load when the page reads them (one statement each, as before)."""
    row = db.session.execute(_publication_statement(include_drafts, True), {"slug": slug}).first()
    if row is None:
        return None
    pub, has_versions, translated = row
    if not has_versions:
        set_committed_value(pub, "versions", [])
    if not translated:
        set_committed_value(pub, "translations", [])
    return pub


@functools.cache
def _publication_statement(include_drafts: bool, page: bool = False) -> sa.Select:
    """get_publication's statement, built once with its cache key (making both again took
    a fifth of the load's time, on every page built): the slug is bound when it runs.
    `page`: with whether it has versions and translations as second and third columns
    (both then load when read)."""
    if page:
        version = aliased(Publication)
        query = with_lists(
            sa.select(
                Publication,
                sa.exists().where(version.version_of_id == Publication.id),
                sa.exists().where(PublicationTranslation.publication_id == Publication.id),
            ).where(Publication.slug == sa.bindparam("slug"))
        ).options(
            joinedload(Publication.version_of),
            lazyload(Publication.versions),
            lazyload(Publication.translations),
        )
    else:
        query = with_lists(
            sa.select(Publication).where(Publication.slug == sa.bindparam("slug"))
        ).options(
            joinedload(Publication.version_of),
            selectinload(Publication.versions),
        )
    if not include_drafts:
        query = query.where(Publication.status == "published")
    return query


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


#: How many records of each of a record's topics are candidates for its related records:
#: the most recently added ones. Bounds the related list's cost however many records share
#: a topic (the whole table at scale, a third of it per topic in the bench data).
RELATED_PER_TOPIC = 200


def related_publications(pub: Publication, limit: int = 5) -> list[Deferred]:
    """Published records sharing the most topics with `pub`, newest first among equals.

    The candidates are the RELATED_PER_TOPIC most recently added records of each of its
    topics (read from ix_publication_topics_topic_publication in id order), `pub` itself
    left out; among them the shared topics are counted exactly. An older record outside
    every one of those windows is not suggested, even when it shares more topics.

    The ranking depends on the topics alone: it is made once for a set of topics (one
    record more than shown, for the one left out) and kept until a record changes
    (`cached_recent`, a few hundred bytes), so every record with the same topics, and the
    same page built again for another URL or language, reads it back."""
    topic_ids = sorted({t.id for t in pub.topics})
    if not topic_ids:
        return []

    def build() -> bytes:
        params = {f"topic_{n}": topic_id for n, topic_id in enumerate(topic_ids)}
        params["topics"] = topic_ids
        statement = _related_statement(len(topic_ids), RELATED_PER_TOPIC, limit + 1)
        rows = db.session.execute(statement, params)
        return json.dumps([[row.id, row.updated_at.isoformat()] for row in rows]).encode()

    parts = (tuple(topic_ids), limit)
    found = json.loads(
        cached_recent("related-publications", parts, fingerprint(Publication), build)
    )
    rows = [{"id": id_, "updated_at": datetime.fromisoformat(at)} for id_, at in found]
    return deferred([row for row in rows if row["id"] != pub.id][:limit], list_items)


@functools.cache
def _related_statement(n_topics: int, per_topic: int, limit: int) -> sa.Select:
    """The records related to `n_topics` topics, ranked in one statement that returns
    their ids and `updated_at` (each one's kept piece is named by them; the records are
    loaded only for a piece not kept): built once per number of topics, its values bound
    when run (topic_0..., topics). The two limits are written into the
    SQL, so a plan made for any values (a prepared statement's generic plan on PostgreSQL)
    still knows each window holds `per_topic` rows: unknown, PostgreSQL guessed thousands
    and read every published record through the date index (110 ms at 100,000 records).

    Each topic's window in a subquery of its own (SQLite allows no LIMIT in a UNION's
    parts), read backwards from the index alone; each candidate is looked up by its primary
    key and its shared topics counted from the topic index (a correlated count), so the
    work is bounded by the windows' size whatever the table's."""
    pt = publication_topics
    windows = [
        sa.select(pt.c.publication_id)
        .where(pt.c.topic_id == sa.bindparam(f"topic_{n}"))
        .order_by(pt.c.publication_id.desc())
        .limit(sa.bindparam("per_topic", per_topic, type_=sa.Integer, literal_execute=True))
        .subquery()
        for n in range(n_topics)
    ]
    candidates = sa.union(*(sa.select(window.c.publication_id) for window in windows)).subquery()
    shared = (
        sa.select(sa.func.count())
        .where(
            pt.c.publication_id == Publication.id,
            pt.c.topic_id.in_(sa.bindparam("topics", expanding=True)),
        )
        .scalar_subquery()
    )
    # Most shared topics first, then date_order(): newest year, month, day (none last), id;
    # ranked on the ids alone, then the few chosen records read whole.
    shared = shared.label("shared")
    ranked = (
        sa.select(Publication.id, shared)
        .join(candidates, candidates.c.publication_id == Publication.id)
        .where(Publication.status == "published")
        .order_by(*_related_order(shared))
        .limit(sa.bindparam("limit", limit, type_=sa.Integer, literal_execute=True))
        .subquery()
    )
    return (
        sa.select(Publication.id, Publication.updated_at)
        .join(ranked, ranked.c.id == Publication.id)
        .order_by(*_related_order(ranked.c.shared))
    )


def _related_order(shared) -> tuple:
    return (
        shared.desc(),
        Publication.year.desc(),
        sa.func.coalesce(Publication.month, 0).desc(),
        sa.func.coalesce(Publication.day, 0).desc(),
        Publication.id.desc(),
    )


def latest_publications(limit: int = 5) -> list[Deferred]:
    """The newest records for the home page, as stand-ins: rows of their id and
    `updated_at`, which name each one's kept piece; the records (`items.list_items`) are
    loaded only if a piece was not kept (`interacta.core.deferred`)."""
    query = (
        sa.select(Publication.id, Publication.updated_at)
        .where(Publication.status == "published")
        .order_by(*date_order())
        .limit(limit)
    )
    rows = db.session.execute(query)
    return deferred([row._mapping for row in rows], list_items)


def latest_published_for_feed(limit: int = 50) -> list[Deferred]:
    """The most recently published records (by when they went public), as stand-ins: rows
    of what names each one's entry kept as text (its id, `updated_at` and the names of its
    topics, `topic_names`); the records, with their authors and topics, are loaded all at
    once only if an entry was not kept (`interacta.core.deferred`)."""
    query = (
        sa.select(Publication.id, Publication.updated_at)
        .where(Publication.status == "published")
        .order_by(
            sa.func.coalesce(Publication.published_at, Publication.updated_at).desc(),
            Publication.id.desc(),
        )
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    names: dict[int, list[str]] = {}
    if rows:
        link = publication_topics.c
        for pub_id, name in db.session.execute(
            sa.select(link.publication_id, Topic.name)
            .join(Topic, Topic.id == link.topic_id)
            .where(link.publication_id.in_([row.id for row in rows]))
            .order_by(Topic.position, Topic.id)
        ):
            names.setdefault(pub_id, []).append(name)
    return deferred(
        [{**row._mapping, "topic_names": "|".join(names.get(row.id, ()))} for row in rows],
        _with_lists_by_id,
    )


def _with_lists_by_id(ids: list[int]) -> list[Publication]:
    return list(
        db.session.scalars(with_lists(sa.select(Publication).where(Publication.id.in_(ids))))
    )


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
        .order_by(*date_order())
    )
    return list(db.session.scalars(with_lists(query)))


def version_choices(exclude_id: int | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Publication.id, Publication.title, Publication.year)
        .where(Publication.id != (exclude_id or 0))
        .order_by(Publication.title)
    )
    return [(row.id, f"{row.title} ({row.year})") for row in rows]


def event_choices() -> list[tuple[int, str]]:
    """Events a publication can have been presented at: every event that is not a draft."""
    rows = db.session.execute(
        sa.select(Event.id, Event.title, Event.starts_at)
        .where(Event.status != "draft")
        .order_by(Event.starts_at.desc())
    )
    return [(row.id, f"{row.title} ({row.starts_at:%Y-%m-%d})") for row in rows]


def may_have_presented(event_id_column):
    """The event page's condition for its section of records presented there."""
    return sa.exists().where(Publication.presented_at_event_id == event_id_column)


def none_presented(_event) -> dict:
    return {"publications": []}


def presented_at_event(event_id: int) -> list[Publication]:
    """Published records presented at the event, newest first (for the event page)."""
    return list(db.session.scalars(_presented_statement(), {"event_id": event_id}))


@functools.cache
def _presented_statement() -> sa.Select:
    """Built once with its cache key (every event page asks): the event is bound when run."""
    return (
        sa.select(Publication)
        .where(
            Publication.status == "published",
            Publication.presented_at_event_id == sa.bindparam("event_id"),
        )
        .order_by(*date_order())
    )
