"""The mails of topic subscriptions: the digest and a guest's address confirmation.

Each is written in its recipient's language (a member's account language, a guest's
page language) inside `force_locale`: subject, body, dates (in the recipient's zone) and
links, which lead to pages in that language.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from interacta.core.content import translated
from interacta.core.i18n import force_locale
from interacta.core.mail import queue_mail
from interacta.core.timezones import format_local
from interacta.core.urls import external_url
from interacta.network import digests
from interacta.network.models import Subscription
from interacta.publications.models import KIND_NAMES


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058: mail clients offer a one-click unsubscribe button."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def digest(
    subscription: Subscription, address: str, language: str, zone: str, content: digests.Digest
) -> None:
    """Queue the digest `content` for the subscriber."""
    token = digests.unsubscribe_token(subscription)
    with force_locale(language):
        unsubscribe_url = external_url("network.unsubscribe", token=token)
        events = [
            {
                "title": str(translated(event, "title")),
                "kind": event.kind_label,
                "when": format_local(event.starts_at, zone),
                "place": event.place,
                "link": external_url("events.detail", slug=event.slug),
            }
            for event in content.events
        ]
        publications = [
            {
                "title": str(translated(pub, "title")),
                "kind": str(KIND_NAMES.get(pub.kind, pub.kind)),
                "authors": ", ".join(a.name for a in pub.authors),
                "link": external_url("publications.detail", slug=pub.slug),
            }
            for pub in content.publications
        ]
        if subscription.frequency == "monthly":
            subject = _("Interacta: your monthly digest")
        else:
            subject = _("Interacta: your weekly digest")
        queue_mail(
            address,
            subject,
            "network/mail/digest",
            headers=unsubscribe_headers(unsubscribe_url),
            events=events,
            publications=publications,
            since=format_local(content.since, zone, "date"),
            events_heading=ngettext("%(num)d new event", "%(num)d new events", len(events)),
            publications_heading=ngettext(
                "%(num)d new publication", "%(num)d new publications", len(publications)
            ),
            manage_link=(
                external_url("network.my_subscriptions")
                if subscription.member_id
                else external_url("network.subscribe")
            ),
            more_events_link=external_url("events.index") if content.more_events else None,
            more_publications_link=(
                external_url("publications.index") if content.more_publications else None
            ),
            unsubscribe_link=unsubscribe_url,
        )


def confirm_guest(email: str, language: str, token: str) -> None:
    """The link a guest confirms the subscription with (nothing is sent before)."""
    with force_locale(language):
        queue_mail(
            email,
            _("Interacta: please confirm your subscription"),
            "network/mail/subscribe_confirm",
            link=external_url("network.confirm_subscription", token=token),
        )
