"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, request

#: The Content-Security-Policy: nothing from another host, no inline script or style.
#: Blueprints may widen `frame-src` (consented video embeds) through `extra_frame_src`.
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
    policy = dict(CSP)
    if extra_frame_src:
        policy["frame-src"] = " ".join(extra_frame_src)
    return "; ".join(f"{key} {value}" for key, value in policy.items())


def set_security_headers(response: Response, app: Flask) -> Response:
    headers = response.headers
    extra = getattr(request, "csp_frame_src", None) if request else None
    headers.setdefault("Content-Security-Policy", build_csp(extra))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if app.config.get("HSTS_ENABLED") and request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response
