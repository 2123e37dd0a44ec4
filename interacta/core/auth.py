"""One family of access decorators and one `safe_next` for every blueprint.

- `login_required`: a visitor is sent to sign in (and back); where no sign-in page is
  registered (a test app without `members`) the answer is 403.
- `organizer_required`, `admin_required`: signed in *and* the role, else 403.
Ownership of a particular object (this organizer's event) is checked by the blueprint's
service (`can_manage(member, event)`), not by a decorator.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def _unauthorized():
    manager = current_app.login_manager
    if manager.login_view and manager.login_view in current_app.view_functions:
        return manager.unauthorized()
    abort(403, _("Please sign in to see this page."))


def role_required(check: Callable[[object], bool], message: str | None = None):
    """A decorator: signed in (else sent to sign in) and `check(current_user)` (else 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _unauthorized()
            if not check(current_user):
                abort(403, str(message)) if message else abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


login_required = role_required(lambda member: True)
organizer_required = role_required(
    lambda member: member.is_organizer, _l("Only organizers and admins can use this page.")
)
admin_required = role_required(lambda member: member.is_admin)


def safe_next(target: str | None, default: str | None = None) -> str | None:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
