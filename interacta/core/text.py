"""Small text rules used everywhere: one email normaliser, one slug algorithm, one guard
against formulas in CSV exports."""

from __future__ import annotations

import re
import unicodedata


def normalize_email(email: str | None) -> str:
    """An address as we store and compare it: trimmed and lower-cased."""
    return (email or "").strip().lower()


def slugify(text: str, max_length: int = 80, fallback: str = "item") -> str:
    """A URL-safe slug: lower-case ASCII words joined by hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            if not slug:  # one very long word: cut it rather than return nothing
                slug = word[:max_length]
            break
        slug = candidate
    return slug or fallback


def free_slug(base: str, taken: set[str]) -> str:
    """`base`, or the first of `base-2`, `base-3` ... that is not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


#: Characters that make a spreadsheet read a cell as a formula (or split it, then do).
_FORMULA_START = "=+-@\t\r"
#: Where a spreadsheet may split a cell: each separator in common use (`,` `;` tab `|`),
#: and line breaks (some importers start a new row there, quotes or not).
_SEPARATORS = ",;\t|\r\n"
_FORMULA_AT = re.compile(
    rf"(?:^|(?<=[{re.escape(_SEPARATORS)}]))(?=[ ]*[{re.escape(_FORMULA_START)}])"
)


def csv_safe(value: str | None) -> str:
    """Text that a spreadsheet will not run as a formula, whatever separator it splits on:
    a quote before every formula character at the start or right after a separator."""
    return _FORMULA_AT.sub("'", value or "")
