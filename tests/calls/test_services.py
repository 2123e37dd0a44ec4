"""The rules of a call for papers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from interacta.calls import services
from interacta.calls.models import Call
from interacta.core.models import utcnow


def _values(**overrides):
    values = {
        "deadline": datetime(2030, 3, 1, 18, 0),
        "scope": "Scope",
        "types": ["paper"],
        "criteria": [("Relevance", 2), ("Clarity", 1)],
    }
    values.update(overrides)
    return services.CallValues(**values)


def test_deadline_is_read_in_the_events_zone(db, make_event):
    event = make_event(starts_at=utcnow().replace(year=2030), timezone="America/New_York")
    call = services.save_call(event, _values(deadline=datetime(2030, 3, 1, 18, 0)))
    assert call.deadline_at.replace(tzinfo=None) == datetime(2030, 3, 1, 23, 0)


def test_call_closes_at_the_deadline_minute(db, make_call):
    call = make_call()
    assert call.is_open(call.deadline_at - timedelta(seconds=1))
    assert not call.is_open(call.deadline_at)


def test_saving_again_changes_the_one_call(db, make_event):
    event = make_event(starts_at=utcnow().replace(year=2030))
    services.save_call(event, _values())
    call = services.save_call(
        event, _values(types=["talk", "paper"], criteria=[("Clarity", 3), ("Impact", 1)])
    )
    assert db.session.query(Call).filter_by(event_id=event.id).count() == 1
    assert call.type_keys == ["paper", "talk"]  # in the house order
    assert [(c.name, c.weight) for c in call.criteria] == [("Clarity", 3), ("Impact", 1)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"types": []}, "types"),
        ({"types": ["lecture"]}, "types"),
        ({"blind_mode": "triple"}, "blind_mode"),
        ({"abstract_word_limit": 5}, "abstract_word_limit"),
        ({"reviews_per_submission": 0}, "reviews_per_submission"),
        ({"criteria": []}, "criteria"),
        ({"criteria": [("Relevance", 0)]}, "criteria"),
        ({"criteria": [("Relevance", 1), ("relevance", 2)]}, "criteria"),
        ({"deadline": datetime(2031, 1, 1, 9, 0)}, "deadline"),
        ({"decision_on": date(2030, 2, 1)}, "decision_on"),
    ],
)
def test_invalid_values_are_refused_beside_their_field(db, make_event, overrides, field):
    event = make_event(starts_at=utcnow().replace(year=2030, month=6, day=1))
    with pytest.raises(services.InvalidCall) as caught:
        services.save_call(event, _values(**overrides))
    assert caught.value.field == field


def test_a_deadline_skipped_by_the_clock_change_is_refused(db, make_event):
    event = make_event(starts_at=utcnow().replace(year=2030, month=6, day=1))
    with pytest.raises(services.InvalidCall) as caught:
        services.save_call(event, _values(deadline=datetime(2030, 3, 31, 2, 30)))
    assert caught.value.field == "deadline"


def test_criteria_are_parsed_from_lines():
    assert services.parse_criteria("Relevance | 2\n\nClarity\n") == [
        ("Relevance", 2),
        ("Clarity", 1),
    ]
    with pytest.raises(services.InvalidCall):
        services.parse_criteria("Relevance | high")


def test_closes_in_counts_days_then_hours_then_minutes(app, db, make_call):
    call = make_call()
    deadline = call.deadline_at
    with app.test_request_context():
        assert services.closes_in(call, deadline - timedelta(days=3, hours=2)) == (
            "Closes in 3 days."
        )
        assert services.closes_in(call, deadline - timedelta(hours=5)) == "Closes in 5 hours."
        assert services.closes_in(call, deadline - timedelta(seconds=90)) == ("Closes in 1 minute.")
        assert services.closes_in(call, deadline) is None
