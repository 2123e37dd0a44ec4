"""Error pages in the site layout; JSON for clients that ask for it. Never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from interacta.core.securitylog import security_event
from interacta.extensions import db

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken. The one base for every blueprint's errors.

    `message` is meant for the person who tried; `field` names the form field it belongs
    to (or None); `status_code` is the HTTP status a view answers with. Subclasses set
    a default status (`NotAllowed` 403, `Conflict` 409, ...).
    """

    status_code: int = 400
    field: str | None = None

    def __init__(self, message: str = "", field: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


def attach_to_form(form, exc: DomainError) -> bool:
    """Put `exc`'s message beside its field on `form`; False if the form has no such field.

    Views call this when they re-render a form with the status `exc.status_code`.
    """
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        return False
    field.errors = [*field.errors, exc.message]
    return True


#: Title and text of each error page, translated when the page is made (lazy strings).
MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you sent."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    409: (
        _l("Conflict"),
        _l("This change clashes with the current state. Please reload and try again."),
    ),
    413: (_l("File too large"), _l("What you sent is larger than this site accepts.")),
    429: (
        _l("Too many requests"),
        _l("You have tried this too often. Please wait a while and try again."),
    ),
    500: (_l("Something went wrong"), _l("An error occurred on our side. It has been logged.")),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is briefly unavailable. Please try again soon."),
    ),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, description: str | None = None) -> Response:
    """The error page (or JSON) for `code`, as a response object."""
    title, default = MESSAGES.get(code, MESSAGES[500])
    title, text = str(title), str(description or default)
    if _wants_json():
        response = jsonify(error=title, message=text, status=code)
    else:
        response = make_response(
            render_template("errors/error.html", code=code, title=title, message=text)
        )
    response.status_code = code
    return response


def register_errorhandlers(app: Flask) -> None:
    def handle_http(exc: HTTPException):
        code = exc.code or 500
        description = None
        # Our own abort(..., description) messages are meant for the visitor.
        if exc.description and exc.description != type(exc).description:
            description = exc.description
        if code >= 500:
            db.session.rollback()
        response = render_error(code, description)
        if code == 429:
            security_event("rate_limited", method=request.method)
        elif code == 403:
            security_event("access_denied", method=request.method)
        if code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    def handle_csrf(exc: CSRFError):
        security_event("csrf_failure", method=request.method, reason=exc.description)
        return render_error(
            400, _("The form expired or did not come from this site. Please go back and try again.")
        )

    def handle_domain(exc: DomainError):
        # A rule broken where no view caught it: its message and status on the error page.
        db.session.rollback()
        return render_error(exc.status_code, exc.message or None)

    def handle_unexpected(exc: Exception):
        db.session.rollback()
        if isinstance(exc, HTTPException):
            return handle_http(exc)
        logger.exception("unhandled error on %s %s", request.method, request.path)
        original = getattr(exc, "original_exception", exc)
        if isinstance(original, OperationalError):
            return render_error(503)
        return render_error(500)

    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
