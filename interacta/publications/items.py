"""Records as a piece of a list shows them (`pub_item` in publications/_macros.html: the
list and its search, the home page, a record's related records).

A piece not kept as HTML (`core.cache.cached_fragment`) needs a record's title in each
language, its authors' names, year, kind and journal: read here as plain rows, in two
statements for a whole page, instead of as ORM objects with every column, their authors
and translations (three statements, and most of the time of a page built from scratch:
some 70 objects made for 20 pieces)."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from interacta.extensions import db
from interacta.publications.models import Publication, PublicationAuthor, PublicationTranslation


class ItemAuthor(NamedTuple):
    name: str


class ItemTitle(NamedTuple):
    """A translation of the title (`core.content.translated` reads `language` and the
    field asked for)."""

    language: str
    title: str


class ListItem:
    """A record as `pub_item` reads it."""

    __slots__ = (
        "id", "updated_at", "slug", "kind", "title", "year", "journal", "language",
        "authors", "translations",
    )  # fmt: skip

    def __init__(self, row) -> None:
        (self.id, self.updated_at, self.slug, self.kind, self.title, self.year, self.journal,
         self.language) = row  # fmt: skip
        self.authors: list[ItemAuthor] = []
        self.translations: list[ItemTitle] = []

    kind_name = Publication.kind_name

    def __repr__(self) -> str:
        return f"<ListItem {self.id}>"


_COLUMNS = (
    Publication.id, Publication.updated_at, Publication.slug, Publication.kind,
    Publication.title, Publication.year, Publication.journal, Publication.language,
)  # fmt: skip


def list_items(ids: list[int]) -> list[ListItem]:
    """The records `ids` (in that order; any not found left out) as a list shows them: the
    records' columns in one statement, their authors (in order) and their titles' translations
    in another."""
    if not ids:
        return []
    found = {
        row[0]: ListItem(row)
        for row in db.session.execute(sa.select(*_COLUMNS).where(Publication.id.in_(ids)))
    }
    if not found:
        return []
    author, title = PublicationAuthor, PublicationTranslation
    # One statement for both: a row with an empty language is an author (position
    # ordered), the others the title in that language.
    names = sa.select(
        author.publication_id, sa.literal("", sa.String).label("language"),
        author.name.label("text"), author.position.label("position"),
    ).where(author.publication_id.in_(list(found)))  # fmt: skip
    titles = sa.select(
        title.publication_id, title.language, title.title,
        sa.literal(0, sa.Integer),
    ).where(title.publication_id.in_(list(found)), title.title != "")  # fmt: skip
    both = sa.union_all(names, titles).subquery()
    for record, language, text, _position in db.session.execute(
        sa.select(both).order_by(both.c.publication_id, both.c.language, both.c.position)
    ):
        item = found[record]
        if language:
            item.translations.append(ItemTitle(language, text))
        else:
            item.authors.append(ItemAuthor(text))
    return [found[i] for i in ids if i in found]
