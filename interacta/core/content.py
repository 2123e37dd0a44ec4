"""Content in several languages: events and publications carry their text in an original
language plus optional translations (one row per language, `obj.translations`).

A page shows the version in its own language when there is one, else the original, with
the language it is in (for the `lang` attribute and the "in English" note, which the
template macro `events/_content.html` renders). The blueprints' services decide what may be
saved; this module only reads and replaces the rows. No user-visible text here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from interacta.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language, language_name

#: The languages content can be translated into.
CONTENT_LANGUAGES = LANGUAGES


class Shown(NamedTuple):
    """One field as a page shows it: the text, the language it is in, and whether that
    differs from the page's language (then the page notes it)."""

    text: str
    lang: str
    foreign: bool

    def __str__(self) -> str:
        return self.text


def content_language(code: str | None) -> str:
    """A language code reduced to one of ours ("en-GB" -> "en"); another code (a
    publication in Italian) is kept as it is."""
    code = (code or DEFAULT_LANGUAGE).strip() or DEFAULT_LANGUAGE
    primary = code.split("-")[0].split("_")[0].lower()
    return primary if primary in CONTENT_LANGUAGES else code


def original_language(obj) -> str:
    """The language `obj`'s own fields are written in (its `language`)."""
    return content_language(getattr(obj, "language", None))


def translation_for(obj, language: str):
    """`obj`'s translation row in `language`, or None."""
    for row in obj.translations:
        if row.language == language:
            return row
    return None


def translated(obj, field: str, language: str | None = None) -> Shown:
    """`field` of `obj` in `language` (the page's by default) if translated, else the
    original. Each field falls back on its own (a translation may leave one empty)."""
    page = language or current_language()
    original = original_language(obj)
    if page != original:
        row = translation_for(obj, page)
        text = getattr(row, field, None) if row is not None else None
        if text:
            return Shown(text, page, False)
    return Shown(getattr(obj, field) or "", original, original != page)


def clean_translations(
    given: Mapping[str, Mapping[str, str | None]] | None, fields: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    """The non-empty versions among `given` (language -> field -> text), whitespace
    trimmed; unknown languages and fields are dropped."""
    cleaned: dict[str, dict[str, str]] = {}
    for lang, values in (given or {}).items():
        if lang not in CONTENT_LANGUAGES:
            continue
        row = {f: (values.get(f) or "").strip() for f in fields}
        if any(row.values()):
            cleaned[lang] = row
    return cleaned


def replace_translations(
    obj, cleaned: Mapping[str, Mapping[str, str]], make: Callable[..., object]
) -> bool:
    """Make `obj.translations` hold exactly `cleaned` (from `clean_translations`): rows
    are updated in place, added (`make(language=..., **fields)`) or removed. True if
    anything changed."""
    changed = False
    existing = {row.language: row for row in obj.translations}
    for lang, row in existing.items():
        if lang not in cleaned:
            obj.translations.remove(row)
            changed = True
    for lang, values in cleaned.items():
        row = existing.get(lang)
        if row is None:
            obj.translations.append(make(language=lang, **values))
            changed = True
            continue
        for name, text in values.items():
            if getattr(row, name) != text:
                setattr(row, name, text)
                changed = True
    return changed


def current_translations(obj, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`obj`'s translations as a form's initial data (language -> field -> text)."""
    return {row.language: {f: getattr(row, f) or "" for f in fields} for row in obj.translations}


def section_name(language: str) -> str:
    """The name of a form's section (a FormField) holding the version in `language`."""
    return f"translation_{language}"


def form_translations(form, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """What a form's language sections hold (language -> field -> text), for a service."""
    given = {}
    for lang in CONTENT_LANGUAGES:
        section = getattr(form, section_name(lang), None)
        if section is not None:
            given[lang] = {f: section.form[f].data or "" for f in fields}
    return given


def form_initial(obj, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The language sections' initial data for a form showing `obj`."""
    return {
        section_name(lang): values for lang, values in current_translations(obj, fields).items()
    }


def attach_section_error(form, name: str, message: str) -> bool:
    """Put `message` beside the first field of the language section `name`; False if the
    form has no such section."""
    section = getattr(form, name, None) if name and name.startswith("translation_") else None
    if section is None or not hasattr(section, "form"):
        return False
    first = next(iter(section.form))
    first.errors = [*first.errors, message]
    return True


def language_label(code: str) -> str:
    """The name of any language code in the page's language ("Italian"), or the code."""
    try:
        return language_name(code, current_language())
    except (ValueError, TypeError, LookupError):
        return code


def init_app(app) -> None:
    """The template globals the content macros use (events/_content.html)."""
    app.add_template_global(translated, "translated")
    app.add_template_global(language_label, "language_label")
