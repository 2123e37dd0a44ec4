"""Absolute URLs for mails and feeds.

They are built from SERVER_BASE_URL, never from the request's Host header, so a forged
Host cannot plant another site's address in a password-reset mail.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import BuildError

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
    two links per mail inside the seat lock)."""
    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    base += prefix_for(_language or current_language())
    app = current_app._get_current_object()
    if endpoint[:1] == ".":
        endpoint = endpoint[1:]
    app.inject_url_defaults(endpoint, values)
    try:
        url = _adapter(app, base).build(endpoint, values, force_external=True)
    except BuildError as error:
        return app.handle_url_build_error(error, endpoint, values)
    return GeneratedUrl(url)


@functools.lru_cache(maxsize=64)
def _adapter(app, base: str):
    parts = urlsplit(base)
    return app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
