"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, abort, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user

#: The Content-Security-Policy: nothing from another host, no inline script or style.
#: Blueprints may widen `frame-src` for one response (consented video embeds) with
#: `allow_frame_src(host)`.
CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def build_csp(extra_frame_src: list[str] | None = None) -> str:
    """The CSP header value; `extra_frame_src` lists hosts allowed in frames for this response."""
    if not extra_frame_src:
        return _DEFAULT_CSP
    return _join_csp({**CSP, "frame-src": " ".join(extra_frame_src)})


def _join_csp(policy: dict[str, str]) -> str:
    return "; ".join(f"{key} {value}" for key, value in policy.items())


_DEFAULT_CSP = _join_csp(CSP)


def allow_frame_src(*hosts: str) -> None:
    """Allow frames from `hosts` in this response's CSP (e.g. a consented video player)."""
    allowed = g.setdefault("csp_frame_src", [])
    allowed.extend(host for host in hosts if host not in allowed)


def frame_src() -> list[str]:
    """The hosts this response may frame (kept with a cached page, see core/cache.py)."""
    return list(g.get("csp_frame_src") or [])


def _behind_sign_in() -> bool:
    """True when the response was made for a signed-in member (their own data may be in it).

    Static files are the same for everyone: asking would restore a session from the
    remember-me cookie on every asset request (and set a cookie on each)."""
    if request and request.endpoint == "static":
        return False
    try:
        # `is_anonymous`, not `is_authenticated`: the latter reads the member's is_active,
        # a statement of its own after a commit has expired the member. Anyone signed in
        # when the response was made counts (a member deactivated meanwhile too: private).
        return bool(current_user and not current_user.is_anonymous)
    except Exception:  # noqa: BLE001 - e.g. the database is down; headers must still go out
        return False


def _sets_session_cookie(app: Flask, response: Response) -> bool:
    names = (
        app.config.get("SESSION_COOKIE_NAME", "session"),
        app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )
    return any(
        header.split("=", 1)[0].strip() in names
        for header in response.headers.getlist("Set-Cookie")
    )


class NoStoreSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, sending `Cache-Control: no-store` with every response
    that sets the session cookie (Flask writes it after every `after_request` hook, so
    only the interface sees it). Its signing serializer is made once for the same keys
    (Flask makes one per request, and another to write the cookie)."""

    _kept: tuple[tuple, object] | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is not None and kept[0] == keys:
            return kept[1]
        serializer = super().get_signing_serializer(app)
        self._kept = (keys, serializer)
        return serializer

    def save_session(self, app, session_, response) -> None:
        super().save_session(app, session_, response)
        if _sets_session_cookie(app, response):
            response.headers["Cache-Control"] = "no-store"


#: The headers every response gets unless its view set them (after the CSP, in this order).
FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)
_FIXED_LOWER = tuple((name.lower(), name, value) for name, value in FIXED_HEADERS)


def set_security_headers(response: Response, app: Flask) -> Response:
    headers = response.headers
    # As `setdefault` for each, with the names the response has read once.
    present = {name.lower() for name, _value in headers.items()}
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", build_csp(frame_src() if request else None))
    for lower, name, value in _FIXED_LOWER:
        if lower not in present:
            headers.add(name, value)
    if _behind_sign_in() or _sets_session_cookie(app, response):
        headers["Cache-Control"] = "no-store"
    if app.config.get("HSTS_ENABLED") and request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


NUL_MESSAGE = _l(
    "The request contained a NUL character, which no field accepts. Please remove it and try again."
)


def reject_nul_bytes() -> None:
    """Answer 400 to a request with a NUL character in its path, query or form.

    No text field accepts one, and PostgreSQL cannot store one: without this check such
    input would reach the database and fail there with a server error.
    """
    if "\x00" in request.path:
        abort(400, str(NUL_MESSAGE))
    for values in (request.args, request.form if request.method != "GET" else None):
        if values and any("\x00" in value for _, value in values.items(multi=True)):
            abort(400, str(NUL_MESSAGE))
