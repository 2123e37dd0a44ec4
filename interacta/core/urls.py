"""Absolute URLs for mails and feeds.

They are built from SERVER_BASE_URL, never from the request's Host header, so a forged
Host cannot plant another site's address in a password-reset mail.
"""

from __future__ import annotations

from flask import current_app, url_for

from interacta.core.i18n import current_language, prefix_for


class GeneratedUrl(str):
    """A URL the app built itself: the only kind a mail's HTML part makes a link of
    (interacta.core.mail); text someone typed stays text."""

    __slots__ = ()


def external_url(endpoint: str, _language: str | None = None, **values) -> GeneratedUrl:
    """An absolute link in the current language (a mail rendered in the recipient's
    language links to pages in it), or in `_language`."""
    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    base += prefix_for(_language or current_language())
    with current_app.test_request_context(base_url=base):
        return GeneratedUrl(url_for(endpoint, _external=True, **values))
