"""Absolute URLs for mails and feeds.

They are built from SERVER_BASE_URL, never from the request's Host header, so a forged
Host cannot plant another site's address in a password-reset mail.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app
from werkzeug.routing import BuildError, IntegerConverter, Rule, UnicodeConverter

from interacta.core.i18n import current_language, prefix_for


class GeneratedUrl(str):
    """A URL the app built itself: the only kind a mail's HTML part makes a link of
    (interacta.core.mail); text someone typed stays text."""

    __slots__ = ()


def external_url(endpoint: str, _language: str | None = None, **values) -> GeneratedUrl:
    """An absolute link in the current language (a mail rendered in the recipient's
    language links to pages in it), or in `_language`.

    Built as url_for builds it in a request to `base`, from a URL adapter kept per app
    and base: a request context per link cost milliseconds (a feed of a thousand events,
    two links per mail inside the seat lock). Where the rule allows, from its shape for
    that base (`quick_url`, as relative links are): an event page links itself four times
    (canonical, og:url, JSON-LD), a feed every item."""
    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    base += prefix_for(_language or current_language())
    app = current_app._get_current_object()
    if endpoint[:1] == ".":
        endpoint = endpoint[1:]
    app.inject_url_defaults(endpoint, values)
    adapter = _adapter(app, base)
    # The shapes are kept by (root, endpoint): an absolute base never equals a script root.
    url = quick_url(app, base, endpoint, values, functools.partial(_build_external, adapter))
    if url is not None:
        return GeneratedUrl(url)
    try:
        url = adapter.build(endpoint, values, force_external=True)
    except BuildError as error:
        return app.handle_url_build_error(error, endpoint, values)
    return GeneratedUrl(url)


def _build_external(adapter, endpoint: str, **values) -> str:
    return adapter.build(endpoint, values, force_external=True)


@functools.lru_cache(maxsize=64)
def _adapter(app, base: str):
    parts = urlsplit(base)
    return app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )


# -- quick relative links ---------------------------------------------------------------------
#
# A list page links every item (a month of the calendar: 120 events), and Werkzeug builds
# each link from scratch: some 30 microseconds, several milliseconds a page. For a rule
# whose parts are plain strings or integers, the link is the same text each time but for
# those parts: `quick_url` builds it once per prefix (language) with markers in their
# places, then fills in each value with the rule's own converter, and adds the query as
# Werkzeug does. Anything else (several rules per endpoint, defaults, other converters,
# list values, anchors, schemes, external links) returns None: url_for's own way.

_SIMPLE_CONVERTERS = (UnicodeConverter, IntegerConverter)
#: Werkzeug's query encoding (werkzeug.urls._urlencode)
QUERY_SAFE = "!$'()*,/:;?@"


class _Shape:
    """A rule's link cut at its parts: literal texts between (name, converter) pairs."""

    __slots__ = ("texts", "parts")

    def __init__(self, text: str, markers: list[tuple[str, str, object]]):
        found = sorted((text.index(marker), marker, name, conv) for name, marker, conv in markers)
        texts, parts, start = [], [], 0
        for at, marker, name, converter in found:
            texts.append(text[start:at])
            parts.append((name, converter))
            start = at + len(marker)
        texts.append(text[start:])
        self.texts, self.parts = tuple(texts), tuple(parts)

    def fill(self, values: dict) -> str:
        out = [self.texts[0]]
        for (name, converter), text in zip(self.parts, self.texts[1:], strict=True):
            out.append(converter.to_url(values[name]))
            out.append(text)
        return "".join(out)


def _simple_rule(app: Flask, endpoint: str) -> Rule | None:
    rules = app.url_map._rules_by_endpoint.get(endpoint)  # noqa: SLF001 - read only
    if not rules or len(rules) != 1:
        return None
    rule = rules[0]
    if rule.defaults or rule.build_only or rule.redirect_to or rule.host or rule.subdomain:
        return None
    converters = rule._converters  # noqa: SLF001 - read only
    if any(type(c) not in _SIMPLE_CONVERTERS for c in converters.values()):
        return None
    return rule


def _shape(app: Flask, script_root: str, endpoint: str, build) -> _Shape | None:
    """The rule's link with markers, built by url_for itself (`build`), or None."""
    cache = app.extensions.setdefault("interacta.quick_urls", {})
    key = (script_root, endpoint)
    if key in cache:
        return cache[key]
    shape = None
    rule = _simple_rule(app, endpoint)
    if rule is not None:
        markers, parts = {}, []
        for i, name in enumerate(sorted(rule.arguments)):
            converter = rule._converters[name]  # noqa: SLF001
            marker = 917_000_000 + i if isinstance(converter, IntegerConverter) else f"qU{i}Uq"
            markers[name] = marker
            parts.append((name, converter.to_url(marker), converter))
        text = build(endpoint, **markers)
        if all(text.count(marker) == 1 for _name, marker, _c in parts):
            shape = _Shape(text, parts)
    if len(cache) < 4096:
        cache[key] = shape
    return shape


def quick_url(app: Flask, script_root: str, endpoint: str, values: dict, build) -> str | None:
    """The relative link url_for would build for `endpoint` and `values`, or None where
    this shortcut does not apply (then url_for builds it). `build` is url_for itself."""
    if app.url_default_functions and any(app.url_default_functions.values()):
        return None
    shape = _shape(app, script_root, endpoint, build)
    if shape is None:
        return None
    values = {k: v for k, v in values.items() if v is not None}
    names = [name for name, _converter in shape.parts]
    if any(name not in values for name in names):
        return None
    query = [(k, v) for k, v in values.items() if k not in names]
    if any(isinstance(v, list | tuple | set | dict) for _k, v in query):
        return None
    url = shape.fill(values)
    if query:
        url += "?" + urlencode(query, safe=QUERY_SAFE)
    return url
