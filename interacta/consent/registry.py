"""The cookie registry: every cookie the site can set, declared once.

The policy page (/cookies) and the Cookie Management page are generated from it, and the
response guard drops any `Set-Cookie` whose name is not declared here or whose category the
visitor has not allowed.

Its texts are translated when a page shows them (`_l`), but the policy's hash is made from
their English source, so a choice made on /fr/cookies refers to the same policy as one
made on /cookies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext
from flask_babel.speaklater import LazyString


class SourceText(LazyString):
    """A lazily translated registry text that keeps its English source (`source`)."""

    def __init__(self, message: str):
        super().__init__(gettext, message)
        self.source = message


def _l(message: str) -> SourceText:
    """Like `lazy_gettext`: translated into the page's language when shown."""
    return SourceText(message)


def source(text) -> str:
    """The English source of a registry text (what the policy hash covers)."""
    return text.source if isinstance(text, SourceText) else str(text)


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
    title: SourceText
    description: SourceText
    #: The caption of its table of cookies ("Performance cookies").
    caption: SourceText | str = ""
    #: The label of its switch on Cookie Management ("Allow performance cookies").
    switch_label: SourceText | str = ""


@dataclass(frozen=True)
class Cookie:
    name: str
    category: str
    purpose: SourceText
    lifetime: SourceText
    #: "first" (set by this site) or "third" (set by another site whose content we embed).
    party: str = "first"
    #: Who sets it (for third-party cookies).
    provider: str = ""
    #: Other names of the same cookie (the `__Host-` prefixed ones used in production).
    aliases: tuple[str, ...] = ()


CATEGORY_INFO = {
    NECESSARY: Category(
        NECESSARY,
        _l("Strictly necessary"),
        _l(
            "Needed for the site to work: they keep forms safe from forgery, keep you signed "
            "in and remember the cookie choice you made here. They cannot be switched off."
        ),
        _l("Strictly necessary cookies"),
    ),
    PERFORMANCE: Category(
        PERFORMANCE,
        _l("Performance"),
        _l(
            "Help us see how the site is used, so we can improve it. We count page views per "
            "page and day, and unique visitors, on our own server. The counts are aggregated "
            "and anonymous; nothing is shared with anyone."
        ),
        _l("Performance cookies"),
        _l("Allow performance cookies"),
    ),
    FUNCTIONALITY: Category(
        FUNCTIONALITY,
        _l("Functionality"),
        _l(
            "Remember choices you make, such as whether you see events as a list or a "
            "calendar, and your time zone, so you do not have to set them again on every visit."
        ),
        _l("Functionality cookies"),
        _l("Allow functionality cookies"),
    ),
    TARGETING: Category(
        TARGETING,
        _l("Targeting"),
        _l(
            "Allow content from other sites, such as recorded seminar videos from YouTube or "
            "Vimeo, to be shown here. Those sites may set their own cookies and track what "
            "you watch, also across other websites."
        ),
        _l("Targeting cookies"),
        _l("Allow targeting cookies"),
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
        _l(
            "Keeps forms safe from forgery (CSRF token) and keeps you signed in until you "
            "close the browser (at most 12 hours without use, and 30 days in all)."
        ),
        _l("Browser session"),
        aliases=(HOST_SESSION_COOKIE,),
    ),
    Cookie(
        CONSENT_COOKIE,
        NECESSARY,
        _l(
            "Remembers the cookie choice you made here (signed, so nobody else can change "
            "it), so we do not ask again on every visit. It is set only once you choose."
        ),
        _l("As long as your choice: 12 months, or 6 months for a refusal"),
        aliases=(HOST_CONSENT_COOKIE,),
    ),
    Cookie(
        REMEMBER_COOKIE,
        NECESSARY,
        _l('Keeps you signed in across browser restarts, only when you tick "Remember me".'),
        _l("30 days"),
        aliases=(HOST_REMEMBER_COOKIE,),
    ),
    Cookie(
        VISITOR_COOKIE,
        PERFORMANCE,
        _l(
            "A random number that lets us count unique visitors per day. It holds nothing "
            "about you and is never shared."
        ),
        _l("12 months"),
    ),
    Cookie(
        PREFERENCES_COOKIE,
        FUNCTIONALITY,
        _l("Remembers your preferred events view (list or calendar) and your time zone."),
        _l("12 months"),
    ),
    Cookie(
        "VISITOR_INFO1_LIVE, YSC, PREF",
        TARGETING,
        _l(
            "Set by YouTube when an embedded video plays (we embed from youtube-nocookie.com, "
            "which sets them only once you play the video). Used by Google to measure views "
            "and for advertising."
        ),
        _l("Session to 6 months"),
        party="third",
        provider="Google (YouTube)",
    ),
    Cookie(
        "vuid, __cf_bm",
        TARGETING,
        _l(
            "Set by Vimeo when an embedded video loads, to measure views and keep the "
            "player working."
        ),
        _l("30 minutes to 2 years"),
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
    """The policy's substance as plain text: what its hash in the consent log refers to.

    Always in English (the source texts), whatever the page's language: the policy is one
    document, shown in four languages."""
    lines = [f"Cookie policy version {version} of {date}"]
    for key in CATEGORIES:
        info = CATEGORY_INFO[key]
        lines.append(f"{source(info.title)}: {source(info.description)}")
        for c in cookies_in(key):
            lines.append(
                f"- {c.name} ({c.party} party {c.provider}): "
                f"{source(c.purpose)} [{source(c.lifetime)}]"
            )
    return "\n".join(lines)


@lru_cache(maxsize=8)
def policy_hash(version: int, date: str) -> str:
    return hashlib.sha256(policy_text(version, date).encode()).hexdigest()
