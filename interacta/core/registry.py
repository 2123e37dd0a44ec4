"""What blueprints register with `core` so that shared features reach all of them.

- personal data: how to export and erase what a blueprint holds about a member, so the
  member's export and erasure call every provider and `members/` never imports `events/`;
- demo data: what `flask seed-demo` creates, in order;
- home sections: what the home page shows (next events, latest publications).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class PersonalDataProvider:
    name: str
    #: export(member) -> JSON-serialisable data
    export: Callable[[Any], Any]
    #: erase(member) -> None; runs inside the erasure transaction
    erase: Callable[[Any], None]


@dataclass(frozen=True)
class DemoSeeder:
    order: int
    name: str
    seed: Callable[[], None]


@dataclass(frozen=True)
class HomeSection:
    order: int
    template: str
    #: load() -> dict of template context
    load: Callable[[], dict]


def _store(app: Flask) -> dict:
    return app.extensions.setdefault(
        "interacta.registry", {"personal_data": [], "demo": [], "home": []}
    )


def register_personal_data(app: Flask, provider: PersonalDataProvider) -> None:
    _store(app)["personal_data"].append(provider)


def register_demo(app: Flask, seeder: DemoSeeder) -> None:
    _store(app)["demo"].append(seeder)


def register_home_section(app: Flask, section: HomeSection) -> None:
    _store(app)["home"].append(section)


def personal_data_providers() -> list[PersonalDataProvider]:
    return list(_store(current_app)["personal_data"])


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_store(current_app)["demo"], key=lambda s: s.order)


def home_sections() -> list[HomeSection]:
    return sorted(_store(current_app)["home"], key=lambda s: s.order)


def export_member_data(member) -> dict:
    """Everything every registered provider holds about `member`."""
    return {p.name: p.export(member) for p in personal_data_providers()}


def erase_member_data(member) -> None:
    """Ask every registered provider to erase what it holds about `member`."""
    for provider in personal_data_providers():
        provider.erase(member)
