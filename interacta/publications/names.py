"""Personal names in citations: "Given Family" or "Family, Given", and initials."""

from __future__ import annotations

import re

NAME_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le"}


def split_name(name: str) -> tuple[str, str]:
    """(given, family) from "Given Family" or "Family, Given"; particles stay with family."""
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return given, family
    words = name.split(" ")
    if len(words) == 1:
        return "", words[0]
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in NAME_PARTICLES:
        i -= 1
    return " ".join(words[:i]), " ".join(words[i:])


def initials(given: str) -> str:
    """ "J.-P. M." from "Jean-Pierre Marie"."""
    parts = [p for p in re.split(r"[\s.]+", given) if p]
    out = []
    for part in parts:
        out.append("-".join(f"{piece[0]}." for piece in part.split("-") if piece))
    return " ".join(out)
