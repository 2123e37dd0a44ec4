"""Absolute URLs for mails and feeds.

They are built from SERVER_BASE_URL, never from the request's Host header, so a forged
Host cannot plant another site's address in a password-reset mail.
"""

from __future__ import annotations

from flask import current_app, url_for


class GeneratedUrl(str):
    """A URL the app built itself: the only kind a mail's HTML part makes a link of
    (interacta.core.mail); text someone typed stays text."""

    __slots__ = ()


def external_url(endpoint: str, **values) -> GeneratedUrl:
    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return GeneratedUrl(url_for(endpoint, _external=True, **values))
