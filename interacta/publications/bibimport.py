"""Importing BibTeX: each entry becomes a publication; duplicates and broken entries are
skipped and reported, never stopping the rest."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
import sqlalchemy as sa
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock

from interacta.core.models import Topic
from interacta.extensions import db
from interacta.publications import services
from interacta.publications.models import Publication
from interacta.publications.names import split_name
from interacta.publications.services import AuthorInput, PublicationError, PublicationInput

logger = logging.getLogger(__name__)

KIND_BY_TYPE = {
    "article": "journal_article",
    "incollection": "book_chapter",
    "inbook": "book_chapter",
    "inproceedings": "conference_paper",
    "conference": "conference_paper",
    "techreport": "report",
    "report": "report",
    "misc": "report",
    "unpublished": "working_paper",
}
MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    #: (entry key, why)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    #: (entry key or line, why)
    broken: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ParsedFile:
    entries: list
    broken: list[tuple[str, str]]
    duplicate_keys: list[tuple[str, str]]


def parse_bibtex(text: str) -> ParsedFile:
    """Entries of a BibTeX text, and the blocks that could not be parsed."""
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    broken, duplicate_keys = [], []
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            duplicate_keys.append((block.key, "the same key appears earlier in the file"))
        else:
            first_line = (block.raw or "").strip().splitlines()[0][:60] if block.raw else "?"
            where = f"line {block.start_line + 1}" if block.start_line is not None else "?"
            broken.append((f"{first_line} ({where})", "not valid BibTeX"))
    return ParsedFile(library.entries, broken, duplicate_keys)


def _clean(value) -> str:
    return " ".join(str(value).replace("{", "").replace("}", "").split())


def _kind(entry, fields: dict) -> str:
    kind = KIND_BY_TYPE.get(entry.entry_type.lower(), "report")
    label = fields.get("type", "").lower()
    if kind == "report" and "working" in label:
        return "working_paper"
    if kind == "report" and "brief" in label:
        return "policy_brief"
    return kind


def _month(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return MONTHS.get(value[:3])


def entry_values(entry, topics_by_key: dict[str, int]) -> PublicationInput:
    """What to save of one entry; raises PublicationError if it is unusable."""
    fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
    title = _clean(fields.get("title", ""))
    if not title:
        raise PublicationError("no title")
    year_text = _clean(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year_text):
        raise PublicationError(f"no usable year ({year_text or 'missing'})")
    authors = []
    raw_authors = fields.get("author") or fields.get("editor") or ""
    for name in re.split(r"\s+and\s+", raw_authors.strip()):
        name = _clean(name)
        if name:
            given, family = split_name(name)
            authors.append(AuthorInput(f"{given} {family}".strip()))
    if not authors:
        raise PublicationError("no author")
    day_text = _clean(fields.get("day", ""))
    month = _month(_clean(fields.get("month", "")))
    container = (
        fields.get("journal")
        or fields.get("booktitle")
        or fields.get("series")
        or fields.get("howpublished")
    )
    keywords = re.split(r"[;,]", fields.get("keywords", ""))
    topic_ids = []
    for ref in re.split(r"[;,]", fields.get("topics", "")):
        ref = ref.strip().lower()
        if ref in topics_by_key:
            topic_ids.append(topics_by_key[ref])
    pages = _clean(fields.get("pages", "")).replace("–", "-").replace("--", "-")
    return PublicationInput(
        kind=_kind(entry, {k: _clean(v) for k, v in fields.items()}),
        title=title[:500],
        authors=authors,
        abstract=(fields.get("abstract") or "").strip(),
        year=int(year_text),
        month=month,
        day=int(day_text) if month and day_text.isdigit() and 1 <= int(day_text) <= 31 else None,
        journal=_clean(container)[:300] if container else None,
        publisher=_clean(
            fields.get("publisher") or fields.get("institution") or fields.get("school") or ""
        )[:300]
        or None,
        volume=_clean(fields.get("volume", ""))[:40] or None,
        issue=_clean(fields.get("number", "") or fields.get("issue", ""))[:40] or None,
        pages=pages[:40] or None,
        doi=_clean(fields.get("doi", "")) or None,
        external_url=_clean(fields.get("url", ""))[:500] or None,
        language=(_clean(fields.get("language", "")) or "en")[:10],
        keywords=", ".join(k.strip() for k in keywords if k.strip()),
        topic_ids=topic_ids,
    )


def _title_key(title: str, year: int) -> tuple[str, int]:
    return (re.sub(r"[^a-z0-9]+", " ", title.lower()).strip(), year)


class Importer:
    """Imports entries one at a time (so a progress bar can follow), each in a savepoint."""

    def __init__(self, parsed: ParsedFile, status: str = "published"):
        self.parsed = parsed
        self.status = status
        self.report = ImportReport(
            duplicates=list(parsed.duplicate_keys), broken=list(parsed.broken)
        )
        rows = db.session.execute(
            sa.select(Publication.doi, Publication.title, Publication.year)
        ).all()
        self.dois = {row.doi for row in rows if row.doi}
        self.titles = {_title_key(row.title, row.year) for row in rows}
        self.topics = {}
        for topic in db.session.scalars(sa.select(Topic)):
            self.topics[topic.slug.lower()] = topic.id
            self.topics[topic.name.lower()] = topic.id
        #: entry key -> (publication id, key of the record it is a version of)
        self.version_links: dict[str, tuple[int, str]] = {}
        self.ids_by_key: dict[str, int] = {}

    def add(self, entry) -> None:
        key = entry.key
        try:
            values = entry_values(entry, self.topics)
            doi = services.normalize_doi(values.doi)
        except PublicationError as exc:
            self.report.broken.append((key, str(exc)))
            return
        if doi and doi in self.dois:
            self.report.duplicates.append((key, f"DOI {doi} is already there"))
            return
        title_key = _title_key(values.title, values.year)
        if not doi and title_key in self.titles:
            self.report.duplicates.append(
                (key, f"“{values.title}” ({values.year}) is already there")
            )
            return
        try:
            with db.session.begin_nested():
                pub = services.save_publication(None, values)
                if self.status == "published":
                    services.publish(pub)
        except (PublicationError, sa.exc.IntegrityError) as exc:
            self.report.broken.append((key, str(exc).splitlines()[0]))
            return
        if doi:
            self.dois.add(doi)
        self.titles.add(title_key)
        self.ids_by_key[key] = pub.id
        fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
        if fields.get("versionof"):
            self.version_links[key] = (pub.id, _clean(fields["versionof"]))
        self.report.imported.append(key)

    def finish(self) -> ImportReport:
        """Resolve "version of" links between entries of the file (field `versionof`)."""
        for pub_id, target_key in self.version_links.values():
            target = self.ids_by_key.get(target_key)
            if target:
                db.session.get(Publication, pub_id).version_of_id = target
        db.session.flush()
        return self.report


def import_bibtex(text: str, status: str = "published") -> ImportReport:
    """Import every entry of a BibTeX text (without a progress bar)."""
    importer = Importer(parse_bibtex(text), status=status)
    for entry in importer.parsed.entries:
        importer.add(entry)
    return importer.finish()
