"""Importing BibTeX and RIS: each entry becomes a publication; duplicates and broken
entries are skipped and reported, never stopping the rest.

The CLI (`flask publications import FILE`) and the web import (a background job,
`run_import`, following a `PublicationImport` row) share the `Importer`: entries one at a
time, each saved in its own savepoint, so an entry that fails leaves nothing behind and
the caller can commit (and show progress) between entries. RIS is read by `parse_ris`
(a small reader of the tagged format) into entries that look like bibtexparser's.

A report item carries a `code` (what happened, for the web page to say in the reader's
language), its `detail`, the entry's first `line`, and the `slug` of the record made or,
for a duplicate, of the record already there."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
import sqlalchemy as sa
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock
from sqlalchemy.orm import defer

from interacta.core.models import Topic, utcnow
from interacta.extensions import db
from interacta.publications import services
from interacta.publications.models import Publication, PublicationImport
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


#: code -> the reason in English (the CLI's words; the web page translates the codes)
REASONS = {
    "syntax": "not valid {detail}",
    "repeated_key": "the same key appears earlier in the file",
    "no_title": "no title",
    "no_year": "no usable year ({detail})",
    "no_author": "no author",
    "bad_doi": "not a DOI ({detail})",
    "not_saved": "{detail}",
    "doi": "DOI {detail} is already there",
    "title": "“{detail}” is already there",
}


@dataclass
class ReportItem:
    key: str
    code: str = ""
    detail: str = ""
    #: the entry's first line in the file (1-based), when known
    line: int | None = None
    #: the record made, or (a duplicate) the record already there
    slug: str | None = None

    @property
    def why(self) -> str:
        return REASONS.get(self.code, "{detail}").format(detail=self.detail or "missing")

    def __iter__(self):  # (key, why), as the report's lists were tuples before
        return iter((self.key, self.why))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "code": self.code,
            "detail": self.detail,
            "line": self.line,
            "slug": self.slug,
        }


@dataclass
class ImportReport:
    imported: list[ReportItem] = field(default_factory=list)
    duplicates: list[ReportItem] = field(default_factory=list)
    broken: list[ReportItem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "imported": [i.as_dict() for i in self.imported],
            "duplicates": [i.as_dict() for i in self.duplicates],
            "broken": [i.as_dict() for i in self.broken],
        }


@dataclass
class ParsedFile:
    entries: list
    broken: list[ReportItem]
    duplicate_keys: list[ReportItem]


class BrokenEntry(Exception):
    """An entry that cannot become a record: `code` and `detail` as in REASONS."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(REASONS[code].format(detail=detail or "missing"))
        self.code, self.detail = code, detail


def _line(start_line: int | None) -> int | None:
    return start_line + 1 if start_line is not None else None


#: What pylatexenc's decoder can change in a value: macros, groups, comments, alignment
#: and math signs, ties, and the ligatures -- ``  '' !` ?` (tests/publications/test_import.py
#: holds the two decodings equal).
LATEX_MARKUP = re.compile(r"[\\{}%&~$`]|--|''")


class LatexDecoding(LatexDecodingMiddleware):
    """bibtexparser's LaTeX decoding, which leaves a value without LaTeX markup as it is
    without running the decoder (about 0.7 ms a value: most of the time of parsing a file
    of plain entries)."""

    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        if not LATEX_MARKUP.search(python_string):
            return python_string, ""
        return super()._transform_python_value_string(python_string)


def parse_bibtex(text: str) -> ParsedFile:
    """Entries of a BibTeX text, and the blocks that could not be parsed."""
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecoding()])
    broken, duplicate_keys = [], []
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            duplicate_keys.append(
                ReportItem(block.key, "repeated_key", line=_line(block.start_line))
            )
        else:
            first_line = (block.raw or "").strip().splitlines()[0][:60] if block.raw else "?"
            broken.append(ReportItem(first_line, "syntax", "BibTeX", _line(block.start_line)))
    return ParsedFile(library.entries, broken, duplicate_keys)


# --- RIS ------------------------------------------------------------------------------

RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
#: RIS type -> the BibTeX entry type it is read as
RIS_TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "MGZN": "article",
    "NEWS": "article",
    "EJOUR": "article",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "CPAPER": "inproceedings",
    "CONF": "inproceedings",
    "RPRT": "techreport",
    "UNPB": "unpublished",
    "MANSCPT": "unpublished",
    "GEN": "misc",
}
#: RIS tag -> BibTeX field (several tags may feed one field: the first one given wins)
RIS_FIELDS = {
    "TI": "title",
    "T1": "title",
    "BT": "booktitle",
    "T2": "journal",
    "JO": "journal",
    "JF": "journal",
    "T3": "series",
    "PB": "publisher",
    "VL": "volume",
    "IS": "number",
    "DO": "doi",
    "UR": "url",
    "LA": "language",
    "AB": "abstract",
    "N2": "abstract",
    "M3": "type",
}


@dataclass
class _Field:
    value: str


@dataclass
class RisEntry:
    """One RIS record, shaped as a bibtexparser entry (key, entry_type, fields_dict)."""

    key: str
    entry_type: str
    fields_dict: dict[str, _Field]
    start_line: int


def _ris_entry(tags: list[tuple[str, str]], start: int) -> RisEntry:
    values: dict[str, list[str]] = {}
    for tag, value in tags:
        values.setdefault(tag, []).append(value.strip())
    fields: dict[str, str] = {}
    for tag, name in RIS_FIELDS.items():
        if values.get(tag) and values[tag][0] and name not in fields:
            fields[name] = values[tag][0]
    authors = [a for tag in ("AU", "A1") for a in values.get(tag, []) if a]
    if not authors:
        authors = [a for tag in ("A2", "ED") for a in values.get(tag, []) if a]
    if authors:
        fields["author"] = " and ".join(authors)
    for tag in ("PY", "Y1", "DA"):
        date = (values.get(tag) or [""])[0]
        match = re.match(r"^(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?", date)
        if match:
            fields.setdefault("year", match.group(1))
            if match.group(2):
                fields.setdefault("month", match.group(2))
            if match.group(3):
                fields.setdefault("day", match.group(3))
        elif date and "year" not in fields:
            fields["year"] = date
    first, last = (values.get("SP") or [""])[0], (values.get("EP") or [""])[0]
    if first:
        fields["pages"] = f"{first}-{last}" if last else first
    keywords = [k for k in values.get("KW", []) if k]
    if keywords:
        fields["keywords"] = ", ".join(keywords)
    kind = (values.get("TY") or ["GEN"])[0].upper()
    title = fields.get("title", "")
    key = (values.get("ID") or [""])[0] or (title[:60] if title else f"TY  - {kind}")
    return RisEntry(
        key, RIS_TYPES.get(kind, "misc"), {k: _Field(v) for k, v in fields.items()}, start - 1
    )


def parse_ris(text: str) -> ParsedFile:
    """Records of a RIS text (TY starts one, ER ends it); a line that is not a tag inside
    a record continues the previous value; text outside records, or a record without
    its ER, is reported broken with its line."""
    entries, broken, duplicate_keys = [], [], []
    current: list[tuple[str, str]] | None = None
    start = 0
    seen_keys: set[str] = set()
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = RIS_LINE.match(line)
        if match is None:
            if current:  # a long value wrapped onto the next line
                tag, value = current[-1]
                current[-1] = (tag, f"{value} {line.strip()}")
            else:
                broken.append(ReportItem(f"“{line.strip()[:60]}”", "syntax", "RIS", number))
            continue
        tag, value = match.group(1), match.group(2) or ""
        if tag == "TY":
            if current is not None:
                broken.append(ReportItem(f"TY  - {current[0][1]}"[:60], "syntax", "RIS", start))
            current, start = [(tag, value)], number
        elif current is None:
            broken.append(ReportItem(f"“{line.strip()[:60]}”", "syntax", "RIS", number))
        elif tag == "ER":
            entry = _ris_entry(current, start)
            if entry.key in seen_keys:
                duplicate_keys.append(ReportItem(entry.key, "repeated_key", line=start))
            else:
                seen_keys.add(entry.key)
                entries.append(entry)
            current = None
        else:
            current.append((tag, value))
    if current is not None:
        broken.append(ReportItem(f"TY  - {current[0][1]}"[:60], "syntax", "RIS", start))
    return ParsedFile(entries, broken, duplicate_keys)


def looks_like_ris(text: str) -> bool:
    """Whether a file's text is RIS (its first tagged line is TY) rather than BibTeX."""
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            return bool(re.match(r"^TY  -", line))
    return False


def parse_file(text: str, file_format: str) -> ParsedFile:
    return parse_ris(text) if file_format == "ris" else parse_bibtex(text)


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
    """What to save of one entry; raises BrokenEntry if it is unusable."""
    fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
    title = _clean(fields.get("title", ""))
    if not title:
        raise BrokenEntry("no_title")
    year_text = _clean(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year_text):
        raise BrokenEntry("no_year", year_text)
    authors = []
    raw_authors = fields.get("author") or fields.get("editor") or ""
    for name in re.split(r"\s+and\s+", raw_authors.strip()):
        name = _clean(name)
        if name:
            given, family = split_name(name)
            authors.append(AuthorInput(f"{given} {family}".strip()))
    if not authors:
        raise BrokenEntry("no_author")
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
            sa.select(Publication.doi, Publication.title, Publication.year, Publication.slug)
        ).all()
        #: DOI -> slug, (title, year) -> slug of the records already there
        self.dois = {row.doi: row.slug for row in rows if row.doi}
        self.titles = {_title_key(row.title, row.year): row.slug for row in rows}
        self.topics = {}
        for topic in db.session.scalars(sa.select(Topic)):
            self.topics[topic.slug.lower()] = topic.id
            self.topics[topic.name.lower()] = topic.id
        #: entry key -> (publication id, key of the record it is a version of)
        self.version_links: dict[str, tuple[int, str]] = {}
        self.ids_by_key: dict[str, int] = {}

    def add(self, entry) -> None:
        key = entry.key
        line = _line(getattr(entry, "start_line", None))
        try:
            values = entry_values(entry, self.topics)
        except BrokenEntry as exc:
            self.report.broken.append(ReportItem(key, exc.code, exc.detail, line))
            return
        try:
            doi = services.normalize_doi(values.doi)
        except PublicationError:
            self.report.broken.append(ReportItem(key, "bad_doi", values.doi or "", line))
            return
        if doi and doi in self.dois:
            self.report.duplicates.append(ReportItem(key, "doi", doi, line, self.dois[doi]))
            return
        title_key = _title_key(values.title, values.year)
        if not doi and title_key in self.titles:
            self.report.duplicates.append(
                ReportItem(
                    key, "title", f"{values.title} ({values.year})", line, self.titles[title_key]
                )
            )
            return
        try:
            with db.session.begin_nested():
                pub = services.save_publication(None, values)
                if self.status == "published":
                    services.publish(pub)
        except (PublicationError, sa.exc.IntegrityError, sa.exc.DataError) as exc:
            self.report.broken.append(
                ReportItem(key, "not_saved", str(exc).splitlines()[0][:300], line)
            )
            return
        if doi:
            self.dois[doi] = pub.slug
        self.titles[title_key] = pub.slug
        self.ids_by_key[key] = pub.id
        fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
        if fields.get("versionof"):
            self.version_links[key] = (pub.id, _clean(fields["versionof"]))
        self.report.imported.append(ReportItem(key, "", pub.title, line, pub.slug))

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


# --- the web import: a background job ------------------------------------------------

#: Entries saved between two commits of the web import (each commit moves the progress).
BATCH = 25


def start_import(member_id: int | None, filename: str, text: str, status: str) -> PublicationImport:
    """Record an uploaded file to import (flushes); the caller commits, then enqueues
    `publications-import` with the row's id."""
    imp = PublicationImport(
        member_id=member_id,
        filename=filename[:255],
        file_format="ris" if looks_like_ris(text) else "bibtex",
        status="queued",
        record_status=status,
        source=text,
    )
    db.session.add(imp)
    db.session.flush()
    return imp


def run_import(import_id: int) -> str:
    """The background job: import the file of PublicationImport `import_id`, committing
    every BATCH entries with the progress; each entry is saved in its own savepoint, so a
    crash leaves whole records only. Runs once: a row not "queued" is left alone."""
    # Claimed by one UPDATE, so a task delivered twice imports the file once.
    claimed = db.session.execute(
        sa.update(PublicationImport)
        .where(PublicationImport.id == import_id, PublicationImport.status == "queued")
        .values(status="running", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return "nothing to do"
    imp = db.session.get(PublicationImport, import_id)
    db.session.refresh(imp)
    try:
        parsed = parse_file(imp.source, imp.file_format)
        imp.total = len(parsed.entries)
        db.session.commit()
        importer = Importer(parsed, status=imp.record_status)
        for done, entry in enumerate(parsed.entries, start=1):
            importer.add(entry)
            if done % BATCH == 0:
                imp.done = done
                db.session.commit()
        report = importer.finish()
        imp.done = imp.total
        imp.report = report.as_dict()
        imp.status = "done"
    except Exception:
        logger.exception("import %s failed", import_id)
        db.session.rollback()
        imp = db.session.get(PublicationImport, import_id)
        imp.status = "failed"
    imp.source = ""
    imp.finished_at = utcnow()
    db.session.commit()
    counts = imp.report or {}
    return f"{imp.status}: {len(counts.get('imported', []))} imported"


def recent_imports(limit: int = 20) -> list[PublicationImport]:
    query = sa.select(PublicationImport).order_by(PublicationImport.id.desc()).limit(limit)
    return list(db.session.scalars(query.options(defer(PublicationImport.source))))
