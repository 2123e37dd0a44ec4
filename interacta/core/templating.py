"""Template filters and globals shared by every blueprint."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, request
from markupsafe import Markup

from interacta.core.cache import cached_fragment
from interacta.core.i18n import locale_name
from interacta.core.markdown import render_markdown
from interacta.core.pagination import arg_link, url_args
from interacta.core.registry import stylesheets
from interacta.core.timezones import format_count, format_day, format_local, to_zone
from interacta.core.urls import external_url

#: How many pieces `kept_piece` keeps per app (languages x URL prefixes x the parts named).
KEPT_PIECES = 4096


def kept_piece(name: str, *parts, caller) -> Markup:
    """A piece of every page's frame (the footer, the main navigation, the consent banner),
    kept as the HTML it rendered to for this app, the same `parts`, the page's locale and
    its URL prefix:

        {% call kept_piece("footer", operator_name, current_year) %}...{% endcall %}

    Rendered once instead of on every request (its links and strings cost about as much as
    a small page's own content). `parts` must name everything else the piece shows or
    decides on (the endpoint for `aria-current`, the member's roles); never anything that
    differs between two visitors with the same parts (a CSRF token, a name). Not kept
    while templates reload on change (development)."""
    if current_app.jinja_env.auto_reload:
        return caller()
    store = current_app.extensions.setdefault("interacta.kept_pieces", {})
    key = (name, locale_name(), request.script_root, parts)
    found = store.get(key)
    if found is None:
        found = caller()
        if len(store) < KEPT_PIECES:
            store[key] = found
    return found


def register(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["in_zone"] = to_zone
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["numberformat"] = format_count  # in place of Flask-Babel's own
    app.jinja_env.filters["isoformat"] = lambda d: d.isoformat() if d else ""
    app.jinja_env.globals["url_args"] = url_args
    app.jinja_env.globals["arg_link"] = arg_link
    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["kept_piece"] = kept_piece
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.globals["stylesheets"] = stylesheets  # registered by the blueprints
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_context():
        return {
            "site_name": current_app.config["SITE_NAME"],
            "operator_name": current_app.config["OPERATOR_NAME"],
            "current_year": datetime.now(UTC).year,
        }
