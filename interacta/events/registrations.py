"""Registration (issue 6). Until it exists, nobody is registered."""

from __future__ import annotations


def confirmed_counts(event_ids: list[int]) -> dict[int, int]:
    return {}


def active_registrants(event) -> list:
    return []


def is_confirmed(event, member) -> bool:
    return False


def page_context(event, member) -> dict | None:
    return None
