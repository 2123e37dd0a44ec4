"""Citations and exports: a formatted reference, BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

import json
import re

from interacta.publications.models import Publication
from interacta.publications.names import initials, split_name

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _page_range(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    parts = re.split(r"\s*[-–—]+\s*", pages.strip(), maxsplit=1)
    return parts[0] or None, (parts[1] if len(parts) > 1 else None) or None


# --- the citation shown on the page (APA-like) ----------------------------------------


def _dash(pages: str) -> str:
    first, last = _page_range(pages)
    return f"{first}–{last}" if last else (first or "")


def _apa_name(name: str) -> str:
    given, family = split_name(name)
    return f"{family}, {initials(given)}" if given else family


def format_citation(pub: Publication) -> str:
    """A plain-text reference in an APA-like style, ready to paste."""
    names = [_apa_name(a.name) for a in pub.authors]
    if len(names) > 1:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = names[0] if names else ""
    parts = [f"{authors} ({pub.year})." if authors else f"({pub.year})."]
    title = pub.title.rstrip(".")
    end = "" if title.endswith(("?", "!")) else "."
    if pub.kind == "journal_article":
        parts.append(f"{title}{end}")
        source = pub.journal or ""
        if pub.volume:
            source += f", {pub.volume}"
            if pub.issue:
                source += f"({pub.issue})"
        if pub.pages:
            source += f", {_dash(pub.pages)}"
        if source:
            parts.append(f"{source}.")
    elif pub.kind in ("book_chapter", "conference_paper"):
        parts.append(f"{title}{end}")
        if pub.journal:
            where = f"In {pub.journal}"
            if pub.pages:
                where += f" (pp. {_dash(pub.pages)})"
            parts.append(f"{where}.")
        if pub.publisher:
            parts.append(f"{pub.publisher}.")
    else:
        label = pub.kind_label
        series = f"{pub.journal}" if pub.journal else label
        if pub.issue:
            series += f" No. {pub.issue}"
        parts.append(f"{title} ({series}).")
        if pub.publisher:
            parts.append(f"{pub.publisher}.")
    if pub.doi:
        parts.append(pub.doi_url)
    elif pub.external_url:
        parts.append(pub.external_url)
    return " ".join(parts)


# --- BibTeX ---------------------------------------------------------------------------

BIBTEX_TYPES = {
    "journal_article": "article",
    "working_paper": "techreport",
    "report": "techreport",
    "policy_brief": "techreport",
    "book_chapter": "incollection",
    "conference_paper": "inproceedings",
}
_BIB_SPECIAL = re.compile(r"([&%$#_])")


def _bib_value(value: str) -> str:
    value = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    value = _BIB_SPECIAL.sub(r"\\\1", value)
    # Unbalanced braces would break the entry; keep them only when they balance.
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        value = value.replace("{", "(").replace("}", ")")
    return value


def bibtex_key(pub: Publication) -> str:
    return pub.slug


def to_bibtex_entry(pub: Publication) -> str:
    entry_type = BIBTEX_TYPES[pub.kind]
    fields: list[tuple[str, str]] = [("title", pub.title)]
    if pub.authors:
        names = []
        for a in pub.authors:
            given, family = split_name(a.name)
            names.append(f"{family}, {given}" if given else family)
        fields.append(("author", " and ".join(names)))
    fields.append(("year", str(pub.year)))
    container = pub.journal
    if entry_type == "article":
        if container:
            fields.append(("journal", container))
    elif entry_type in ("incollection", "inproceedings"):
        if container:
            fields.append(("booktitle", container))
    else:
        fields.append(("type", pub.kind_label))
        fields.append(("institution", pub.publisher or container or "Unknown"))
        if container:
            fields.append(("series", container))
    if pub.publisher and entry_type != "techreport":
        fields.append(("publisher", pub.publisher))
    if pub.volume:
        fields.append(("volume", pub.volume))
    if pub.issue:
        fields.append(("number", pub.issue))
    if pub.pages:
        first, last = _page_range(pub.pages)
        fields.append(("pages", f"{first}--{last}" if last else first))
    if pub.doi:
        fields.append(("doi", pub.doi))
    url = pub.external_url
    if url:
        fields.append(("url", url))
    if pub.language:
        fields.append(("language", pub.language))
    if pub.keyword_list:
        fields.append(("keywords", ", ".join(pub.keyword_list)))
    if pub.abstract:
        fields.append(("abstract", pub.abstract))
    lines = [f"@{entry_type}{{{bibtex_key(pub)},"]
    for name, value in fields:
        lines.append(f"  {name} = {{{_bib_value(value)}}},")
    if pub.month:
        lines.append(f"  month = {MONTHS[pub.month - 1]},")
    lines.append("}")
    return "\n".join(lines)


def to_bibtex(pubs: list[Publication]) -> str:
    return "\n\n".join(to_bibtex_entry(p) for p in pubs) + "\n"


# --- RIS ------------------------------------------------------------------------------

RIS_TYPES = {
    "journal_article": "JOUR",
    "working_paper": "RPRT",
    "report": "RPRT",
    "policy_brief": "RPRT",
    "book_chapter": "CHAP",
    "conference_paper": "CPAPER",
}


def to_ris_entry(pub: Publication) -> str:
    def one_line(value: str) -> str:
        return " ".join(str(value).split())

    tags: list[tuple[str, str]] = [("TY", RIS_TYPES[pub.kind]), ("TI", pub.title)]
    notes = []
    for a in pub.authors:
        given, family = split_name(a.name)
        name = f"{family}, {given}" if given else family
        tags.append(("AU", name))
        if a.orcid:
            notes.append(f"ORCID iD of {name}: {a.orcid_url}")
    # Author addresses (AD): the affiliations, each with its ROR id when it has one.
    for a in pub.authors:
        if a.affiliation:
            tags.append(("AD", f"{a.affiliation} {a.ror_url}" if a.ror_url else a.affiliation))
    tags.append(("PY", str(pub.year)))
    month = f"{pub.month:02d}" if pub.month else ""
    day = f"{pub.day:02d}" if pub.day else ""
    tags.append(("DA", f"{pub.year}/{month}/{day}/"))
    if pub.journal:
        tags.append(("T2", pub.journal))
        if pub.kind == "journal_article":
            tags.append(("JO", pub.journal))
    if pub.publisher:
        tags.append(("PB", pub.publisher))
    if pub.volume:
        tags.append(("VL", pub.volume))
    if pub.issue:
        tags.append(("IS", pub.issue))
    first, last = _page_range(pub.pages)
    if first:
        tags.append(("SP", first))
    if last:
        tags.append(("EP", last))
    if pub.doi:
        tags.append(("DO", pub.doi))
    if pub.external_url:
        tags.append(("UR", pub.external_url))
    if pub.language:
        tags.append(("LA", pub.language))
    for keyword in pub.keyword_list:
        tags.append(("KW", keyword))
    if pub.abstract:
        tags.append(("AB", pub.abstract))
    tags += [("N1", note) for note in notes]
    tags.append(("ER", ""))
    return "\r\n".join(f"{tag}  - {one_line(value)}" for tag, value in tags)


def to_ris(pubs: list[Publication]) -> str:
    return "\r\n\r\n".join(to_ris_entry(p) for p in pubs) + "\r\n"


# --- CSL-JSON -------------------------------------------------------------------------

CSL_TYPES = {
    "journal_article": "article-journal",
    "working_paper": "report",
    "report": "report",
    "policy_brief": "report",
    "book_chapter": "chapter",
    "conference_paper": "paper-conference",
}


def to_csl_item(pub: Publication, url: str | None = None) -> dict:
    item: dict = {
        "id": pub.slug,
        "type": CSL_TYPES[pub.kind],
        "title": pub.title,
        "author": [],
        "issued": {"date-parts": [pub.date_parts]},
    }
    for a in pub.authors:
        given, family = split_name(a.name)
        name: dict = {"family": family, "given": given} if given else {"literal": family}
        # As Crossref writes them: the ORCID iD's address, the affiliation with its ROR id.
        if a.orcid:
            name["ORCID"] = a.orcid_url
        if a.affiliation:
            affiliation: dict = {"name": a.affiliation}
            if a.ror_url:
                affiliation["id"] = [{"id": a.ror_url, "id-type": "ROR"}]
            name["affiliation"] = [affiliation]
        item["author"].append(name)
    if pub.kind in ("working_paper", "policy_brief"):
        item["genre"] = pub.kind_label
    optional = {
        "container-title": pub.journal,
        "publisher": pub.publisher,
        "volume": pub.volume,
        "issue": pub.issue if pub.kind == "journal_article" else None,
        "number": pub.issue if pub.kind != "journal_article" else None,
        "page": pub.pages,
        "DOI": pub.doi,
        "URL": pub.external_url or url,
        "language": pub.language,
        "abstract": pub.abstract,
        "keyword": ", ".join(pub.keyword_list),
    }
    item.update({k: v for k, v in optional.items() if v})
    return item


def to_csl_json(pubs: list[Publication], urls: dict[int, str] | None = None) -> str:
    urls = urls or {}
    return json.dumps([to_csl_item(p, urls.get(p.id)) for p in pubs], ensure_ascii=False, indent=2)


def highwire_tags(pub: Publication, pdf_url: str | None, page_url: str) -> list[tuple[str, str]]:
    """Highwire Press `citation_*` meta tags (what scholar indexes read)."""
    tags = [("citation_title", pub.title)]
    tags += [("citation_author", a.name) for a in pub.authors]
    for a in pub.authors:
        if a.affiliation:
            tags.append(("citation_author_institution", a.affiliation))
            break
    date = "/".join([str(pub.year)] + [f"{p:02d}" for p in pub.date_parts[1:]])
    tags.append(("citation_publication_date", date))
    if pub.journal:
        name = {
            "journal_article": "citation_journal_title",
            "conference_paper": "citation_conference_title",
            "book_chapter": "citation_inbook_title",
        }.get(pub.kind, "citation_series_title")
        tags.append((name, pub.journal))
    if pub.kind in ("working_paper", "report", "policy_brief") and pub.publisher:
        tags.append(("citation_technical_report_institution", pub.publisher))
    elif pub.publisher:
        tags.append(("citation_publisher", pub.publisher))
    if pub.volume:
        tags.append(("citation_volume", pub.volume))
    if pub.issue:
        tags.append(("citation_issue", pub.issue))
    first, last = _page_range(pub.pages)
    if first:
        tags.append(("citation_firstpage", first))
    if last:
        tags.append(("citation_lastpage", last))
    if pub.doi:
        tags.append(("citation_doi", pub.doi))
    if pdf_url:
        tags.append(("citation_pdf_url", pdf_url))
    tags.append(("citation_abstract_html_url", page_url))
    if pub.language:
        tags.append(("citation_language", pub.language))
    if pub.keyword_list:
        tags.append(("citation_keywords", "; ".join(pub.keyword_list)))
    return tags


def json_ld(pub: Publication, page_url: str, pdf_url: str | None) -> dict:
    """schema.org ScholarlyArticle description of the record."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": pub.title[:110],
        "name": pub.title,
        "url": page_url,
        "datePublished": "-".join([str(pub.year)] + [f"{p:02d}" for p in pub.date_parts[1:]]),
        "inLanguage": pub.language,
        "genre": pub.kind_label,
        "author": [],
    }
    for a in pub.authors:
        person: dict = {"@type": "Person", "name": a.name}
        if a.orcid:
            person["sameAs"] = a.orcid_url
            person["identifier"] = {
                "@type": "PropertyValue",
                "propertyID": "ORCID",
                "value": a.orcid,
            }
        if a.affiliation:
            organization: dict = {"@type": "Organization", "name": a.affiliation}
            if a.ror_url:
                organization["sameAs"] = a.ror_url
                organization["identifier"] = a.ror_url
            person["affiliation"] = organization
        data["author"].append(person)
    if pub.abstract:
        data["abstract"] = pub.abstract
    if pub.keyword_list:
        data["keywords"] = ", ".join(pub.keyword_list)
    if pub.doi:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": pub.doi,
        }
        data["sameAs"] = pub.doi_url
    if pub.journal:
        data["isPartOf"] = {
            "@type": "Periodical" if pub.kind == "journal_article" else "CreativeWork",
            "name": pub.journal,
        }
    if pub.publisher:
        data["publisher"] = {"@type": "Organization", "name": pub.publisher}
    if pub.pages:
        data["pagination"] = pub.pages
    if pub.topics:
        data["about"] = [t.name for t in pub.topics]
    if pdf_url:
        data["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": pdf_url,
            "encodingFormat": "application/pdf",
        }
    return data
