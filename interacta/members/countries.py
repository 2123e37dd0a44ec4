"""Countries (ISO 3166-1 alpha-2) from pycountry, with names in the page's language."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry

from interacta.core.i18n import country_name as _translated_name
from interacta.core.i18n import current_language, normalize_language

#: Letters a language sorts after their plain form (Slovenian: c, č, d; s, š, t; z, ž).
_OWN_LETTERS = {"sl": {"č": "c~", "š": "s~", "ž": "z~"}}


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def _sort_key(name: str, language: str) -> str:
    """`name` for sorting: case and accents set aside, a language's own letters in place."""
    text = name.casefold()
    for letter, replacement in _OWN_LETTERS.get(language, {}).items():
        text = text.replace(letter, replacement)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=8)
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = ((code, _translated_name(code, language)) for code in _codes())
    return tuple(sorted(pairs, key=lambda pair: (_sort_key(pair[1], language), pair[0])))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every ISO 3166 country, named and sorted in `language` (by default
    the current one)."""
    return list(_choices(normalize_language(language or current_language())))


def country_name(code: str | None, language: str | None = None) -> str:
    """The country's name in `language` (by default the current one); '' if unknown."""
    return _translated_name(code, language) if is_country(code) else ""


def is_country(code: str | None) -> bool:
    return bool(code) and code in _codes()
