"""Languages in a real browser: switch to French from the header on an event page, register
as a guest; the pages and the mail are in French, and the French pages pass axe."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage, utcnow
from interacta.events.models import Event, Registration
from interacta.extensions import db
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def _event(live_app, tag: str) -> str:
    with live_app.app_context():
        start = (utcnow() + timedelta(days=25)).replace(hour=8, minute=30, second=0, microsecond=0)
        event = Event(slug=f"exercice-{tag}", title="Exercice de coordination", kind="workshop",
                      summary="Une journée d’exercice.", description="Apportez vos bottes.",
                      starts_at=start, ends_at=start + timedelta(hours=3),
                      timezone="Europe/Brussels", venue_name="Hall", capacity=20,
                      status="published", published_at=utcnow())  # fmt: skip
        db.session.add(event)
        db.session.commit()
        slug = event.slug
        db.session.remove()
    return slug


def test_guest_switches_to_french_registers_and_gets_a_french_mail(live_app, live_server, page):
    tag = uuid.uuid4().hex[:6]
    email = f"invitee-{tag}@example.org"
    slug = _event(live_app, tag)

    page.goto(f"{live_server}/events/{slug}")
    page.locator(".language-switcher").get_by_role("link", name="Français").click()
    page.wait_for_url(f"**/fr/events/{slug}")
    assert page.get_attribute("html", "lang") == "fr"
    assert "À propos de cet atelier" in page.inner_text("main")

    page.get_by_role("link", name="S’inscrire").click()
    page.wait_for_url(f"**/fr/events/{slug}/register")
    page.fill("#name", "Camille Invitée")
    page.fill("#email", email)
    page.get_by_role("button", name="S’inscrire").click()
    assert page.inner_text("h1") == "Consultez votre messagerie"
    assert page.get_attribute("html", "lang") == "fr"

    with live_app.app_context():
        registration = db.session.scalar(sa.select(Registration).where(Registration.email == email))
        assert registration.language == "fr"
        mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_addr == email))
        assert mail.subject.startswith("Merci de confirmer votre inscription")
        assert "Bonjour Camille Invitée," in mail.text_body
        link = re.search(r"(http://\S+/fr/events/registration/\S+)", mail.text_body).group(1)
        db.session.remove()

    page.goto(link)
    assert page.get_attribute("html", "lang") == "fr"
    assert "Pas encore confirmée." in page.inner_text(".registration-status")
    page.get_by_role("button", name="Confirmer mon inscription").click()
    assert "Confirmée" in page.inner_text(".registration-status")
    assert axe_violations(page) == []

    with live_app.app_context():
        confirmed = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.to_addr == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert confirmed.subject == "Vous êtes inscrit\u00a0: Exercice de coordination"
        assert "Votre inscription est confirmée." in confirmed.text_body
        assert "/fr/events/registration/" in confirmed.text_body
        db.session.remove()


def test_french_event_pages_have_no_serious_accessibility_violations(live_app, live_server, page):
    slug = _event(live_app, uuid.uuid4().hex[:6])
    for path in ("/fr/events/", f"/fr/events/{slug}", "/fr/events/calendar"):
        page.goto(live_server + path)
        assert page.get_attribute("html", "lang") == "fr"
        violations = axe_violations(page)
        assert violations == [], (path, [v["id"] for v in violations])
