"""Issue 13 inside events: confirming re-checks every rule (14), formulas in the
participants CSV (8), one event cannot slow the calendar (11), calendar files reuse
their zone data (12)."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import utcnow
from interacta.events import ics, services
from interacta.events.models import Event

# --- 14: a pending guest registration is confirmed only while every rule still holds ------


def _past(event):
    event.starts_at = utcnow() - timedelta(days=2)
    event.ends_at = utcnow() - timedelta(days=1)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda e: setattr(e, "audience", "members"), "members only"),
        (lambda e: setattr(e, "status", "cancelled"), "cancelled"),
        (lambda e: setattr(e, "registration_closes_at", utcnow() - timedelta(hours=1)), "closed"),
        (_past, "already taken place"),
    ],
    ids=["members-only", "cancelled", "closed", "past"],
)
def test_a_pending_guest_cannot_confirm_once_registration_is_no_longer_open_to_them(
    client, make_event, make_registration, db, outbox, change, message
):
    event = make_event(capacity=5, format="hybrid", online_url="https://meet.example/secret")
    pending = make_registration(event=event, status="pending")
    change(event)
    db.session.flush()
    response = client.post(f"/events/registration/{pending.token}/confirm")
    assert response.status_code in (403, 409)
    assert message in response.data.decode()
    db.session.refresh(pending)
    assert pending.status == "pending"
    assert outbox(to=pending.email) == []
    page = client.get(f"/events/registration/{pending.token}").data.decode()
    assert "https://meet.example/secret" not in page
    assert "Confirm my registration" not in page
    assert message in page


# --- 8: no formula reaches a spreadsheet, whatever separator it splits on ----------------

DANGEROUS = ["ACME\t=1+1", "x;@SUM(1+1)", "a,+1", "b|-2+3", "=HYPERLINK(1)", "c; =1", "\r=2"]


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_participants_csv_neutralises_formulas_after_every_separator(
    client, auth, organizer, make_event, make_registration, separator
):
    event = make_event(organizer=organizer)
    for i, text in enumerate(DANGEROUS):
        make_registration(event=event, name=text, affiliation=text, note=text,
                          email=f"g{i}@example.org")  # fmt: skip
    auth.login_as(organizer)
    text = client.get(f"/events/manage/{event.id}/participants.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    cells = [cell for row in rows[1:] for cell in row]
    live = [cell for cell in cells if cell.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert live == []
    # What people typed is still all there, only quoted.
    names = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert sorted(n.replace("'", "") for n in names) == sorted(DANGEROUS)


# --- 11: an event's length is bounded, and a huge one cannot slow the calendar -----------


def test_an_event_longer_than_the_configured_maximum_is_refused_beside_the_end_field(app):
    starts = datetime(2030, 1, 1, 9, tzinfo=UTC)
    values = {"kind": "workshop", "format": "online", "audience": "all",
              "online_url": "https://meet.example/x", "starts_at": starts}  # fmt: skip
    with app.app_context():
        ok = services.validate_event_values(values | {"ends_at": starts + timedelta(days=60)})
        errors = services.validate_event_values(values | {"ends_at": starts + timedelta(days=61)})
        app.config["EVENT_MAX_DAYS"] = 400
        try:
            longer = services.validate_event_values(
                values | {"ends_at": starts + timedelta(days=61)}
            )
        finally:
            app.config["EVENT_MAX_DAYS"] = 60
    assert ok == {} and longer == {}
    assert "at most 60 days" in errors["ends_at"]


def _lines_run_in(function, call):
    """How many lines of `function` ran during `call()` (stops it beyond 10,000)."""
    count = 0
    code = function.__code__

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None

        def local(frame, event, arg):
            nonlocal count
            if event == "line":
                count += 1
                if count > 10_000:
                    raise RuntimeError("too much work")
            return local

        return local

    sys.settrace(tracer)
    try:
        result = call()
    finally:
        sys.settrace(None)
    return count, result


def test_an_event_from_year_1_to_9999_does_not_slow_the_calendar(client, make_event, db):
    event = make_event(title="Forever")
    # Inserted directly, as an old row or another tool could have left it.
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event.id)
        .values(starts_at=datetime(1, 1, 2, tzinfo=UTC), ends_at=datetime(9999, 12, 30, tzinfo=UTC))
    )
    db.session.expire_all()
    count, grid = _lines_run_in(services._grid_cells, lambda: services.month_grid(date(2031, 3, 1)))
    weeks, by_day = grid.weeks, grid.by_day
    assert count < 2_000
    days = [day for week in weeks for day in week]
    assert all(event.id in {e.id for e in by_day.get(day, [])} for day in days)
    response = client.get("/events/calendar?month=2031-03")
    assert response.status_code == 200
    assert "Forever" in response.data.decode()


# --- 12: the zone data of a calendar file is computed once per (zone, year) --------------


def test_calendar_files_reuse_the_zone_data_per_zone_and_year(app, make_event, monkeypatch):
    calls = []
    real = ics._transitions

    def counting(tz, year):
        calls.append((str(tz), year))
        return real(tz, year)

    monkeypatch.setattr(ics, "_transitions", counting)
    if hasattr(ics, "_zone_rules"):
        ics._zone_rules.cache_clear()
    ics._vtimezone_text.cache_clear()  # the VTIMEZONE text is memoised on top (issue 22)
    first = make_event(timezone="Europe/Brussels")
    second = make_event(timezone="Europe/Brussels")
    with app.test_request_context():
        one = ics.calendar_bytes([first])
        for _ in range(5):
            ics.calendar_bytes([second])
    assert calls == [("Europe/Brussels", first.starts_at.year - 1)]
    assert b"BEGIN:VTIMEZONE" in one and b"TZID:Europe/Brussels" in one
    assert b"RRULE:FREQ=YEARLY" in one
