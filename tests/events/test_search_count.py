"""The events lists searched for words count at most SEARCH_COUNT_BOUND matches: past it the
pager says "more than" and keeps a next page while there are results; below it, and
without words, the exact total as before. The bound and the page size are lowered here so
the lists stay small."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import services, views

BOUND = 5
PER_PAGE = 2


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(services, "SEARCH_COUNT_BOUND", BOUND)
    monkeypatch.setattr(views, "PER_PAGE", PER_PAGE)


def make_talks(make_event, db, n: int, past: bool = False) -> list[str]:
    """`n` events whose title holds "harbour", in the list's order; one that does not."""
    start = utcnow().replace(microsecond=0) + (-timedelta(days=30) if past else timedelta(days=3))
    step = timedelta(hours=-1 if past else 1)
    titles = [f"Harbour talk {i:02d}" for i in range(n)]
    for i, title in enumerate(titles):
        make_event(title=title, starts_at=start + i * step)
    make_event(title="Other meeting", starts_at=start)
    db.session.commit()
    return titles


def page(client, path: str) -> tuple[list[str], str, bool, list[int]]:
    """The titles a page shows, its pager's line, whether it links a next page, and the
    page numbers it links."""
    html = client.get(path).data.decode()
    titles = re.findall(r"Harbour talk \d\d|Other meeting", html)
    line = re.search(r'<p class="small">([^<]*)</p>', html)
    numbers = [int(n) for n in re.findall(r'page=(\d+)">\d+</a>', html)]
    return list(dict.fromkeys(titles)), line.group(1) if line else "", 'rel="next"' in html, numbers


@pytest.mark.parametrize("past", [False, True])
def test_more_matches_than_the_bound_say_more_than_and_page_on(client, make_event, db, past):
    titles = make_talks(make_event, db, 9, past=past)
    base = "/events/past?q=harbour" if past else "/events/?q=harbour"

    shown, line, has_next, numbers = page(client, base)
    assert shown == titles[:2]
    assert line == "Page 1 · more than 5 in all"
    assert has_next and numbers == [2, 3]  # the pages the bound allows

    seen = []
    for n in range(1, 6):
        shown, line, has_next, _numbers = page(client, f"{base}&page={n}")
        assert line == f"Page {n} · more than 5 in all"
        assert has_next is (n < 5)  # a next page as long as there are results
        seen += shown
    assert seen == titles  # every match, in the list's order, once

    shown, _line, has_next, _numbers = page(client, f"{base}&page=6")
    assert shown == [] and not has_next


@pytest.mark.parametrize("n", [4, 5])
def test_up_to_the_bound_the_total_is_exact(client, make_event, db, n):
    titles = make_talks(make_event, db, n)
    shown, line, has_next, _numbers = page(client, "/events/?q=harbour")
    assert shown == titles[:2]
    assert line == f"Page 1 of {(n + 1) // 2} · {n} in all"
    assert has_next
    shown, line, has_next, _numbers = page(client, f"/events/?q=harbour&page={(n + 1) // 2}")
    assert shown == titles[-(n % 2 or 2) :]
    assert not has_next
    shown, _line, has_next, _numbers = page(client, "/events/?q=harbour&page=4")
    assert shown == [] and not has_next  # past the last page, within the bound


def test_without_words_the_total_is_exact_past_the_bound(client, make_event, db):
    make_talks(make_event, db, 9)
    _shown, line, _has_next, _numbers = page(client, "/events/")
    assert line == "Page 1 of 5 · 10 in all"


def test_the_bounded_wording_is_translated(client, make_event, db):
    make_talks(make_event, db, 9)
    _shown, line, _has_next, _numbers = page(client, "/fr/events/?q=harbour")
    assert line == "Page 1 · plus de 5 au total"


def test_a_page_within_the_bound_is_read_and_counted_by_one_statement(
    app, make_event, db, count_queries
):
    make_talks(make_event, db, 9)
    query = services.upcoming_query(services.Filters(q="harbour"))
    # Page 1 within the bound (its rows and the count: one read); page 4 past it (it starts
    # at the 7th match: its rows alone, more than the bound since it has some).
    for n, first in ((1, "Harbour talk 00"), (4, "Harbour talk 06")):
        with count_queries() as counter:
            pagination = services.list_page(query, page=n, per_page=PER_PAGE, words=True)
        assert counter.count == 1
        assert pagination.bounded and pagination.total == BOUND and pagination.has_next
        assert pagination.items[0].title == first


@pytest.mark.parametrize("past", [False, True])
def test_the_count_of_a_search_is_kept_for_its_other_pages(client, make_event, db, past):
    titles = make_talks(make_event, db, 4, past=past)
    base = "/events/past?q=harbour" if past else "/events/?q=harbour"
    assert page(client, base)[1] == "Page 1 of 2 · 4 in all"

    statements = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        shown, line, has_next, _numbers = page(client, f"{base}&page=2")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    assert (shown, line, has_next) == (titles[2:], "Page 2 of 2 · 4 in all", False)
    # Its rows read alone: the matches were not gathered and counted again.
    assert statements and not [s for s in statements if "gathered" in s]

    # A new match is counted at once.
    start = utcnow() + (-timedelta(days=40) if past else timedelta(days=9))
    make_event(title="Harbour talk 99", starts_at=start)
    db.session.commit()
    assert page(client, f"{base}&page=2")[1] == "Page 2 of 3 · 5 in all"
