"""Rules of the room: what participants may do with what is said at an event or session.

An event has one rule; an agenda session may set its own, which overrides the event's.
The one-sentence explanations are the standard ones (Chatham House's own wording for its
rule); `/about#rules-of-the-room` explains all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ON_RECORD = "on_record"
CHATHAM_HOUSE = "chatham_house"
OFF_RECORD = "off_record"
#: The stored values, in the order forms offer them.
RULES = (ON_RECORD, CHATHAM_HOUSE, OFF_RECORD)
#: Under these rules nothing said may be published: no recording.
NO_RECORDING = frozenset({CHATHAM_HOUSE, OFF_RECORD})
#: Where the site explains the rules (pages.about with this fragment).
ANCHOR = "rules-of-the-room"


@dataclass(frozen=True)
class Rule:
    value: str
    label: object
    explanation: object


_RULES = {
    ON_RECORD: Rule(
        ON_RECORD,
        _l("On the record"),
        _l("What is said may be quoted and attributed to the speaker by name."),
    ),
    CHATHAM_HOUSE: Rule(
        CHATHAM_HOUSE,
        _l("Chatham House Rule"),
        _l(
            "Participants are free to use the information received, but neither the identity"
            " nor the affiliation of the speaker(s), nor that of any other participant, may"
            " be revealed."
        ),
    ),
    OFF_RECORD: Rule(
        OFF_RECORD,
        _l("Off the record"),
        _l("Nothing said may be reported, quoted or attributed, in any form."),
    ),
}


def rule(value: str | None) -> Rule:
    """The rule stored as `value` (on the record for an unknown or empty value)."""
    return _RULES.get(value or ON_RECORD, _RULES[ON_RECORD])


def all_rules() -> list[Rule]:
    return [_RULES[v] for v in RULES]


def effective(event, session=None) -> Rule:
    """The rule that applies: the session's own if it sets one, else the event's."""
    value = getattr(session, "room_rule", None) or getattr(event, "room_rule", None)
    return rule(value)


def allows_recording(value: str | None) -> bool:
    return (value or ON_RECORD) not in NO_RECORDING
