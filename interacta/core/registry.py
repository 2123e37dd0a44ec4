"""What blueprints register with `core` so that shared features reach all of them.

- personal data: how to export and erase what a blueprint holds about a member, so the
  member's export and erasure call every provider and `members/` never imports `events/`;
- demo data: what `flask seed-demo` creates, in order;
- home sections: what the home page shows (next events, latest publications), with the
  models each reads, so the cached home page is rebuilt when any of them changes;
- related items: what another blueprint adds to a page it does not own (the publications
  presented at an event, a member's publications on their account page);
- cache-key contributors: request state a cached page depends on (the cookie choice);
- schema filters: database objects a blueprint's migrations make outside the models
  (full-text indexes), left out of autogenerate;
- stylesheets: the CSS files base.html links, in order;
- answers: what a blueprint answers when another asks a named question about its
  subject (the events ask who co-organises an event: the network answers).

A blueprint registers in its `init_app(app)`; core reads the lists and imports no blueprint.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
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
    #: The models whose rows the section shows: the home page's cache fingerprint reads them.
    models: tuple[type, ...] = ()


@dataclass(frozen=True)
class RelatedItems:
    """A section another blueprint adds to a page: `template` is included with `context`
    set to `load(subject)` (the event, the member)."""

    #: Which page: "event" (the event page) or "member" (the member's own account page).
    page: str
    order: int
    template: str
    load: Callable[[Any], dict]
    #: The models whose rows it shows, for the page's cache fingerprint.
    models: tuple[type, ...] = ()
    #: Optional: `present(id_column)`, a condition on the subject's id (an EXISTS) true when
    #: the section has something to show. The page reads it with its subject, in the same
    #: statement, and when it is false includes the template with `absent(subject)` as its
    #: context instead of calling `load` (a statement saved on most pages).
    present: Callable[[Any], Any] | None = None
    absent: Callable[[Any], dict] | None = None


@dataclass(frozen=True)
class CacheKeyContributor:
    name: str
    #: contribute() -> a hashable value; a cached page is kept apart per value.
    contribute: Callable[[], Hashable]


_KINDS = (
    "personal_data",
    "demo",
    "home",
    "related",
    "cache_key",
    "schema_filter",
    "css",
    "answer",
)


def _store(app: Flask) -> dict:
    store = app.extensions.setdefault("interacta.registry", {})
    for kind in _KINDS:
        store.setdefault(kind, [])
    return store


def register_personal_data(app: Flask, provider: PersonalDataProvider) -> None:
    _store(app)["personal_data"].append(provider)


def register_demo(app: Flask, seeder: DemoSeeder) -> None:
    _store(app)["demo"].append(seeder)


def register_home_section(app: Flask, section: HomeSection) -> None:
    _store(app)["home"].append(section)


def register_related_items(app: Flask, related: RelatedItems) -> None:
    _store(app)["related"].append(related)


def register_cache_key(app: Flask, contributor: CacheKeyContributor) -> None:
    _store(app)["cache_key"].append(contributor)


def register_schema_filter(app: Flask, include_name: Callable[[Any, str, Any], bool]) -> None:
    """`include_name(name, type_, parent_names)` as Alembic's: False leaves the object out
    of autogenerate (and so out of the models-versus-migrations drift check)."""
    _store(app)["schema_filter"].append(include_name)


def register_stylesheet(app: Flask, filename: str) -> None:
    """A file under static/ that every page links, after site.css (in registration order)."""
    if filename not in _store(app)["css"]:
        _store(app)["css"].append(filename)


def register_answer(app: Flask, question: str, answer: Callable[[Any], list]) -> None:
    """`answer(subject)` -> a list, joined with the other blueprints' for `question`."""
    _store(app)["answer"].append((question, answer))


def answers(question: str, subject) -> list:
    """Every registered answer to `question` about `subject`, in registration order."""
    return [
        item
        for q, answer in _store(current_app)["answer"]
        if q == question
        for item in answer(subject)
    ]


def personal_data_providers() -> list[PersonalDataProvider]:
    return list(_store(current_app)["personal_data"])


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_store(current_app)["demo"], key=lambda s: s.order)


def home_sections() -> list[HomeSection]:
    return sorted(_store(current_app)["home"], key=lambda s: s.order)


def home_models() -> tuple[type, ...]:
    """Every model a home section shows."""
    return _unique(m for section in home_sections() for m in section.models)


def related_items(page: str) -> list[RelatedItems]:
    return sorted((r for r in _store(current_app)["related"] if r.page == page), key=_order)


def related_sections(page: str, subject, present: Mapping | None = None) -> list[tuple[str, dict]]:
    """(template, context) of each section registered for `page`, loaded for `subject`;
    `present`: what the page read of `related_presence(page)` (RelatedItems -> bool), each
    section known to have nothing to show with its `absent` context, without loading."""
    present = present or {}
    return [
        (r.template, r.absent(subject) if present.get(r) is False else r.load(subject))
        for r in related_items(page)
    ]


def related_presence(page: str) -> tuple[RelatedItems, ...]:
    """The sections of `page` that say with a condition whether they have anything to show
    (`RelatedItems.present`), in their order: the page reads those conditions with its
    subject and passes what it found to `related_sections`."""
    return tuple(r for r in related_items(page) if r.present is not None and r.absent)


def related_models(page: str) -> tuple[type, ...]:
    return _unique(m for r in related_items(page) for m in r.models)


def cache_key_parts() -> tuple:
    """What every contributor says about the current request, by name."""
    contributors = sorted(_store(current_app)["cache_key"], key=lambda c: c.name)
    return tuple((c.name, c.contribute()) for c in contributors)


def schema_filters() -> list[Callable[[Any, str, Any], bool]]:
    return list(_store(current_app)["schema_filter"])


def stylesheets() -> list[str]:
    return list(_store(current_app)["css"])


def _order(item) -> int:
    return item.order


def _unique(models) -> tuple[type, ...]:
    return tuple(dict.fromkeys(models))


def export_member_data(member) -> dict:
    """Everything every registered provider holds about `member`."""
    return {p.name: p.export(member) for p in personal_data_providers()}


def erase_member_data(member) -> None:
    """Ask every registered provider to erase what it holds about `member`."""
    for provider in personal_data_providers():
        provider.erase(member)
