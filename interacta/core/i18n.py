"""Languages: English (unprefixed URLs), French, German and Slovenian under /fr/, /de/, /sl/.

The language lives in the URL, never in a cookie. `LanguagePrefix` moves a leading
`/fr` from PATH_INFO to SCRIPT_NAME, so routes are registered once and every `url_for`
made while serving a French page already starts with `/fr`: links stay in the language.
Outside a request (mails, feeds, jobs) `force_locale(lang)` sets both the catalog and
the prefix of the links `external_url` builds.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import pycountry
from babel import Locale
from babel.dates import get_timezone_location, get_timezone_name
from babel.lists import format_list
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations, gettext
from flask_babel import force_locale as _babel_force_locale
from jinja2 import pass_context
from markupsafe import Markup

#: English is the source language and is served without a prefix.
DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "fr", "de", "sl")
PREFIXED = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
ENVIRON_KEY = "interacta.language"
#: Where `url_in_language` keeps the request's root and path with query (see there).
_PAGE_PARTS_KEY = "interacta.page_parts"

babel = Babel()


class LanguagePrefix:
    """WSGI middleware: `/fr/events/` is served as `/events/` with SCRIPT_NAME `.../fr`."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        for lang in PREFIXED:
            prefix = f"/{lang}"
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix) :] or "/"
                environ[ENVIRON_KEY] = lang
                break
        else:
            environ[ENVIRON_KEY] = DEFAULT_LANGUAGE
        return self.wsgi_app(environ, start_response)


def _in_app() -> bool:
    try:
        current_app._get_current_object()
    except RuntimeError:
        return False
    return True


#: The Babel locale that formats each language's dates and numbers (British English:
#: day before month, 24-hour clock, as the network's European readers expect).
FORMAT_LOCALES = {"en": "en_GB", "fr": "fr", "de": "de", "sl": "sl"}


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the page's (or `force_locale`'s) language. A Locale
    made once per language, which Flask-Babel takes as it is (from a name it would parse
    one on every request)."""
    forced = g.get("_interacta_forced_language") if _in_app() else None
    if forced:
        return _format_locale(forced)
    if has_request_context():
        return _format_locale(request.environ.get(ENVIRON_KEY, DEFAULT_LANGUAGE))
    return _format_locale(DEFAULT_LANGUAGE)


@lru_cache(maxsize=8)
def _format_locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES[language])


def current_locale():
    """Flask-Babel's `get_locale()`, read straight from where it keeps the request's (or
    `force_locale`'s) Locale: its own way asks the app globals three times a call, and a
    page asks a hundred times (each string, number and date)."""
    try:
        kept = g._get_current_object()._flask_babel.babel_locale
    except (RuntimeError, AttributeError):  # no app context, or not chosen yet
        return get_locale()
    return kept if kept is not None else get_locale()


#: The Locale object `locale_name` last saw and its name: Flask-Babel keeps one object a
#: request (or a `force_locale`), and Babel builds `str(locale)` anew each time it is asked,
#: which a page does dozens of times (its strings, language, dates and numbers).
_last_locale: list[tuple[object, str]] = [(None, "")]


def locale_name() -> str | None:
    """`str()` of the current locale ('fr_FR'), or None when none is chosen."""
    locale = current_locale()
    if locale is None:
        return None
    seen, name = _last_locale[0]
    if locale is not seen:
        name = str(locale)
        _last_locale[0] = (locale, name)
    return name


def current_language() -> str:
    """The language of the page (or mail) being made: 'en', 'fr', 'de' or 'sl'."""
    name = locale_name()
    return name.split("_")[0] if name else DEFAULT_LANGUAGE


def normalize_language(value: str | None) -> str:
    """A supported language code, or English."""
    value = (value or "").strip().lower()[:2]
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@contextmanager
def force_locale(language: str | None) -> Iterator[None]:
    """Render (a mail, say) in `language`: catalog, formats and link prefix."""
    language = normalize_language(language)
    previous = g.get("_interacta_forced_language")
    g._interacta_forced_language = language
    try:
        with _babel_force_locale(FORMAT_LOCALES[language]):
            yield
    finally:
        g._interacta_forced_language = previous


def prefix_for(language: str) -> str:
    """The URL prefix of `language` ('' for English)."""
    return "" if language == DEFAULT_LANGUAGE else f"/{language}"


def base_script_root() -> str:
    """The request's SCRIPT_NAME without the language prefix (a proxy may add its own)."""
    root = request.script_root
    lang = request.environ.get(ENVIRON_KEY, DEFAULT_LANGUAGE)
    prefix = prefix_for(lang)
    if prefix and root.endswith(prefix):
        root = root[: -len(prefix)]
    return root


def strip_language_prefix(url: str, req) -> str:
    """`url` built under a language prefix, without it (for language-neutral files)."""
    prefix = prefix_for(req.environ.get(ENVIRON_KEY, DEFAULT_LANGUAGE))
    root = req.script_root
    if prefix and root.endswith(prefix):
        bare = root[: -len(prefix)]
        for start in (root + "/", req.host_url.rstrip("/") + root + "/"):
            if url.startswith(start):
                return url.replace(root, bare, 1)
    return url


def url_in_language(language: str, absolute: bool = False) -> str:
    """This page in `language` (same path and query)."""
    # The same for every language and every call of a request (a page asks nine times:
    # the language switcher and the alternate links), so worked out once, kept in its environ.
    parts = request.environ.get(_PAGE_PARTS_KEY)
    if parts is None:
        view = current_app.view_functions.get(request.endpoint or "")
        declared = getattr(view, "query_params", None)  # core.pagination.query_params
        if declared is None:
            query = request.query_string.decode("latin-1")
        else:  # a list page: only the parameters it reads (never `endpoint=`, `_external=`)
            args = request.args.items(multi=True)
            query = urlencode([(k, v) for k, v in args if k in declared])
        parts = (base_script_root(), request.path + (f"?{query}" if query else ""))
        request.environ[_PAGE_PARTS_KEY] = parts
    root, rest = parts
    url = root + prefix_for(language) + rest
    if absolute:
        base = current_app.config["SERVER_BASE_URL"].rstrip("/")
        url = base + url
    return url


def in_language(path: str, language: str) -> str:
    """A site path (as `url_for` made it on this page, or a safe `next`) in `language`:
    the sign-in lands a member in their own language."""
    bare = base_script_root() if has_request_context() else ""
    rest = path[len(bare) :] if bare and path.startswith(bare) else path
    for lang in PREFIXED:
        prefix = f"/{lang}"
        if rest == prefix or rest.startswith(prefix + "/"):
            rest = rest[len(prefix) :] or "/"
            break
    return bare + prefix_for(normalize_language(language)) + rest


@lru_cache(maxsize=64)
def language_name(code: str, in_language: str | None = None) -> str:
    """'Français', or 'French' when asked in English."""
    name = Locale.parse(code).get_display_name(in_language or code) or code
    return name[:1].upper() + name[1:]


def offered_language() -> str | None:
    """On an unprefixed page: the language the browser prefers, if it is one of ours
    other than English (we offer it in one line; we never redirect)."""
    if not has_request_context() or request.environ.get(ENVIRON_KEY) != DEFAULT_LANGUAGE:
        return None
    best = request.accept_languages.best_match(LANGUAGES)
    return best if best in PREFIXED else None


def offer_text(language: str) -> str:
    """The one-line offer, written in the offered language ("Cette page existe en français.")."""
    with _babel_force_locale(FORMAT_LOCALES[language]):
        return gettext("This page is also available in your language.")


def alternate_urls() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of this page in every language, and x-default."""
    urls = [(lang, url_in_language(lang, absolute=True)) for lang in LANGUAGES]
    return [*urls, ("x-default", url_in_language(DEFAULT_LANGUAGE, absolute=True))]


@lru_cache(maxsize=8)
def _iso3166(language: str) -> gettext_module.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext_module.NullTranslations()
    return gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str | None, language: str | None = None) -> str:
    """The country's common name in the current language (pycountry's translations)."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    if country is None:
        return ""
    english = getattr(country, "common_name", None) or country.name
    return _iso3166(language or current_language()).gettext(english)


def timezone_label(zone: str) -> str:
    """'Europe/Brussels: Brüssel, Mitteleuropäische Zeit' in the current language."""
    locale = get_locale() or FORMAT_LOCALES[DEFAULT_LANGUAGE]
    try:
        city = get_timezone_location(zone, locale=locale, return_city=True)
        name = get_timezone_name(zone, width="long", locale=locale)
    except LookupError:
        return zone
    return f"{zone}: {city}, {name}" if name else f"{zone}: {city}"


def format_names(names: list[str]) -> str:
    """'a, b and c' written for the current language."""
    return format_list(list(names), locale=get_locale() or FORMAT_LOCALES[DEFAULT_LANGUAGE])


def _install_template_gettext(app: Flask) -> None:
    """Templates' `_()`, `ngettext`... as Flask-Babel installs them, but finding the catalog
    by the current locale in a dict of this app's own: Flask-Babel looks for the domain, the
    context and the locale again on each of a page's hundred or so strings (about 20 us a
    string). The catalogs are the same for the life of the process in both cases; the locale
    is still asked for each time, so `force_locale` (a mail in its reader's language) holds.

    `gettext`, `ngettext` and `_` are Jinja's newstyle ones (escape, then `%` the variables),
    calling the catalog directly instead of through `Context.call` twice (`_` is an alias
    that looks `gettext` up again): a page's strings cost half as much."""
    catalogs: dict[str, object] = {}

    def translations():
        key = locale_name()
        found = catalogs.get(key) if key else None
        if found is None:
            found = get_translations()
            if key:
                catalogs[key] = found
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @pass_context
    def template_gettext(__context, __string: str, **variables) -> str:
        rv = translations().ugettext(__string)
        if not variables and "%" not in rv:  # most of a page's strings: `%` would not change it
            if __context.eval_ctx.autoescape:
                rv = Markup(rv)  # noqa: S704  # nosec B704
            return rv
        if __context.eval_ctx.autoescape:
            # As Jinja's own: the catalog's text is markup, the variables are escaped by %.
            rv = Markup(rv)  # noqa: S704  # nosec B704
        return rv % variables

    @pass_context
    def template_ngettext(__context, __singular: str, __plural: str, __num: int, **variables):
        variables.setdefault("num", __num)
        rv = translations().ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            # As Jinja's own: the catalog's text is markup, the variables are escaped by %.
            rv = Markup(rv)  # noqa: S704  # nosec B704
        return rv % variables

    app.jinja_env.globals.update(
        gettext=template_gettext, ngettext=template_ngettext, _=template_gettext
    )


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    # One catalog per part (interacta/translations, interacta/<blueprint>/translations),
    # found on disk so a new blueprint's catalog is read without editing core.
    root = Path(app.root_path)
    directories = [root / "translations", *sorted(root.glob("*/translations"))]
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", ";".join(str(d) for d in directories if d.is_dir())
    )
    babel.init_app(app, locale_selector=select_locale)
    # `{% trans %}` blocks are looked up with their whitespace collapsed, as extracted.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    _install_template_gettext(app)
    app.wsgi_app = LanguagePrefix(app.wsgi_app)
    app.jinja_env.globals.update(
        current_language=current_language,
        languages=LANGUAGES,
        language_name=language_name,
        url_in_language=url_in_language,
        offered_language=offered_language,
        offer_text=offer_text,
        country_name=country_name,
        timezone_label=timezone_label,
        format_names=format_names,
        alternate_urls=alternate_urls,
    )
