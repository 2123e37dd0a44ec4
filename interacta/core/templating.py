"""Template filters and globals shared by every blueprint."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app

from interacta.core.cache import cached_fragment
from interacta.core.markdown import render_markdown
from interacta.core.pagination import arg_link, url_args
from interacta.core.registry import stylesheets
from interacta.core.timezones import format_count, format_day, format_local, to_zone
from interacta.core.urls import external_url


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
