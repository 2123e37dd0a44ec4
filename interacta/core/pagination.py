"""Pagination and the links of list pages (pager, facets, exports).

A list view states the query parameters it reads with `@query_params(...)`; its links are
built by `url_args`, which carries over only those. Anything else in the query string
(`endpoint`, `_external`, a route argument such as `fmt`...) never reaches `url_for`,
where it would pick another endpoint, build absolute links from the Host header, or fail.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote_plus

from flask import current_app, request, url_for

from interacta.core.urls import QUERY_SAFE

#: `url_for`'s own argument (the others start with "_"): never a list parameter.
_RESERVED = frozenset({"endpoint"})


def page_arg(name: str = "page") -> int:
    """The page number from the query string; anything invalid means page 1."""
    try:
        value = int(request.args.get(name, "1"))
    except ValueError:
        return 1
    return min(max(value, 1), 100_000)


def query_params(*names: str):
    """Declare the query parameters a list view reads; its links carry only these."""
    bad = [n for n in names if n.startswith("_") or n in _RESERVED]
    if bad:
        raise ValueError(f"not usable as query parameters: {bad}")
    known = frozenset(names)

    def decorator(view):
        # An attribute, not a wrapper: functools.wraps in outer decorators copies it.
        view.query_params = known
        return view

    return decorator


def known_params(endpoint: str | None = None) -> frozenset[str]:
    """The query parameters `endpoint`'s view declared (default: the current request's);
    none if it declared none."""
    view = current_app.view_functions.get(endpoint or request.endpoint or "")
    return getattr(view, "query_params", frozenset())


def url_args(**changes) -> dict:
    """The view's own query arguments from the current request with `changes` applied
    (None removes a key), for `url_for(endpoint, **url_args(page=2))`."""
    return list_args(request.endpoint or "", **changes)


def list_args(endpoint: str, **changes) -> dict:
    """The current request's arguments that `endpoint`'s view declared, with `changes`:
    for links to a list from elsewhere, e.g. the redirect back after a POST from it."""
    known = known_params(endpoint)
    args = {k: v for k, v in request.args.items() if k in known}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


#: Stands for the varying argument's value in the link `arg_link` builds once.
_MARKER = "qUvaryUq"


def arg_link(endpoint: str, key: str, **changes) -> Callable[[object], str]:
    """`link(value)`: the same text as `url_for(endpoint, **url_args(key=value, **changes))`
    (None removes `key`), for the many links of a list page that differ in one argument
    (a facet's values, the pager's pages). The link is built once by url_for with a marker
    in the place of the value; each value is then written into it, quoted as url_for would."""
    if key in changes:
        raise ValueError(f"{key!r} both varies and is changed")
    removed: list[str] = []

    def build(value: object) -> str:
        return url_for(endpoint, **url_args(**{key: value}, **changes))

    text = build(_MARKER)
    head, marker, tail = text.partition(_MARKER)
    if not marker or "?" not in head or _MARKER in tail:
        return build  # the marker is not in the query once (a route argument, a user's text)

    def link(value: object) -> str:
        if value is None:
            if not removed:
                removed.append(build(None))
            return removed[0]
        if isinstance(value, str | int):  # quoted as urlencode does (str() of an int)
            return head + quote_plus(str(value), safe=QUERY_SAFE) + tail
        return build(value)

    return link
