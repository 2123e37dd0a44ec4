"""Limits on guessing a password and on mail sent to one address, that others cannot use to
lock a member out.

The hard limits (429) count per client: per IP, and per account *and* IP (rate-limit keys
for the views). What one account receives from every client together only slows the
attempts down (a short wait before the answer) or stops extra mail, never refuses the owner:
a stranger's wrong guesses do not stop the owner signing in with the right password, and a
flood of reset requests for their address does not stop them resetting it (a link already
sent works).
"""

from __future__ import annotations

import time

from flask import current_app, request
from limits import parse

from interacta.core.text import normalize_email
from interacta.extensions import limiter

#: Failed sign-ins on one account, from any client, after which each attempt waits.
TARGETED_ACCOUNT = parse("10 per 15 minutes")
#: Links (password reset, address confirmation) mailed to one address, whoever asks; more
#: would only fill the mailbox, and a link already sent works.
LINK_MAILS = parse("3 per hour")


def _client() -> str:
    return request.remote_addr or "-"


def form_email_and_client_key() -> str:
    """Rate-limit key: the account a form is about (its email address) and the client."""
    return f"email:{normalize_email(request.form.get('email'))}|ip:{_client()}"


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _account(email: str) -> str:
    return normalize_email(email) or "-"


def slow_down_if_targeted(email: str) -> float:
    """Wait SIGN_IN_SLOWDOWN_SECONDS before answering a sign-in on an account that failed
    too often lately (from anyone); return the seconds waited."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return 0.0
    if limiter.limiter.test(TARGETED_ACCOUNT, "signin-failed", _account(email)):
        return 0.0
    seconds = float(current_app.config["SIGN_IN_SLOWDOWN_SECONDS"])
    _sleep(seconds)
    return seconds


def failed_sign_in(email: str) -> None:
    """Count a failed sign-in on the account (for `slow_down_if_targeted`)."""
    if current_app.config.get("RATELIMIT_ENABLED", True):
        limiter.limiter.hit(TARGETED_ACCOUNT, "signin-failed", _account(email))


def may_mail_link(kind: str, email: str) -> bool:
    """Whether another link of `kind` ("reset", "verify") may go to `email` now (counted
    when True)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    return limiter.limiter.hit(LINK_MAILS, f"{kind}-mail", _account(email))
