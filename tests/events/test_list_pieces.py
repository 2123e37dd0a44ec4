"""The events list reads its events only for the pieces not kept as HTML
(interacta.core.deferred): the same page either way, fewer statements when kept."""

from __future__ import annotations

# `v` is no parameter of the list: such a request is built, never served from the page
# cache, while the pieces of the list stay kept (as on a crawler's walk).
PATH = "/events/?v=1"


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_events_list_with_its_pieces_kept_shows_the_same_page_and_seats(
    client, db, make_event, count_queries
):
    make_event(title="Small seminar", capacity=5)
    make_event(title="Open forum", capacity=None)
    first = _page(client, PATH)
    with count_queries() as warm:
        second = _page(client, PATH)
    assert first == second
    assert "Small seminar" in second and "5 seats left" in second
    assert not [s for s in warm.statements if "event_translations" in s]


def test_an_event_not_kept_beside_kept_ones_is_shown_in_full(client, db, make_event):
    make_event(title="First event", summary="First summary")
    _page(client, PATH)
    make_event(title="Second event", summary="Second summary", format="online")
    html = _page(client, PATH)
    assert "First event" in html and "First summary" in html
    assert "Second event" in html and "Second summary" in html


def test_calendar_with_its_days_kept_shows_the_same_page_without_reading_the_events(
    client, db, make_event, count_queries
):
    from datetime import UTC, datetime

    starts = datetime(2031, 3, 12, 9, tzinfo=UTC)
    make_event(title="Kept workshop", starts_at=starts, ends_at=starts.replace(hour=12))
    make_event(
        title="Cancelled one", starts_at=starts, ends_at=starts.replace(hour=10), status="cancelled"
    )
    path = "/events/calendar?month=2031-03&v=1"
    first = _page(client, path)
    with count_queries() as warm:
        second = _page(client, path)
    assert first == second
    assert "Kept workshop" in second and "Cancelled one" in second
    assert not [s for s in warm.statements if "event_translations" in s]


def test_calendar_day_follows_a_changed_event(client, db, make_event):
    from datetime import UTC, datetime

    from interacta.core.models import utcnow

    starts = datetime(2031, 3, 12, 9, tzinfo=UTC)
    event = make_event(title="Old title", starts_at=starts, ends_at=starts.replace(hour=12))
    path = "/events/calendar?month=2031-03&v=1"
    assert "Old title" in _page(client, path)
    event.title = "New title"
    event.updated_at = utcnow()
    db.session.flush()
    html = _page(client, path)
    assert "New title" in html and "Old title" not in html


def test_a_list_filtered_by_kind_is_counted_from_its_index(db, make_event, make_member):
    """The upcoming list of one kind is counted from ix_events_kind_window (migration
    0031) alone, not from every upcoming event's row."""
    import sqlalchemy as sa

    from interacta.events import services

    # Events of every kind, and the planner's statistics of them: on an empty table any
    # index costs the same, and the plan would be the planner's whim.
    organizer = make_member(role="organizer")
    kinds = ("seminar", "workshop", "symposium", "conference", "course")
    for n in range(40):
        make_event(kind=kinds[n % len(kinds)], organizer=organizer)
    db.session.execute(sa.text("ANALYZE events"))
    query = services.upcoming_query(services.Filters(kind="seminar"))
    count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    bind = db.session.get_bind()
    sql = str(count.compile(bind, compile_kwargs={"literal_binds": True}))
    if bind.dialect.name == "postgresql":
        # Which index the planner picks among those that could serve depends on a few
        # rows' statistics (a CI run once chose ix_events_starts_at, reading every row):
        # the other indexes on the window are dropped inside the test's transaction (rolled
        # back with it), and only an index holding the kind, the status, the window and the
        # id can then answer the count by an index-only scan.
        db.session.execute(sa.text("DROP INDEX ix_events_starts_at, ix_events_status_window"))
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        db.session.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + sql)))
    else:
        plan = "\n".join(
            row[-1] for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))
        )
    assert "ix_events_kind_window" in plan, plan
    if bind.dialect.name == "postgresql":
        assert "Index Only Scan" in plan, plan


#: The planner statistics of the bench's database at ten times the data (20,000 events).
BENCH_EVENT_STATISTICS = {
    "ix_events_starts_at": "20020 3 1 1 1 1 1",
    "ix_events_kind_window": "16544 1001 1001 2 1",
    "ix_events_status_window": "21546 1001 3 2",
    "ix_events_updated_at": "9919 3",
    "ix_events_organizer_id": "19451 42",
    "sqlite_autoindex_events_1": "18850 1",
}


def test_the_month_calendar_reads_its_events_from_one_index_alone(
    app, db, make_event, make_member, request
):
    """The calendar's statement (every event of the weeks shown: id, times, zone, last
    change) is answered by ix_events_starts_at alone, in order (migration 0035): no row of
    the events table read, nothing sorted."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from interacta.events import services

    organizer = make_member(role="organizer")
    starts = datetime(2031, 3, 1, 9, tzinfo=UTC)
    for n in range(40):
        when = starts + timedelta(days=n % 28, hours=n % 5)
        make_event(organizer=organizer, starts_at=when, ends_at=when + timedelta(hours=2))
    seen = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", keep)
    try:
        grid = services.month_grid(datetime(2031, 3, 1).date())
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", keep)
    assert sum(len(events) for events in grid.by_day.values()) >= 40
    statement, parameters = next((s, p) for s, p in seen if "timezone" in s and "ORDER BY" in s)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # The planner's choice among indexes that could serve depends on a few rows'
        # statistics: the other window indexes are dropped inside the test's transaction.
        connection.exec_driver_sql("DROP INDEX ix_events_status_window, ix_events_kind_window")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        plan = "\n".join(
            r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        )
        assert "Index Only Scan using ix_events_starts_at" in plan, plan
        assert "Sort" not in plan, plan
    else:
        request.getfixturevalue("sqlite_statistics")("events", BENCH_EVENT_STATISTICS)
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(row[-1] for row in rows)
        assert "COVERING INDEX ix_events_starts_at" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
