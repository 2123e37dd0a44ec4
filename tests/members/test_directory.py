"""The opt-in member directory and the network-at-a-glance charts."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import g

from interacta.core.models import Topic
from interacta.core.topics import topic_rows
from interacta.members import services


def _topics(db):
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.position)))


def test_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/members/?sector=military")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/members/login?next=")


def test_directory_lists_only_members_who_opted_in_and_never_emails(client, auth, make_member):
    make_member(
        name="Listed Lena",
        email="lena@example.org",
        show_in_directory=True,
        affiliation="NATO CIMIC",
        sector="military",
        country="NL",
    )
    make_member(name="Hidden Hans", email="hans@example.org", show_in_directory=False)
    make_member(name="Unverified Uma", show_in_directory=True, email_verified_at=None)
    make_member(name="Inactive Ivo", show_in_directory=True, is_active=False)
    auth.login_as(make_member(name="Viewer Vera"))
    html = client.get("/members/").get_data(as_text=True)
    assert "Listed Lena" in html and "NATO CIMIC" in html and "Netherlands" in html
    assert "Military" in html
    for hidden in ("Hidden Hans", "Unverified Uma", "Inactive Ivo", "Viewer Vera"):
        assert hidden not in html
    assert "lena@example.org" not in html and "hans@example.org" not in html


def test_directory_filters_by_sector_country_topic_and_search(client, db, auth, make_member):
    topics = _topics(db)
    make_member(
        name="Alpha",
        show_in_directory=True,
        sector="military",
        country="DE",
        affiliation="Bundeswehr",
        interests=[topics[0]],
    )
    make_member(
        name="Bravo",
        show_in_directory=True,
        sector="academia",
        country="DE",
        affiliation="University of Vienna",
        interests=[topics[1]],
    )
    make_member(
        name="Charlie",
        show_in_directory=True,
        sector="academia",
        country="FR",
        affiliation="Sciences Po",
        interests=[topics[0], topics[1]],
    )
    auth.login_as(make_member(name="Viewer"))

    def names(query):
        html = client.get(f"/members/?{query}").get_data(as_text=True)
        return [n for n in ("Alpha", "Bravo", "Charlie") if f"<h3>{n}</h3>" in html]

    assert names("") == ["Alpha", "Bravo", "Charlie"]
    assert names("sector=academia") == ["Bravo", "Charlie"]
    assert names("country=DE") == ["Alpha", "Bravo"]
    assert names(f"topic={topics[0].slug}") == ["Alpha", "Charlie"]
    assert names("q=vienna") == ["Bravo"]
    assert names("q=CHAR") == ["Charlie"]
    assert names("sector=academia&country=FR") == ["Charlie"]


def test_directory_paginates(client, auth, make_member):
    for i in range(25):
        make_member(name=f"Person {i:02d}", show_in_directory=True)
    auth.login_as(make_member())
    first = client.get("/members/").get_data(as_text=True)
    second = client.get("/members/?page=2").get_data(as_text=True)
    assert "Person 00" in first and "Person 19" in first and "Person 20" not in first
    assert "Person 20" in second and "Person 24" in second
    assert "Page 1 of 2" in first


def _count_queries(db, client, path):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    bind = db.session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(bind, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_directory_loads_in_the_same_number_of_queries_for_3_and_30_members(
    client, db, auth, make_member
):
    topics = _topics(db)
    viewer = make_member(name="Viewer")

    def add(n):
        for i in range(n):
            make_member(
                name=f"M{i}",
                show_in_directory=True,
                sector="academia",
                country="SI",
                interests=topics[i % 3 : i % 3 + 2],
            )
        db.session.commit()
        db.session.expire_all()  # nothing cached from creating them
        g.pop("_login_user", None)
        auth.login_as(viewer)

    add(3)
    topic_rows()  # the topics, unchanged all along, are read once and kept
    few = _count_queries(db, client, "/members/?page=1")
    add(27)
    many = _count_queries(db, client, "/members/?page=1")
    assert few == many
    assert few <= 10


def test_network_counts_under_five_read_fewer_than_5(db, make_member):
    for _ in range(6):
        make_member(sector="military", country="DE")
    make_member(sector="academia", country="SI")
    make_member(sector="academia", country="SI", is_active=False)  # not counted
    stats = services.network_stats()
    by_label = {b.label: b.text for b in stats["sectors"]}
    assert by_label == {"Military": "6", "Academia": "fewer than 5"}
    countries = {b.label: b.text for b in stats["countries"]}
    assert countries == {"Germany": "6", "Slovenia": "fewer than 5"}


def test_charts_are_svg_with_a_text_alternative_on_the_directory_and_home(
    client, auth, make_member
):
    for _ in range(5):
        make_member(sector="civil_society", country="BE")
    make_member(sector="government", country="FR")
    home = client.get("/").get_data(as_text=True)
    assert "The network at a glance" in home
    assert "<svg" in home and 'role="img"' in home
    assert "Civil society / NGO: 5" in home
    assert "Government: fewer than 5" in home
    assert "France: fewer than 5" in home and "Belgium: 5" in home
    assert "Government: 1" not in home
    g.pop("_login_user", None)  # Flask-Login cached the visitor in the test's app context
    auth.login_as(make_member())
    directory = client.get("/members/").get_data(as_text=True)
    assert "The network at a glance" in directory and "<svg" in directory


def test_many_countries_are_grouped_after_the_top_ten(db, make_member):
    codes = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR"]
    for code in codes:
        make_member(country=code)
    countries = services.network_stats()["countries"]
    assert len(countries) == 11
    assert countries[-1].label == "2 other countries"


def test_charts_kept_as_html_follow_each_change_of_a_member(client, db, make_member):
    for _ in range(5):
        make_member(sector="civil_society", country="BE")
    assert "Civil society / NGO: 5" in client.get("/").get_data(as_text=True)
    joined = make_member(sector="civil_society", country="BE")
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Civil society / NGO: 6" in home and "Belgium: 6" in home
    joined.sector = "government"
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Civil society / NGO: 5" in home and "Government: fewer than 5" in home
    # Kept per language: the French page has its own.
    assert "Société civile / ONG: 5" in client.get("/fr/").get_data(as_text=True)


def test_the_directory_reads_its_listed_members_from_their_index(db):
    """The directory's page and count read the listed members alone, in their order, from
    ix_members_directory (migration 0027): the index's condition is the query's, as each
    database renders it, or the database could not use it."""
    dialect = db.session.get_bind().dialect.name
    for q in (None, "ana"):
        query = services.directory_query(q=q).limit(20)
        sql = str(query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True}))
        if dialect == "postgresql":
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            db.session.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
            plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + sql)))
        else:
            rows = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))
            plan = "\n".join(row[-1] for row in rows)
        assert "ix_members_directory" in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # read in order


def test_country_filter_kept_as_html_still_marks_the_chosen_country_in_each_language(
    client, auth, make_member
):
    auth.login_as(make_member(name="Viewer Vera"))
    # `v` is no parameter of the directory: built each time, the country filter kept.
    pages = [
        client.get(path).get_data(as_text=True)
        for path in (
            "/members/?v=1",
            "/members/?v=1",
            "/members/?country=FR&v=1",
            "/fr/members/?v=1",
        )
    ]
    select = re.compile(r'<select id="country".*?</select>', re.S)
    assert select.search(pages[0]).group() == select.search(pages[1]).group()
    assert '<option value="FR">France</option>' in pages[0]
    assert '<option value="FR" selected>France</option>' in pages[2]
    assert '<option value="DE">Allemagne</option>' in pages[3]


def test_the_directory_counts_its_members_from_their_index_alone(
    client, db, auth, make_member, sqlite_statistics
):
    """The directory's total is counted from ix_members_directory without reading the
    members' rows (an index-only scan): counting every column read each listed member's
    row, the page's costliest statement at ten times the data."""
    for i in range(3):
        make_member(name=f"Listed {i}", show_in_directory=True)
    for i in range(6):
        make_member(name=f"Unlisted {i}")
    auth.login_as(make_member())
    connection = db.session.connection()
    if db.session.get_bind().dialect.name == "sqlite":
        # ANALYZE, as the maintenance job does (not on PostgreSQL: its statistics are the
        # whole database's, and other tests run beside this one), then the statistics of
        # the bench's database at ten times the data (50,000 members, 20,000 listed;
        # sampled), with which SQLite counted them by reading the table.
        sqlite_statistics(
            "members",
            {
                "ix_members_directory": "19272 1 1 1",
                "ix_members_organisation_id": "53360 1001",
                "ix_members_updated_at": "41420 1001",
                "ix_members_sector": "25875 1001",
                "ix_members_country": "51480 1001",
                "sqlite_autoindex_members_1": "33900 1",
            },
        )
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT COUNT("):
            seen.append((statement, parameters))

    bind = db.session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", keep)
    try:
        page = client.get("/members/?v=count").get_data(as_text=True)
    finally:
        sa.event.remove(bind, "before_cursor_execute", keep)
    assert "Listed 2" in page
    counts = [(s, p) for s, p in seen if "members" in s and "show_in_directory" in s]
    assert len(counts) == 1, seen
    statement, parameters = counts[0]
    if bind.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        plan = "\n".join(row[0] for row in rows)
        assert "Index Only Scan using ix_members_directory" in plan, plan
    else:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(row[-1] for row in rows)
        assert "ix_members_directory" in plan, plan
        # SQLite opens the table beside the index but reads no column of it (a Column
        # opcode on the table's cursor would read the row; the id is the index's).
        root = connection.exec_driver_sql(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'members'"
        ).scalar()
        program = list(connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        tables = {row[2] for row in program if row[1] == "OpenRead" and row[3] == root}
        assert tables, program
        assert not [row for row in program if row[1] == "Column" and row[2] in tables]


def test_the_directory_counts_once_for_its_pages_and_again_after_a_change(
    client, db, auth, make_member, count_queries
):
    """The total is kept under the members' fingerprint for the same filters: the other
    pages of the same list do not count again; a new member, or another filter, does."""
    for i in range(25):
        make_member(name=f"Person {i:02d}", show_in_directory=True, sector="academia")
    make_member(name="Soldier", show_in_directory=True, sector="military")
    auth.login_as(make_member())
    assert "Page 1 of 2" in client.get("/members/").get_data(as_text=True)
    with count_queries() as counter:
        second = client.get("/members/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Person 20" in second
    assert not [s for s in counter.statements if "count(" in s.lower() and "members" in s]
    military = client.get("/members/?sector=military").get_data(as_text=True)
    assert "Soldier" in military and "Person 00" not in military
    assert "Page 1 of 2" not in military
    for i in range(15):
        make_member(name=f"Newcomer {i:02d}", show_in_directory=True, sector="academia")
    assert "Page 2 of 3" in client.get("/members/?page=2").get_data(as_text=True)


def test_directory_cards_are_kept_until_their_member_or_a_topic_changes(
    client, db, auth, make_member, count_queries
):
    """Each member's card is kept as HTML (named by the member's `updated_at` and the
    topics'): another page of the directory showing the same members reads their ids
    alone, loading neither them nor their interests; a change to the member, to their
    interests or to a topic's name shows at once."""
    first, second = _topics(db)[:2]
    ana = make_member(name="Ana Kept", show_in_directory=True, sector="academia", interests=[first])
    make_member(name="Bo Kept", show_in_directory=True, sector="military")
    db.session.commit()
    auth.login_as(make_member(name="Viewer"))
    page = client.get("/members/?q=kept").get_data(as_text=True)
    assert "Ana Kept" in page and "Bo Kept" in page and first.name in page

    with count_queries() as counter:
        again = client.get("/members/?q=kep").get_data(as_text=True)
    assert "Ana Kept" in again and "Bo Kept" in again and first.name in again
    assert "Academia" in again
    assert not [s for s in counter.statements if "member_interests" in s]
    assert not [s for s in counter.statements if "members.bio" in s and " IN (" in s]

    ana.name = "Ana Renamed"
    db.session.commit()
    page = client.get("/members/?q=a").get_data(as_text=True)
    assert "Ana Renamed" in page and "Ana Kept" not in page

    ana.interests = [second]
    db.session.commit()
    page = client.get("/members/?q=an").get_data(as_text=True)
    card = page[page.index("Ana Renamed") :].split("</li>", 1)[0]
    assert second.name in card and first.name not in card

    second.name = "Renamed Topic"
    db.session.commit()
    page = client.get("/members/?q=ren").get_data(as_text=True)
    card = page[page.index("Ana Renamed") :].split("</li>", 1)[0]
    assert "Renamed Topic" in card

    # Each language has its own cards.
    french = client.get("/fr/members/?q=ren").get_data(as_text=True)
    assert "Ana Renamed" in french and "Enseignement supérieur et recherche" in french
