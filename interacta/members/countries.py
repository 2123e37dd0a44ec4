"""Countries (ISO 3166-1 alpha-2) from pycountry, with names."""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every ISO 3166 country, sorted by name."""
    return sorted(
        ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return dict(country_choices())


def country_name(code: str | None) -> str:
    return _names().get(code or "", "")


def is_country(code: str | None) -> bool:
    return bool(code) and code in _names()
