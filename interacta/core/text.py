"""Small text rules used everywhere: one email normaliser, one slug algorithm."""

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
