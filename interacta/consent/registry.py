"""The cookie registry: every cookie the site can set, declared once.

The policy page (/cookies) and the Cookie Management page are generated from it, and the
response guard drops any `Set-Cookie` whose name is not declared here or whose category the
visitor has not allowed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

NECESSARY = "necessary"
PERFORMANCE = "performance"
FUNCTIONALITY = "functionality"
TARGETING = "targeting"

#: The categories a visitor may switch on or off (strictly necessary is always on).
OPTIONAL = (PERFORMANCE, FUNCTIONALITY, TARGETING)
CATEGORIES = (NECESSARY, *OPTIONAL)


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    description: str


@dataclass(frozen=True)
class Cookie:
    name: str
    category: str
    purpose: str
    lifetime: str
    #: "first" (set by this site) or "third" (set by another site whose content we embed).
    party: str = "first"
    #: Who sets it (for third-party cookies).
    provider: str = ""
    #: Other names of the same cookie (the `__Host-` prefixed ones used in production).
    aliases: tuple[str, ...] = ()


CATEGORY_INFO = {
    NECESSARY: Category(
        NECESSARY,
        "Strictly necessary",
        "Needed for the site to work: they keep forms safe from forgery, keep you signed in "
        "and remember the cookie choice you made here. They cannot be switched off.",
    ),
    PERFORMANCE: Category(
        PERFORMANCE,
        "Performance",
        "Help us see how the site is used, so we can improve it. We count page views per "
        "page and day, and unique visitors, on our own server. The counts are aggregated and "
        "anonymous; nothing is shared with anyone.",
    ),
    FUNCTIONALITY: Category(
        FUNCTIONALITY,
        "Functionality",
        "Remember choices you make, such as whether you see events as a list or a calendar, "
        "and your time zone, so you do not have to set them again on every visit.",
    ),
    TARGETING: Category(
        TARGETING,
        "Targeting",
        "Allow content from other sites, such as recorded seminar videos from YouTube or "
        "Vimeo, to be shown here. Those sites may set their own cookies and track what you "
        "watch, also across other websites.",
    ),
}

SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"
#: Their names in production (config.ProductionConfig): Secure, Path=/, no Domain.
HOST_SESSION_COOKIE = "__Host-session"
HOST_REMEMBER_COOKIE = "__Host-remember_token"
CONSENT_COOKIE = "ia_consent"
HOST_CONSENT_COOKIE = "__Host-ia_consent"
VISITOR_COOKIE = "ia_visitor"
PREFERENCES_COOKIE = "ia_prefs"

COOKIES: tuple[Cookie, ...] = (
    Cookie(
        SESSION_COOKIE,
        NECESSARY,
        "Keeps forms safe from forgery (CSRF token) and keeps you signed in until you close "
        "the browser (at most 12 hours without use, and 30 days in all).",
        "Browser session",
        aliases=(HOST_SESSION_COOKIE,),
    ),
    Cookie(
        CONSENT_COOKIE,
        NECESSARY,
        "Remembers the cookie choice you made here (signed, so nobody else can change it), "
        "so we do not ask again on every visit. It is set only once you choose.",
        "As long as your choice: 12 months, or 6 months for a refusal",
        aliases=(HOST_CONSENT_COOKIE,),
    ),
    Cookie(
        REMEMBER_COOKIE,
        NECESSARY,
        'Keeps you signed in across browser restarts, only when you tick "Remember me".',
        "30 days",
        aliases=(HOST_REMEMBER_COOKIE,),
    ),
    Cookie(
        VISITOR_COOKIE,
        PERFORMANCE,
        "A random number that lets us count unique visitors per day. It holds nothing about "
        "you and is never shared.",
        "12 months",
    ),
    Cookie(
        PREFERENCES_COOKIE,
        FUNCTIONALITY,
        "Remembers your preferred events view (list or calendar) and your time zone.",
        "12 months",
    ),
    Cookie(
        "VISITOR_INFO1_LIVE, YSC, PREF",
        TARGETING,
        "Set by YouTube when an embedded video plays (we embed from youtube-nocookie.com, "
        "which sets them only once you play the video). Used by Google to measure views "
        "and for advertising.",
        "Session to 6 months",
        party="third",
        provider="Google (YouTube)",
    ),
    Cookie(
        "vuid, __cf_bm",
        TARGETING,
        "Set by Vimeo when an embedded video loads, to measure views and keep the player working.",
        "30 minutes to 2 years",
        party="third",
        provider="Vimeo",
    ),
)


def cookie(name: str) -> Cookie | None:
    """The first-party cookie declared under `name`, or None."""
    for entry in COOKIES:
        if entry.party == "first" and (entry.name == name or name in entry.aliases):
            return entry
    return None


def cookies_in(category: str) -> list[Cookie]:
    return [c for c in COOKIES if c.category == category]


def first_party_cookies(category: str) -> list[Cookie]:
    return [c for c in cookies_in(category) if c.party == "first"]


def policy_text(version: int, date: str) -> str:
    """The policy's substance as plain text: what its hash in the consent log refers to."""
    lines = [f"Cookie policy version {version} of {date}"]
    for key in CATEGORIES:
        info = CATEGORY_INFO[key]
        lines.append(f"{info.title}: {info.description}")
        for c in cookies_in(key):
            lines.append(f"- {c.name} ({c.party} party {c.provider}): {c.purpose} [{c.lifetime}]")
    return "\n".join(lines)


def policy_hash(version: int, date: str) -> str:
    return hashlib.sha256(policy_text(version, date).encode()).hexdigest()
