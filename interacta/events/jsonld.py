"""schema.org `Event` structured data for the event page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from interacta.core.content import translated
from interacta.core.registry import answers
from interacta.core.urls import external_url
from interacta.events.models import Event

SCHEMA = "https://schema.org/"
ATTENDANCE = {
    "in_person": "OfflineEventAttendanceMode",
    "online": "OnlineEventAttendanceMode",
    "hybrid": "MixedEventAttendanceMode",
}


def _organizers(event: Event) -> dict | list[dict]:
    """The network, and the organisations that co-organise (interacta.network answers)."""
    network = {
        "@type": "Organization",
        "name": current_app.config["SITE_NAME"],
        "url": external_url("pages.home"),
    }
    others = [{"@type": "Organization", **org} for org in answers("event_organizers", event)]
    return [network, *others] if others else network


def event_jsonld(event: Event, seats_left: int | None) -> dict:
    tz = ZoneInfo(event.timezone)
    url = external_url("events.detail", slug=event.slug)
    places = []
    if event.format in ("in_person", "hybrid"):
        unknown = _("To be announced")
        places.append(
            {
                "@type": "Place",
                "name": event.venue_name or unknown,
                "address": event.venue_address or event.venue_name or unknown,
            }
        )
    if event.format in ("online", "hybrid"):
        # The page, never the private link: that is only for confirmed participants.
        places.append({"@type": "VirtualLocation", "url": url})
    available = seats_left is None or seats_left > 0
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": translated(event, "title").text,
        "description": translated(event, "summary").text,
        "url": url,
        "startDate": event.starts_at.astimezone(tz).isoformat(),
        "endDate": event.ends_at.astimezone(tz).isoformat(),
        "eventAttendanceMode": SCHEMA + ATTENDANCE.get(event.format, ATTENDANCE["in_person"]),
        "eventStatus": SCHEMA + ("EventCancelled" if event.is_cancelled else "EventScheduled"),
        "location": places[0] if len(places) == 1 else places,
        "organizer": _organizers(event),
        "offers": {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "EUR",
            "url": url,
            "availability": SCHEMA + ("InStock" if available else "SoldOut"),
        },
    }
    if event.registration_opens_at:
        data["offers"]["validFrom"] = event.registration_opens_at.astimezone(tz).isoformat()
    return data
