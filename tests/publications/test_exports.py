"""Citations: BibTeX, RIS and CSL-JSON read back by parsers, the Atom feed, meta tags."""

from __future__ import annotations

import json
import re

import bibtexparser
import feedparser
import pytest

from interacta.publications import exports


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """A tiny RIS reader: records of tag -> values, ended by ER."""
    records, current = [], {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        if not match:
            assert not line.strip(), f"not a RIS line: {line!r}"
            continue
        tag, value = match.groups()
        if tag == "ER":
            records.append(current)
            current = {}
        else:
            current.setdefault(tag, []).append(value)
    assert current == {}, "record without ER"
    return records


@pytest.fixture
def article(make_publication):
    return make_publication(
        kind="journal_article",
        title="Floods & Forces: 50% Shared Awareness",
        authors=[("Maja Lindqvist", "Nordhaven University"), "Anneke van den Berg"],
        abstract="A study of *flood* response.",
        year=2025,
        month=3,
        day=7,
        journal="Journal of Civil-Military Studies",
        publisher="Nordhaven University Press",
        volume="14",
        issue="2",
        pages="10-27",
        doi="10.5555/floods.2025",
        keywords="floods, coordination",
        topics=["disaster-management"],
    )


def test_bibtex_reads_back_and_matches_the_record(client, article):
    response = client.get(f"/publications/{article.slug}.bib")
    assert response.status_code == 200
    assert response.mimetype == "application/x-bibtex"
    assert "attachment" in response.headers["Content-Disposition"]
    library = bibtexparser.parse_string(response.get_data(as_text=True))
    assert library.failed_blocks == []
    [entry] = library.entries
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert entry.entry_type == "article"
    assert entry.key == article.slug
    assert fields["title"].replace("\\", "") == article.title
    assert fields["author"] == "Lindqvist, Maja and van den Berg, Anneke"
    assert fields["year"] == "2025"
    assert fields["month"] == "mar"
    assert fields["journal"] == "Journal of Civil-Military Studies"
    assert (fields["volume"], fields["number"], fields["pages"]) == ("14", "2", "10--27")
    assert fields["doi"] == "10.5555/floods.2025"
    assert fields["keywords"] == "floods, coordination"


@pytest.mark.parametrize(
    ("kind", "entry_type", "container_field"),
    [
        ("journal_article", "article", "journal"),
        ("working_paper", "techreport", "series"),
        ("report", "techreport", "series"),
        ("policy_brief", "techreport", "series"),
        ("book_chapter", "incollection", "booktitle"),
        ("conference_paper", "inproceedings", "booktitle"),
    ],
)
def test_bibtex_entry_type_fits_the_kind(make_publication, kind, entry_type, container_field):
    pub = make_publication(kind=kind, journal="The Container", publisher="Press")
    [entry] = bibtexparser.parse_string(exports.to_bibtex([pub])).entries
    assert entry.entry_type == entry_type
    assert entry.fields_dict[container_field].value == "The Container"
    if entry_type == "techreport":
        assert entry.fields_dict["institution"].value == "Press"


def test_ris_reads_back_and_matches_the_record(client, article):
    response = client.get(f"/publications/{article.slug}.ris")
    assert response.status_code == 200
    assert response.mimetype == "application/x-research-info-systems"
    [record] = parse_ris(response.get_data(as_text=True))
    assert record["TY"] == ["JOUR"]
    assert record["TI"] == [article.title]
    assert record["AU"] == ["Lindqvist, Maja", "van den Berg, Anneke"]
    assert record["PY"] == ["2025"]
    assert record["DA"] == ["2025/03/07/"]
    assert record["JO"] == ["Journal of Civil-Military Studies"]
    assert (record["VL"], record["IS"], record["SP"], record["EP"]) == (
        ["14"],
        ["2"],
        ["10"],
        ["27"],
    )
    assert record["DO"] == ["10.5555/floods.2025"]
    assert record["KW"] == ["floods", "coordination"]


def test_csl_json_has_the_fields_citation_managers_need(client, article):
    response = client.get(f"/publications/{article.slug}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    [item] = json.loads(response.get_data(as_text=True))
    assert item["type"] == "article-journal"
    assert item["title"] == article.title
    assert item["author"] == [
        {
            "family": "Lindqvist",
            "given": "Maja",
            "affiliation": [{"name": "Nordhaven University"}],
        },
        {"family": "van den Berg", "given": "Anneke"},
    ]
    assert item["issued"] == {"date-parts": [[2025, 3, 7]]}
    assert item["container-title"] == "Journal of Civil-Military Studies"
    assert (item["volume"], item["issue"], item["page"]) == ("14", "2", "10-27")
    assert item["DOI"] == "10.5555/floods.2025"
    assert item["URL"].endswith(f"/publications/{article.slug}")


def test_search_result_exports_hold_exactly_the_matching_records(client, make_publication):
    make_publication(title="Floods one", kind="report")
    make_publication(title="Floods two", kind="journal_article")
    make_publication(title="Drought")
    bib = client.get("/publications/export.bib?q=floods").get_data(as_text=True)
    titles = {e.fields_dict["title"].value for e in bibtexparser.parse_string(bib).entries}
    assert titles == {"Floods one", "Floods two"}
    ris = parse_ris(client.get("/publications/export.ris?q=floods&kind=report").get_data(True))
    assert [r["TI"] for r in ris] == [["Floods one"]]
    csl = json.loads(client.get("/publications/export.json?q=floods").get_data(as_text=True))
    assert {i["title"] for i in csl} == {"Floods one", "Floods two"}


def test_detail_page_offers_citation_doi_and_scholar_metadata(client, article):
    html = client.get(f"/publications/{article.slug}").get_data(as_text=True)
    assert "Lindqvist, M., &amp; van den Berg, A. (2025). Floods &amp; Forces" in html
    assert '<a href="https://doi.org/10.5555/floods.2025"' in html
    title_tag = '<meta name="citation_title" content="Floods &amp; Forces: 50% Shared Awareness">'
    assert title_tag in html
    assert html.count('<meta name="citation_author"') == 2
    assert '<meta name="citation_publication_date" content="2025/03/07">' in html
    assert '<meta name="citation_doi" content="10.5555/floods.2025">' in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(ld)
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == article.title
    assert [a["name"] for a in data["author"]] == ["Maja Lindqvist", "Anneke van den Berg"]
    assert data["datePublished"] == "2025-03-07"


def test_related_publications_share_topics(client, article, make_publication):
    make_publication(title="Shares a topic", topics=["disaster-management"])
    make_publication(title="Shares nothing", topics=["religion"])
    html = client.get(f"/publications/{article.slug}").get_data(as_text=True)
    related = html[html.index("Related publications") :]
    assert "Shares a topic" in related
    assert "Shares nothing" not in related


def test_atom_feed_parses_and_lists_the_latest_50(client, make_publication):
    for n in range(52):
        make_publication(title=f"Feed item {n}", authors=["Ana Ferreira"])
    make_publication(title="Unpublished", status="draft")
    response = client.get("/publications/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 50
    assert feed.entries[0].title == "Feed item 51"
    assert feed.entries[0].author == "Ana Ferreira"
    assert feed.entries[0].link.endswith("/publications/feed-item-51")
    assert all(e.title != "Unpublished" for e in feed.entries)


def test_home_page_shows_the_latest_publications(client, make_publication):
    make_publication(title="Old one", year=2019)
    make_publication(title="Fresh one", year=2026)
    html = client.get("/").get_data(as_text=True)
    section = html[html.index("Latest publications") :]
    assert section.index("Fresh one") < section.index("Old one")


def test_formatted_citation_fits_the_kind(make_publication):
    chapter = make_publication(
        kind="book_chapter",
        title="Who Protects?",
        authors=["Anna-Lena Maier", "Jean Paul Sartre"],
        year=2023,
        journal="Heritage Under Threat",
        publisher="Nordhaven University Press",
        pages="77-102",
    )
    assert exports.format_citation(chapter) == (
        "Maier, A.-L., & Sartre, J. P. (2023). Who Protects? In Heritage Under Threat "
        "(pp. 77–102). Nordhaven University Press."
    )
    paper = make_publication(
        kind="working_paper",
        title="Early Findings",
        authors=["Maja Lindqvist"],
        year=2024,
        journal="Interacta Working Paper Series",
        issue="2024/03",
        publisher="Interacta Global",
    )
    assert exports.format_citation(paper) == (
        "Lindqvist, M. (2024). Early Findings (Interacta Working Paper Series No. 2024/03). "
        "Interacta Global."
    )


def test_author_filter_outside_the_top_authors_stays_visible_and_removable(
    client, make_publication
):
    for n in range(16):
        make_publication(title=f"Busy {n}", authors=[f"Busy Author {n:02d}", "Prolific"])
    make_publication(title="Rare", authors=["Zz Rare Author"])
    html = client.get("/publications/?author=Zz+Rare+Author").get_data(as_text=True)
    assert 'class="facet-active">Zz Rare Author <span class="count">(1)</span>' in html


def test_atom_entries_kept_as_text_follow_a_change_and_a_topic_name(client, db, make_publication):
    from interacta.core.models import Topic

    pub = make_publication(title="Before the change", authors=["Ana Ferreira"], topics=["religion"])
    db.session.commit()

    asked = iter(range(100))

    def entry(url="/publications/feed.atom"):
        # A distinct URL each time: built, not served from the page cache.
        feed = feedparser.parse(client.get(f"{url}?v={next(asked)}").get_data())
        return next(e for e in feed.entries if e.link.endswith(f"/publications/{pub.slug}"))

    assert entry().title == "Before the change"
    pub.title = "After the change"
    db.session.commit()
    assert entry().title == "After the change"
    # Topics are seeded, not edited in the app; a renamed one still shows its new name.
    topic = db.session.query(Topic).filter_by(slug="religion").one()
    old_name, topic.name = topic.name, "Faith and conflict"
    db.session.commit()
    assert [t.label for t in entry().tags] == ["Faith and conflict"]
    topic.name = old_name
    db.session.commit()
    # Each language has its own entry text (its links under the language's prefix).
    assert "/fr/publications/" in entry("/fr/publications/feed.atom").link
