"""Finding publications: ranking, filters with facet counts, sorting, paging, empty state,
and the list page in a fixed number of queries."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from interacta.core.cache import clear_texts
from interacta.core.jobs import refresh_statistics
from interacta.members.services import network_stats
from interacta.publications import search
from interacta.publications.models import Publication


def titles_on(response) -> list[str]:
    html = response.get_data(as_text=True)
    # The title is marked with its language (interacta.core.content).
    return re.findall(r'class="pub-title"><a href="[^"]+"><span lang="[^"]+">([^<]+)</span>', html)


def test_list_shows_published_records_newest_first(client, db, make_publication):
    make_publication(title="Older", year=2021)
    make_publication(title="Newest", year=2025, month=6)
    make_publication(title="Same year, earlier month", year=2025, month=2)
    assert titles_on(client.get("/publications/")) == [
        "Newest",
        "Same year, earlier month",
        "Older",
    ]


def test_title_match_ranks_above_abstract_match(client, db, make_publication):
    make_publication(title="Logistics at sea", abstract="Notes on floods in river deltas.")
    make_publication(title="Floods and the armed forces", abstract="Logistics matter.", year=2020)
    make_publication(title="Unrelated", abstract="Nothing to see.")
    assert titles_on(client.get("/publications/?q=floods")) == [
        "Floods and the armed forces",
        "Logistics at sea",
    ]


def test_search_finds_authors_and_keywords_case_insensitively(client, db, make_publication):
    make_publication(title="By author", authors=["Maja Lindqvist"])
    make_publication(title="By keyword", keywords="Cultural Heritage, looting")
    make_publication(title="Neither")
    assert titles_on(client.get("/publications/?q=LINDQVIST")) == ["By author"]
    assert titles_on(client.get("/publications/?q=heritage")) == ["By keyword"]


def test_every_search_word_must_match_and_wildcards_are_literal(client, db, make_publication):
    make_publication(title="Water and power in cities")
    make_publication(title="Water alone")
    make_publication(title="Growth of 100% renewable grids")
    assert titles_on(client.get("/publications/?q=water+power")) == ["Water and power in cities"]
    assert titles_on(client.get("/publications/?q=100%25")) == ["Growth of 100% renewable grids"]
    assert titles_on(client.get("/publications/?q=_")) == []


def test_filters_by_kind_topic_year_and_author(client, db, make_publication):
    make_publication(title="A", kind="working_paper", year=2023, topics=["rule-of-law"])
    make_publication(title="B", kind="journal_article", year=2023, authors=["Ana Ferreira"])
    make_publication(title="C", kind="journal_article", year=2024, topics=["rule-of-law"])
    assert titles_on(client.get("/publications/?kind=working_paper")) == ["A"]
    assert sorted(titles_on(client.get("/publications/?topic=rule-of-law"))) == ["A", "C"]
    assert sorted(titles_on(client.get("/publications/?year=2023"))) == ["A", "B"]
    assert titles_on(client.get("/publications/?author=Ana+Ferreira")) == ["B"]
    assert titles_on(client.get("/publications/?kind=journal_article&year=2024")) == ["C"]


def test_facet_counts_follow_the_search_and_the_other_filters(db, make_publication):
    make_publication(
        title="Floods one", kind="journal_article", year=2023, topics=["risk-reduction"]
    )
    make_publication(title="Floods two", kind="report", year=2024, topics=["risk-reduction"])
    make_publication(title="Floods three", kind="report", year=2024, authors=["Ana Ferreira"])
    make_publication(title="Drought", kind="report", year=2024, topics=["risk-reduction"])

    facets = search.facets(search.SearchParams.from_args({"q": "floods"}))
    assert [(k, n) for k, _, n in facets.kinds] == [("journal_article", 1), ("report", 2)]
    assert facets.years == [(2024, 2), (2023, 1)]
    assert [(slug, n) for slug, _, n in facets.topics] == [("risk-reduction", 2)]
    assert ("Ana Ferreira", 1) in facets.authors

    # A kind filter narrows the other facets but keeps every kind choice visible.
    facets = search.facets(search.SearchParams.from_args({"q": "floods", "kind": "report"}))
    assert [(k, n) for k, _, n in facets.kinds] == [("journal_article", 1), ("report", 2)]
    assert facets.years == [(2024, 2)]
    assert [(slug, n) for slug, _, n in facets.topics] == [("risk-reduction", 1)]


def test_facet_links_show_counts_on_the_page(client, db, make_publication):
    make_publication(title="Floods one", kind="report")
    make_publication(title="Floods two", kind="report")
    html = client.get("/publications/?q=floods").get_data(as_text=True)
    assert re.search(r'kind=report[^"]*">Report <span class="count">\(2\)</span>', html)


def test_sort_by_title(client, db, make_publication):
    for title in ("beta", "Alpha", "gamma"):
        make_publication(title=title)
    assert titles_on(client.get("/publications/?sort=title")) == ["Alpha", "beta", "gamma"]


def test_pagination_splits_results_into_pages(client, db, make_publication):
    for n in range(search.PER_PAGE + 3):
        make_publication(title=f"Paged {n:02d}")
    first = client.get("/publications/?sort=title")
    second = client.get("/publications/?sort=title&page=2")
    assert len(titles_on(first)) == search.PER_PAGE
    assert titles_on(second) == ["Paged 20", "Paged 21", "Paged 22"]
    assert 'rel="next"' in first.get_data(as_text=True)


def test_empty_result_says_so_and_offers_to_clear_filters(client, db, make_publication):
    make_publication(title="Something")
    html = client.get("/publications/?q=nothing-like-this&kind=report").get_data(as_text=True)
    assert "No publications match your search and filters." in html
    assert '<a class="button button-secondary" href="/publications/">Clear all filters</a>' in html


def test_invalid_query_values_are_ignored(client, db, make_publication):
    make_publication(title="Still listed")
    response = client.get("/publications/?year=abc&kind=nope&sort=sideways&page=zz")
    assert response.status_code == 200
    assert titles_on(response) == ["Still listed"]


def count_queries(db, fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    bind = db.session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", before)
    try:
        fn()
    finally:
        sa.event.remove(bind, "before_cursor_execute", before)
    return len(statements)


def test_list_page_runs_a_fixed_number_of_queries_whatever_the_number_of_records(
    client, db, make_publication
):
    def load():
        response = client.get("/publications/?q=record")
        assert response.status_code == 200

    make_publication(title="Record 1", authors=["A", "B"], topics=["religion"])
    few = count_queries(db, load)
    for n in range(2, 16):
        make_publication(
            title=f"Record {n}",
            authors=[f"Author {n}", f"Co-author {n}", "A"],
            topics=["religion", "rule-of-law"],
        )
    many = count_queries(db, load)
    assert few == many
    # The first search after a change also reads the summary of every record (five plain
    # reads, `search._summary`), which the facet counts use; the next searches do not, and
    # load no record whose piece of the list is kept (`core.deferred`).
    assert many <= 13

    def other_words():
        response = client.get("/publications/?q=recor")
        assert sorted(titles_on(response)) == sorted(f"Record {n}" for n in range(1, 16))

    assert count_queries(db, other_words) <= 5


def test_a_search_page_reads_its_records_as_the_list_shows_them(
    db, make_publication, count_queries
):
    # The list's items show titles (in each language), authors, year, kind and journal,
    # never topics: read as plain rows, the authors and the titles in one statement.
    make_publication(
        title="Record one",
        authors=["Bea Second", "Al First"],
        topics=["religion"],
        journal="Journal of Floods",
        translations={"fr": {"title": "Dossier un", "abstract": ""}},
    )
    db.session.expunge_all()  # as in a new request
    page = search.results(search.SearchParams.from_args({"q": "record"}))
    (pub,) = page.items
    with count_queries() as counted:
        assert [a.name for a in pub.authors] == ["Bea Second", "Al First"]
    assert (pub.title, pub.journal, pub.year, pub.kind_name) == (
        "Record one",
        "Journal of Floods",
        2024,
        "Journal article",
    )
    assert [(t.language, t.title) for t in pub.translations] == [("fr", "Dossier un")]
    assert counted.count == 2
    assert not [s for s in counted.statements if "topic" in s]


def test_detail_and_home_pages_run_a_fixed_number_of_queries(client, db, make_publication):
    first = make_publication(title="Detail", topics=["religion"], authors=["A"])
    make_publication(title="Related", topics=["religion"], authors=["B"])
    # The home page reads some counts once after their data changes (the longest event,
    # members per sector: kept under a fingerprint); both counts are taken with them known.
    client.get("/events/")
    network_stats()
    few_detail = count_queries(db, lambda: client.get(f"/publications/{first.slug}"))
    clear_texts()  # the home page's items not kept as HTML: their records are loaded
    few_home = count_queries(db, lambda: client.get("/"))
    for n in range(8):
        make_publication(title=f"Related {n}", topics=["religion"], authors=["B", "C"])
    assert count_queries(db, lambda: client.get(f"/publications/{first.slug}")) == few_detail
    clear_texts()
    assert count_queries(db, lambda: client.get("/")) == few_home


def test_the_home_page_rebuilt_with_its_items_kept_reads_only_their_rows(
    client, db, make_publication, make_event, make_registration
):
    """Rebuilt after a change to what it does not show (a registration), the home page
    finds its events and publications kept as HTML: it reads their ids and `updated_at`
    alone, one statement per list, after one for every fingerprint it needs (the page's
    key, the longest event's and the charts' members')."""
    event = make_event(title="Next workshop")
    for n in range(6):
        make_publication(title=f"Record {n}", authors=["A"])
    network_stats()
    first = client.get("/").get_data(as_text=True)
    assert "Next workshop" in first and "Record 5" in first
    make_registration(event=event)
    pages = []
    statements = count_queries(db, lambda: pages.append(client.get("/").get_data(as_text=True)))
    assert statements == 3  # served from the cache: 1
    assert "Next workshop" in pages[0] and "Record 5" in pages[0] and "Record 0" not in pages[0]


def test_year_facet_links_filter_and_the_active_year_removes_the_filter(client, make_publication):
    make_publication(title="Older record", year=2023)
    make_publication(title="Newer record", year=2024)
    html = client.get("/publications/").get_data(as_text=True)
    assert 'href="/publications/?year=2024">2024 <span class="count">(1)</span>' in html
    filtered = client.get("/publications/?year=2024").get_data(as_text=True)
    assert "Newer record" in filtered and "Older record" not in filtered
    assert 'href="/publications/" aria-current="true" class="facet-active">2024' in filtered


# --- full-text search (SQLite FTS5 / PostgreSQL tsvector, migration 0010) ---------------


def test_a_word_finds_longer_words_it_begins(client, db, make_publication):
    make_publication(title="Governance of refugee camps")
    make_publication(title="Ungoverned spaces")  # "govern" inside a word is not a match
    assert titles_on(client.get("/publications/?q=govern")) == ["Governance of refugee camps"]


def test_edits_authors_and_withdrawals_reach_the_index(client, db, make_publication):
    from interacta.publications.models import PublicationAuthor

    pub = make_publication(title="Maritime security cooperation", authors=["Ana Petrovic"])
    assert titles_on(client.get("/publications/?q=maritime")) == [pub.title]

    pub.title = "Coastal policing in practice"
    pub.authors.append(PublicationAuthor(name="Jonas Berg", position=1))
    db.session.flush()
    assert titles_on(client.get("/publications/?q=maritime")) == []
    assert titles_on(client.get("/publications/?q=coastal+berg")) == [pub.title]

    pub.authors[0].name = "Ana Horvat"
    db.session.flush()
    assert titles_on(client.get("/publications/?q=petrovic")) == []
    assert titles_on(client.get("/publications/?q=horvat")) == [pub.title]

    db.session.delete(pub)
    db.session.flush()
    assert titles_on(client.get("/publications/?q=coastal")) == []


def test_facets_follow_a_full_text_search(client, db, make_publication):
    make_publication(title="Cyber norms", kind="report")
    make_publication(title="Cyber defence", kind="working_paper")
    make_publication(title="Floods", kind="report")
    facets = search.facets(search.SearchParams.from_args({"q": "cyber"}))
    assert {(kind, count) for kind, _label, count in facets.kinds} == {
        ("report", 1),
        ("working_paper", 1),
    }


def test_search_syntax_in_a_query_is_only_text(client, db, make_publication):
    make_publication(title="Hearts AND minds")
    for q in ['"', "minds*", "NEAR(hearts minds)", "hearts OR x", "a:*", "(", "hearts & !minds"]:
        response = client.get("/publications/", query_string={"q": q})
        assert response.status_code == 200, q
    assert titles_on(client.get("/publications/?q=(hearts)+%22minds*")) == ["Hearts AND minds"]


@pytest.mark.postgres_only
def test_postgresql_answers_a_search_from_the_full_text_index(db, make_publication):
    make_publication(title="Cyber norms")
    query = sa.select(Publication.id).where(search.matches(["cyber", "norms"]))
    sql = str(query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True}))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + sql)))
    assert "ix_publications_fulltext" in plan, plan


@pytest.mark.postgres_only
def test_postgresql_plans_the_words_as_one_constant_tsquery(db, make_publication):
    # An exact word and a prefix (two records begin "cyber"): built from immutable parts,
    # the planner folds the query once; a stable part (concat) rebuilt it for every row.
    make_publication(title="Cyber norms cybernetics")
    words = ["cyber", "norms"]
    query = sa.select(Publication.id).where(search.matches(words))
    compiled = query.compile(db.session.get_bind())
    connection = db.session.connection()
    plan = "\n".join(
        connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars()
    )
    assert "to_tsquery" not in plan and "::tsquery" in plan, plan
    assert [p.id for p in db.session.scalars(sa.select(Publication).where(search.matches(words)))]


@pytest.mark.sqlite_only
def test_sqlite_reads_the_matches_columns_from_the_covering_index(db, make_publication):
    # Migration 0032_search: the join reads the index, never the publications rows, once
    # the planner has statistics (the daily job, interacta.core.jobs.refresh_statistics).
    make_publication(title="Cyber norms", kind="report")
    refresh_statistics()
    params = search.SearchParams.from_args({"q": "cyber", "kind": "report"})
    statement, values = _hits_statement(
        lambda: search._hits_in_database(params, params.set_filters(), rank=True).rows or None
    )
    connection = db.session.connection()
    plan = " ".join(
        str(row[-1])
        for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, values)
    )
    assert "COVERING INDEX ix_publications_search_hits" in plan, plan


@pytest.mark.sqlite_only
def test_sqlite_keeps_the_fts_table_and_its_triggers(db):
    names = set(
        db.session.scalars(
            sa.text("SELECT name FROM sqlite_master WHERE name LIKE 'publications_fts%'")
        )
    )
    assert {"publications_fts", "publications_fts_ai", "publications_fts_ad"} <= names
    assert "publications_fts_au" in names


def test_a_word_that_begins_one_indexed_word_is_asked_for_it_with_the_same_ranks(
    db, make_publication
):
    """Where the index holds one word beginning with a search word, the index is asked for
    that word exactly (answered from the newest matches or by skipping); where it holds
    several, for the prefix. Either way the same records in the same order and rank."""
    make_publication(title="Governance of refugee camps", abstract="Governance, again.")
    make_publication(title="Maritime governance", keywords="ports")
    make_publication(title="Ports", abstract="Governance and government of ports.")
    make_publication(title="Government", abstract="Maritime ports")
    make_publication(title="Marine life", abstract="Ports and maritime traffic.")
    make_publication(title="Elsewhere", abstract="Unrelated")

    def found(q, prefix_only=False):
        # From the database each time (`hits` keeps what it found for the same words).
        params = search.SearchParams.from_args({"q": q})
        if prefix_only:
            params.sole = {}
        hits = search._hits_in_database(params, (), rank=True)
        return params.sole_terms(), (hits.rows, hits.best)

    assert found("governance")[0] == {"governance": "governance"}
    assert found("mariti por")[0] == {"mariti": "maritime", "por": "ports"}
    assert found("gover")[0] == {}  # governance and government
    assert found("mar gov")[0] == {}
    assert found("zzz")[0] == {"zzz": "zzz"}
    assert found("coopé")[0] == {}  # folded by the index: asked for as written
    # Two words that would be asked for as the same word stay prefixes.
    assert found("maritime marit por")[0] == {"por": "ports"}
    queries = ("governance", "mariti por", "gover", "mar gov", "gov ports", "zzz", "elsewh")
    for q in (*queries, "maritime marit por", "ports ports"):
        assert found(q)[1] == found(q, prefix_only=True)[1], q
    assert len(found("governance")[1][0]) == 3


def test_a_prefix_still_finds_a_word_added_or_removed_after_another(client, db, make_publication):
    make_publication(title="Governance of refugee camps")
    assert titles_on(client.get("/publications/?q=gov")) == ["Governance of refugee camps"]
    other = make_publication(title="Government archives")
    assert set(titles_on(client.get("/publications/?q=gov"))) == {
        "Governance of refugee camps",
        "Government archives",
    }
    db.session.delete(other)
    db.session.flush()
    assert titles_on(client.get("/publications/?q=gov")) == ["Governance of refugee camps"]
    assert titles_on(client.get("/publications/?q=governm")) == []
    # A word an edit brings in, where the index held one word beginning the same.
    law = make_publication(title="Maritime law")
    assert titles_on(client.get("/publications/?q=mari")) == ["Maritime law"]
    law.title = "Marine law"
    db.session.flush()
    assert titles_on(client.get("/publications/?q=mari")) == ["Marine law"]


def test_accents_are_ignored_both_ways(client, db, make_publication):
    make_publication(title="Coopération civilo-militaire à Zürich")
    make_publication(title="Unrelated")
    assert titles_on(client.get("/publications/?q=cooperation+zurich")) == [
        "Coopération civilo-militaire à Zürich"
    ]
    assert titles_on(client.get("/publications/?q=Coop%C3%A9ration")) == [
        "Coopération civilo-militaire à Zürich"
    ]


def test_a_three_word_search_finds_only_the_records_with_all_three(client, make_publication):
    make_publication(title="Maritime security cooperation in the Baltic")
    make_publication(title="Security cooperation", abstract="Lessons from maritime patrols.")
    make_publication(title="Maritime security", abstract="No partners at all.")
    make_publication(title="Cooperation on land")
    found = titles_on(client.get("/publications/?q=maritime+security+cooperation"))
    # A title match ranks above a match that needs the abstract.
    assert found == ["Maritime security cooperation in the Baltic", "Security cooperation"]
    by_date = titles_on(client.get("/publications/?q=cooperation+security+maritime&sort=date"))
    assert sorted(by_date) == sorted(found)


def test_a_search_matching_more_than_the_bound_ranks_and_counts_the_newest(
    client, monkeypatch, make_publication
):
    monkeypatch.setattr(search, "BOUND", 3)
    monkeypatch.setattr(search, "WALK", 4)
    for n in range(6):
        make_publication(
            title=f"Drills {n}" + (" offshore" if n == 1 else ""),
            kind="report" if n % 2 else "working_paper",
            authors=["Ana Ferreira"],
        )
    html = client.get("/publications/?q=drills").get_data(as_text=True)
    assert "More than 3 publications matching" in html
    assert "Counted among the 3 most recently added matches." in html
    # The three most recently added, counted: two reports and one working paper.
    assert titles_on(client.get("/publications/?q=drills")) == ["Drills 5", "Drills 4", "Drills 3"]
    # A page beyond the ranked matches is empty, never an error.
    assert client.get("/publications/?q=drills&page=9").status_code == 200
    facets = search.facets(search.SearchParams.from_args({"q": "drills"}))
    assert facets.bounded
    assert {(kind, n) for kind, _label, n in facets.kinds} == {("report", 2), ("working_paper", 1)}
    # Few matches: exact, and no note.
    html = client.get("/publications/?q=drills+offshore").get_data(as_text=True)
    assert "Counted among" not in html and "1 publication matching" in html


def test_a_listed_records_authors_show_their_change_at_once(client, db, make_publication):
    """Each record on a list is kept as HTML until it changes (core.cache.cached_fragment);
    an author's new name is a change to the record."""
    pub = make_publication(title="Coastal policing", authors=["Ana Petrovic"])
    db.session.commit()
    # `v` is no parameter of the list: each request builds the page from its pieces.
    assert "Ana Petrovic" in client.get("/publications/?v=1").get_data(as_text=True)
    pub.authors[0].name = "Ana Horvat"
    db.session.commit()
    page = client.get("/publications/?v=2").get_data(as_text=True)
    assert "Ana Horvat" in page and "Ana Petrovic" not in page


# The bounded search for words on PostgreSQL walks the WALK newest records first and
# goes on past them only when it found too few (`search._hits`). Twelve records, the
# newest first in these positions; each word matches the positions listed.
_SPREAD = {
    "alpha": {10, 11},  # only beyond the walk
    "beta": {0, 1, 2, 6},  # BOUND in the walk, its last row no match, one more beyond
    "gamma": {0, 1, 2, 3},  # more than BOUND in the walk
    "delta": {1, 3, 5, 7, 9},  # the walk's last row a match
    "epsilon": {3},  # the walk's last row only
    "zeta": set(),
}


def _spread(make_publication) -> list[int]:
    """Twelve records (positions 9-11 reports, the rest working papers); their ids, newest
    first."""
    made = []
    for position in reversed(range(12)):
        words = [word for word, at in _SPREAD.items() if position in at]
        made.append(
            make_publication(
                title=" ".join(["Record", *words]),
                kind="report" if position >= 9 else "working_paper",
                authors=["Ana Ferreira"],
            ).id
        )
    return made[::-1]


@pytest.mark.parametrize("kind", [None, "report"])
@pytest.mark.parametrize("dense_walk", [2, 4, 20_000])
def test_a_bounded_search_finds_the_newest_matches_within_and_beyond_the_walk(
    db, monkeypatch, make_publication, kind, dense_walk
):
    # On PostgreSQL, past the walk: by the full-text index when the walk's matches are
    # sparse; otherwise by walking on DENSE_WALK records (2: too short, then by the index
    # from there; 4: far enough for these words).
    monkeypatch.setattr(search, "BOUND", 3)
    monkeypatch.setattr(search, "WALK", 4)
    monkeypatch.setattr(search, "DENSE_WALK", dense_walk)
    ids = _spread(make_publication)
    for word, positions in _SPREAD.items():
        if kind:  # three reports: fewer than WALK records, all of them walked
            positions = {p for p in positions if p >= 9}
        newest = [ids[p] for p in sorted(positions)]
        params = search.SearchParams.from_args({"q": word, "kind": kind, "sort": "date"})
        found = search.hits(params)
        assert (found.ids, found.more) == (newest[:3], len(newest) > 3), word
        # Without the kind filter (the kind facet's own list), unranked.
        if kind:
            other = search.hits(params, exclude="kind")
            everywhere = [ids[p] for p in sorted(_SPREAD[word])]
            assert (other.ids, other.more) == (everywhere[:3], len(everywhere) > 3), word


def _hits_statement(search_for) -> tuple[str, object]:
    """The SQL of the hits statement `search_for()` runs, and its parameters."""
    captured = []
    original = search._tuples
    with pytest.MonkeyPatch.context() as patch:

        def capture(statement, values=None, **kw):
            captured.append((statement.sql, statement.parameters(values)))
            return original(statement, values, **kw)

        patch.setattr(search, "_tuples", capture)
        assert search_for() is not None
    return captured[0]


def _pg_plan(db, args: dict, forced: bool) -> dict:
    """The executed plan (EXPLAIN ANALYZE, JSON) of the hits query for `args`; `forced`:
    plain index scans only (the full-text index answers by a bitmap alone)."""
    params = search.SearchParams.from_args(args)
    # The search in the database (`hits` may answer from the words' matches kept before).
    statement, values = _hits_statement(
        lambda: search._hits_in_database(params, params.set_filters(), rank=True)
    )
    connection = db.session.connection()
    settings = ("enable_seqscan", "enable_bitmapscan", "enable_sort") if forced else ()
    for setting in settings:
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    plan = connection.exec_driver_sql(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, values
    ).scalar()
    for setting in settings:
        connection.exec_driver_sql(f"RESET {setting}")
    return plan[0]["Plan"]


def _scans(node) -> list[dict]:
    """The plan's scans of the publications table that ran."""
    own = [node] if node.get("Relation Name") == "publications" and node["Actual Loops"] else []
    return own + [scan for child in node.get("Plans", []) for scan in _scans(child)]


def _rows_read(node) -> int:
    return sum(
        scan["Actual Loops"] * (scan["Actual Rows"] + scan.get("Rows Removed by Filter", 0))
        for scan in _scans(node)
    )


@pytest.mark.postgres_only
def test_postgresql_reads_no_record_twice_past_the_walk(db, monkeypatch, make_publication):
    # The matches beyond the walk are read from where it stopped, not from the newest
    # record again. The plain index walk forced: every record read once, and one more row
    # read ahead by the walk's count.
    monkeypatch.setattr(search, "BOUND", 3)
    monkeypatch.setattr(search, "WALK", 4)
    ids = _spread(make_publication)
    plan = _pg_plan(db, {"q": "alpha", "sort": "date"}, forced=True)
    assert _rows_read(plan) <= len(ids) + 1, plan
    # A filter keeping fewer than WALK records: the walk read them all, nothing more is
    # asked (neither read again nor looked up in the full-text index).
    for forced in (True, False):
        plan = _pg_plan(db, {"q": "alpha", "kind": "report"}, forced=forced)
        assert len(_scans(plan)) == 1, plan


@pytest.mark.postgres_only
def test_postgresql_walks_on_past_the_walk_for_common_words(db, monkeypatch, make_publication):
    """Too few matches in the walk, but many: the rest is read by walking on from its last
    row, in the same statement, not by the full-text index, whose estimate cannot tell a
    common prefix from a rare one; only a walk-on that reads all its rows and still finds
    too few has a statement more. Rare matches go to the index."""
    monkeypatch.setattr(search, "BOUND", 3)
    monkeypatch.setattr(search, "WALK", 4)
    monkeypatch.setattr(search, "DENSE_WALK", 4)
    ids = _spread(make_publication)
    statements: list[str] = []
    original = search._tuples

    def capture(statement, values=None, **kw):
        statements.append(statement.sql)
        return original(statement, values, **kw)

    def search_for(word):
        statements.clear()
        params = search.SearchParams.from_args({"q": word, "sort": "date"})
        found = search._hits_in_database(params, (), rank=True)
        return found.ids, found.more

    monkeypatch.setattr(search, "_tuples", capture)
    # 1 and 3 in the walk; 5 and 7 in the walk-on's four records: more than BOUND.
    assert search_for("delta") == ([ids[1], ids[3], ids[5]], True)
    assert len(statements) == 1 and "on_walk" in statements[0]
    plan = _pg_plan(db, {"q": "delta", "sort": "date"}, forced=False)
    assert _ran(plan, "on_walk") and not _ran(plan, "rest"), plan
    # Sparse (nothing in the walk): the rest by the index (or as the planner finds best).
    assert search_for("alpha") == ([ids[10], ids[11]], False)
    assert len(statements) == 1
    plan = _pg_plan(db, {"q": "alpha", "sort": "date"}, forced=False)
    assert _ran(plan, "rest") and not _ran(plan, "on_walk"), plan
    # A walk-on of two records (4 and 5) finds nothing: on from 5, in a statement more.
    monkeypatch.setattr(search, "DENSE_WALK", 2)
    assert search_for("beta") == ([ids[0], ids[1], ids[2]], True)
    assert len(statements) == 2 and "on_walk" not in statements[1]


def _ran(node, part: str) -> bool:
    """Whether the part of the hits statement ran: the walk-on (`on_walk`), or the rest
    past the walk (`rest`: the only part matching the table's own column, not a walk's)."""
    if not node.get("Actual Loops"):
        return False
    if part == "on_walk" and node.get("Alias") == "on_walk":
        return True
    conditions = " ".join(str(node.get(k, "")) for k in ("Filter", "Index Cond", "Recheck Cond"))
    if part == "rest" and "search_vector @@" in conditions:
        return True
    return any(_ran(child, part) for child in node.get("Plans", []))


def test_a_search_shows_a_record_as_it_is_now_after_a_change(client, db, make_publication):
    # Results are pieces of HTML kept per record until it changes (`core.deferred`).
    record = make_publication(title="Floods in the delta", authors=["Ana Ferreira"])
    assert titles_on(client.get("/publications/?q=floods")) == ["Floods in the delta"]
    record.title = "Floods in the lower delta"
    record.authors[0].name = "Ana Ferreira Lopes"
    db.session.commit()
    html = client.get("/publications/?q=floods&v=2").get_data(as_text=True)
    assert titles_on(client.get("/publications/?q=flood")) == ["Floods in the lower delta"]
    assert "Ana Ferreira Lopes" in html


def test_a_word_looked_up_once_is_not_looked_up_again_until_the_records_change(
    client, db, make_publication
):
    make_publication(title="Governance of refugee camps")

    def vocabulary_reads(path):
        statements = []

        def before(conn, cursor, statement, *args):
            if search.FTS_VOCAB in statement or search.PG_LEXEMES in statement:
                statements.append(statement)

        bind = db.session.get_bind()
        sa.event.listen(bind, "before_cursor_execute", before)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(bind, "before_cursor_execute", before)
        return len(statements)

    assert vocabulary_reads("/publications/?q=gov") == 1
    assert vocabulary_reads("/publications/?q=gov&kind=report") == 0
    assert vocabulary_reads("/publications/?q=gov+camps") == 1  # camps, not gov
    make_publication(title="Government archives")
    assert vocabulary_reads("/publications/?q=gov&kind=report") == 1
    assert len(titles_on(client.get("/publications/?q=gov&v=1"))) == 2


@pytest.mark.postgres_only
def test_a_search_is_never_run_as_a_prepared_statement(client, db, make_publication):
    """psycopg prepares a statement run five times on a connection, and PostgreSQL may
    then run it with a generic plan, made for any words: at 100,000 records a search took
    three times as long. The search's own statement is planned for its words each time."""
    make_publication(title="Floods in the delta")
    for n in range(8):
        response = client.get(f"/publications/?q=floods&v={n}")
        assert titles_on(response) == ["Floods in the delta"]
    prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
    assert prepared, "no statement was prepared at all"
    assert [s for s in prepared if "walk" in s] == []
