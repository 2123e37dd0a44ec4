"""The list of events to come counts its events once for all its pages: the total is kept
under the events' fingerprint for the same filters until the first event it counts ends."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta


def _total(html: str) -> int:
    return int(re.search(r"(\d+) in all", html).group(1))


def test_the_other_pages_read_the_kept_total(client, make_event, count_queries):
    start = datetime.now(UTC) + timedelta(days=3)
    for i in range(12):
        make_event(title=f"Paged {i:02d}", starts_at=start + timedelta(hours=i))
    make_event(title="Conference", kind="conference", starts_at=start)
    assert _total(client.get("/events/").get_data(as_text=True)) == 13
    with count_queries() as counter:
        second = client.get("/events/?page=2").get_data(as_text=True)
    assert _total(second) == 13
    counted = [s for s in counter.statements if s.lower().startswith("select count(")]
    assert counted == []
    # Another filter has a total of its own; a new event is counted at once.
    conferences = client.get("/events/?kind=conference").get_data(as_text=True)
    assert "Conference" in conferences and "Paged 00" not in conferences
    assert "13 in all" not in conferences
    make_event(title="Late addition", starts_at=start + timedelta(days=1))
    assert _total(client.get("/events/?page=2").get_data(as_text=True)) == 14


def test_the_kept_total_is_counted_again_once_its_first_event_ended(client, make_event):
    now = datetime.now(UTC)
    make_event(
        title="Ending now", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(seconds=2)
    )
    for i in range(12):
        make_event(title=f"Later {i}", starts_at=now + timedelta(days=2 + i))
    assert _total(client.get("/events/?v=1").get_data(as_text=True)) == 13
    time.sleep(2.5)  # bounded: the first event ends
    again = client.get("/events/?v=2").get_data(as_text=True)
    assert "Ending now" not in again
    assert _total(again) == 12
