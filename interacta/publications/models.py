"""Publication records: journal articles, working papers, reports and more."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from interacta.core.models import Base, TimestampMixin, Topic

if TYPE_CHECKING:
    from interacta.events.models import Event

#: kind -> English label: the term machine formats use (exports, OAI-PMH, DataCite)
KINDS = {
    "journal_article": "Journal article",
    "working_paper": "Working paper",
    "report": "Report",
    "book_chapter": "Book chapter",
    "conference_paper": "Conference paper",
    "policy_brief": "Policy brief",
}
#: kind -> label shown to people, in the page's language
KIND_NAMES = {
    "journal_article": _l("Journal article"),
    "working_paper": _l("Working paper"),
    "report": _l("Report"),
    "book_chapter": _l("Book chapter"),
    "conference_paper": _l("Conference paper"),
    "policy_brief": _l("Policy brief"),
}
STATUSES = ("draft", "published")

#: Characters an abstract may have (a long article's abstract is a few thousand; the
#: full-text index also has a limit per record).
MAX_ABSTRACT = 20_000

publication_topics = sa.Table(
    "publication_topics",
    Base.metadata,
    sa.Column(
        "publication_id",
        sa.ForeignKey("publications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves lookups by publication; this one serves topic filters/facets,
    # and a topic's most recently added records in id order (related records, migration 0027).
    sa.Index("ix_publication_topics_topic_publication", "topic_id", "publication_id"),
)


class Publication(TimestampMixin, Base):
    __tablename__ = "publications"
    __table_args__ = (
        sa.Index("ix_publications_status_date", "status", "year", "month", "day"),
        # The kind facet, counted from the index alone.
        sa.Index("ix_publications_status_kind", "status", "kind"),
        # The event page's "presented here" list, in its order, over the few records
        # presented at an event: SQLite (without statistics) then prefers it to
        # ix_publications_status_date, which would read every published record.
        sa.Index(
            "ix_publications_presented",
            "presented_at_event_id",
            "status",
            "year",
            "month",
            "day",
            sqlite_where=sa.text("presented_at_event_id IS NOT NULL"),
            postgresql_where=sa.text("presented_at_event_id IS NOT NULL"),
        ),
        # Cache fingerprints (interacta.core.cache) read max(updated_at) from it.
        sa.Index("ix_publications_updated_at", "updated_at"),
        sa.CheckConstraint("month IS NULL OR (month BETWEEN 1 AND 12)", name="month_range"),
        sa.CheckConstraint("day IS NULL OR (day BETWEEN 1 AND 31)", name="day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(500))
    #: Markdown; rendered through the |markdown filter (sanitised).
    abstract: Mapped[str] = mapped_column(sa.Text, default="")
    year: Mapped[int]
    month: Mapped[int | None]
    day: Mapped[int | None]
    #: Journal for articles, series for working papers and reports, book or proceedings
    #: title for chapters and conference papers.
    journal: Mapped[str | None] = mapped_column(sa.String(300))
    publisher: Mapped[str | None] = mapped_column(sa.String(300))
    volume: Mapped[str | None] = mapped_column(sa.String(40))
    issue: Mapped[str | None] = mapped_column(sa.String(40))
    pages: Mapped[str | None] = mapped_column(sa.String(40))
    #: Bare DOI ("10.1234/abc"), lower-cased; unique when present.
    doi: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    external_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: ISO 639-1 code.
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    #: Comma-separated, as typed.
    keywords: Mapped[str] = mapped_column(sa.Text, default="")
    #: draft | published
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    #: When it was last published (the feed's "published").
    published_at: Mapped[datetime | None]
    #: The record this one is a version of (a working paper that became an article).
    version_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("publications.id", ondelete="SET NULL"), index=True
    )
    #: The event where this work was presented, if any.
    presented_at_event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL")
    )
    #: Random file name of the PDF under <instance>/publications/; None without a PDF.
    pdf_file: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_size: Mapped[int | None]
    #: The authors' names, space-separated, for full-text search (kept up to date by
    #: interacta.publications.search on every flush; never shown).
    search_authors: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: The translations' titles and abstracts, for full-text search (kept up to date by
    #: interacta.publications.search on every flush; never shown).
    search_translations: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    authors: Mapped[list[PublicationAuthor]] = relationship(
        back_populates="publication",
        order_by="PublicationAuthor.position",
        cascade="all, delete-orphan",
    )
    topics: Mapped[list[Topic]] = relationship(
        secondary=publication_topics, order_by=Topic.position
    )
    version_of: Mapped[Publication | None] = relationship(
        remote_side=[id], back_populates="versions"
    )
    versions: Mapped[list[Publication]] = relationship(back_populates="version_of")
    presented_at: Mapped[Event | None] = relationship()
    #: The title and abstract in other languages than the record's own (`language`);
    #: loaded with every publication (one query per batch), so lists stay at a fixed count.
    translations: Mapped[list[PublicationTranslation]] = relationship(
        back_populates="publication",
        order_by="PublicationTranslation.language",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def kind_label(self) -> str:
        """The kind in English, as exports and harvesters read it."""
        return KINDS.get(self.kind, self.kind)

    @property
    def kind_name(self) -> str:
        """The kind as a person reads it, in the page's language."""
        name = KIND_NAMES.get(self.kind)
        return str(name) if name is not None else self.kind

    @property
    def status_name(self) -> str:
        """The status as a person reads it, in the page's language."""
        if self.status == "draft":
            return pgettext("status", "Draft")
        if self.status == "published":
            return pgettext("status", "Published")
        return self.status

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in (self.keywords or "").split(",") if k.strip()]

    @property
    def date_parts(self) -> list[int]:
        parts = [self.year]
        if self.month:
            parts.append(self.month)
            if self.day:
                parts.append(self.day)
        return parts

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    def __repr__(self) -> str:
        return f"<Publication {self.slug}>"


class PublicationAuthor(Base):
    """One author of a publication, in order; optionally a member of the network."""

    __tablename__ = "publication_authors"
    __table_args__ = (
        # A record's authors, and the author facet's names read from the index alone.
        sa.Index("ix_publication_authors_publication_name", "publication_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        sa.ForeignKey("publications.id", ondelete="CASCADE")
    )
    #: 0 for the first author.
    position: Mapped[int] = mapped_column(default=0)
    #: As printed: "Given Family".
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation: Mapped[str | None] = mapped_column(sa.String(300))
    #: ORCID iD, "0000-0002-1825-0097" (checksum checked); a linked member's own wins.
    orcid: Mapped[str | None] = mapped_column(sa.String(19))
    #: ROR id of the affiliation, the 9 characters after https://ror.org/ (checked).
    affiliation_ror: Mapped[str | None] = mapped_column(sa.String(9))
    #: The affiliation's record, when linked (interacta.network).
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )

    publication: Mapped[Publication] = relationship(back_populates="authors")

    @property
    def cache_parent(self) -> Publication | None:
        """A change to an author is a change to the publication (interacta.core.cache)."""
        return self.publication

    @property
    def orcid_url(self) -> str | None:
        return f"https://orcid.org/{self.orcid}" if self.orcid else None

    @property
    def ror_url(self) -> str | None:
        return f"https://ror.org/{self.affiliation_ror}" if self.affiliation_ror else None

    def __repr__(self) -> str:
        return f"<PublicationAuthor {self.name!r}>"


class PublicationTranslation(Base):
    """A publication's title and abstract in one of the site's languages other than its
    own; the bibliographic `language` of the record stays what exports say."""

    __tablename__ = "publication_translations"
    __table_args__ = (sa.UniqueConstraint("publication_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        sa.ForeignKey("publications.id", ondelete="CASCADE")
    )
    #: en | fr | de | sl
    language: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Markdown, rendered through the |markdown filter (sanitised) as the original.
    abstract: Mapped[str] = mapped_column(sa.Text, default="")

    publication: Mapped[Publication] = relationship(back_populates="translations")

    @property
    def cache_parent(self) -> Publication | None:
        """A change to a translation is a change to the publication (interacta.core.cache)."""
        return self.publication


def date_order() -> tuple:
    """ORDER BY for lists by date: newest first (a record without month or day sorts after
    the dated ones of its year), then the newest row."""
    # NULLS LAST rather than coalesce(month, 0): the same order (a month is never 0), and
    # one an index serves (ix_publications_status_date on SQLite, whose NULLs sort lowest;
    # ix_publications_date_order on PostgreSQL, migration 0022), so a page of a long list
    # is read from the index instead of sorting every record.
    return (
        Publication.year.desc(),
        Publication.month.desc().nulls_last(),
        Publication.day.desc().nulls_last(),
        Publication.id.desc(),
    )


def title_order() -> tuple:
    """ORDER BY for lists by title (ix_publications_title_order serves it on PostgreSQL)."""
    return (sa.func.lower(Publication.title), Publication.id)


def with_lists(query):
    """`query` (a select of Publication) with the authors and topics a list shows."""
    return query.options(selectinload(Publication.authors), selectinload(Publication.topics))


class PublicationImport(TimestampMixin, Base):
    """A BibTeX or RIS file an organizer imported from the web; the background job
    (interacta.publications.bibimport.run_import) moves `done` and writes the report."""

    __tablename__ = "publication_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: bibtex | ris
    file_format: Mapped[str] = mapped_column(sa.String(10))
    #: queued | running | done | failed
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    #: published | draft: the status of the records made
    record_status: Mapped[str] = mapped_column(sa.String(10), default="published")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    #: The uploaded text until the job has read it (emptied at the end).
    source: Mapped[str] = mapped_column(sa.Text, default="")
    #: {"imported": [[key, slug]], "duplicates": [[key, why, slug]], "broken": [[key, why, line]]}
    report: Mapped[dict | None] = mapped_column(sa.JSON)
    finished_at: Mapped[datetime | None]

    @property
    def is_finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
