"""The subscription pages: a member's settings, a guest's double opt-in, and the signed
one-click unsubscribe that works without a session or a CSRF token (RFC 8058)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage, Topic
from interacta.network import digests
from interacta.network.digests import Choices
from interacta.network.models import Subscription


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _subscriptions(db) -> list[Subscription]:
    return list(db.session.scalars(sa.select(Subscription).order_by(Subscription.id)))


def _link(message: OutboxMessage, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+(\S*{path}/\S+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


# -- members ------------------------------------------------------------------------------------


def test_account_page_links_to_the_digest_settings(db, client, auth, make_member):
    auth.login_as(make_member())
    page = client.get("/members/me").get_data(as_text=True)
    assert 'href="/members/me/subscriptions"' in page
    assert "You receive no digest" in page


def test_member_chooses_topics_kinds_and_frequency(db, client, auth, make_member):
    member = auth.login_as(make_member())
    page = client.get("/members/me/subscriptions")
    assert page.status_code == 200
    assert re.search(r'checked[^>]*value="off"', page.get_data(as_text=True))  # default off
    topic = db.session.scalars(sa.select(Topic)).first()
    response = client.post(
        "/members/me/subscriptions",
        data={
            "frequency": "monthly",
            "topics": [str(topic.id)],
            "event_kinds": ["workshop"],
            "publication_kinds": ["report", "working_paper"],
        },
    )
    assert response.status_code == 302
    [row] = _subscriptions(db)
    assert row.member_id == member.id and row.frequency == "monthly"
    assert [t.id for t in row.topics] == [topic.id]
    assert row.event_kinds == ["workshop"]
    assert row.publication_kinds == ["working_paper", "report"]
    assert row.started_at is not None
    again = client.get("/members/me/subscriptions").get_data(as_text=True)
    assert re.search(r'checked[^>]*value="monthly"', again)
    assert "You receive a monthly digest" in client.get("/members/me").get_data(as_text=True)


def test_a_digest_without_any_kind_is_refused_beside_the_field(db, client, auth, make_member):
    auth.login_as(make_member())
    response = client.post("/members/me/subscriptions", data={"frequency": "weekly"})
    assert response.status_code == 400
    assert "at least one kind" in response.get_data(as_text=True)
    assert _subscriptions(db) == []


def test_signed_in_member_is_sent_from_the_guest_form_to_their_settings(
    db, client, auth, make_member
):
    auth.login_as(make_member())
    response = client.get("/subscriptions")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/members/me/subscriptions")


# -- one-click unsubscribe ----------------------------------------------------------------------


def _member_subscription(make_member):
    member = make_member()
    subscription = digests.save_member_subscription(
        member, Choices(frequency="weekly", event_kinds=["workshop"])
    )
    return member, subscription


def test_one_click_unsubscribe_by_post_without_session_or_csrf_token(
    db, app, client, make_member, csrf_on
):
    member, subscription = _member_subscription(make_member)
    token = digests.unsubscribe_token(subscription)
    db.session.commit()
    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    response = client.post(
        f"/subscriptions/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    db.session.refresh(subscription)
    assert subscription.frequency == "off"
    assert member.email not in f"/subscriptions/unsubscribe/{token}"


def test_the_unsubscribe_link_alone_changes_nothing_until_the_button(
    db, client, make_member, csrf_on
):
    _member, subscription = _member_subscription(make_member)
    token = digests.unsubscribe_token(subscription)
    page = client.get(f"/subscriptions/unsubscribe/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'method="post"' in html and 'name="csrf_token"' in html
    db.session.refresh(subscription)
    assert subscription.frequency == "weekly"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post(f"/subscriptions/unsubscribe/{token}", data={"csrf_token": csrf})
    db.session.refresh(subscription)
    assert subscription.frequency == "off"
    assert "receives no digests" in client.get(f"/subscriptions/unsubscribe/{token}").get_data(
        as_text=True
    )


def test_a_forged_unsubscribe_link_is_refused(db, client, make_member):
    _member, subscription = _member_subscription(make_member)
    token = digests.unsubscribe_token(subscription)
    assert client.get(f"/subscriptions/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/subscriptions/unsubscribe/{token[:-2]}").status_code == 404
    db.session.refresh(subscription)
    assert subscription.frequency == "weekly"


# -- guests: double opt-in ----------------------------------------------------------------------

GUEST = {
    "email": "Visitor@Example.org",
    "frequency": "weekly",
    "event_kinds": ["workshop", "course"],
    "publication_kinds": ["policy_brief"],
    "timezone": "America/Bogota",
}


def test_guest_subscribes_only_after_confirming_the_address(db, client, outbox):
    assert client.get("/subscriptions").status_code == 200
    response = client.post("/fr/subscriptions", data=GUEST)
    assert response.status_code == 200
    assert _subscriptions(db) == []  # nothing kept before the confirmation
    [mail] = outbox("visitor@example.org")
    assert mail.subject == "Interacta : veuillez confirmer votre abonnement"
    link = _link(mail, "/subscriptions/confirm")
    assert link.startswith("/fr/")

    page = client.get(link)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200
    assert _subscriptions(db) == []
    assert client.post(link).status_code == 200
    [row] = _subscriptions(db)
    assert (row.email, row.member_id, row.frequency) == ("visitor@example.org", None, "weekly")
    assert (row.language, row.timezone) == ("fr", "America/Bogota")
    assert row.event_kinds == ["workshop", "course"]
    assert row.publication_kinds == ["policy_brief"]
    # Confirming twice keeps one row.
    client.post(link)
    assert len(_subscriptions(db)) == 1


def test_guest_form_answers_the_same_for_a_members_address(db, client, outbox, make_member):
    member = make_member(email="known@example.org")
    known = client.post("/subscriptions", data={**GUEST, "email": member.email})
    unknown = client.post("/subscriptions", data={**GUEST, "email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf_token" value="[^"]*"|nonce="[^"]*"')
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub(
        "", unknown.get_data(as_text=True)
    )
    assert len(outbox(member.email)) == len(outbox("nobody@example.org")) == 1


def test_guest_subscriptions_are_rate_limited(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    statuses = [
        client.post("/subscriptions", data={**GUEST, "email": f"g{n}@example.org"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_guest_unsubscribe_deletes_the_guest_and_what_it_held(db, client, outbox):
    client.post("/subscriptions", data=GUEST)
    client.post(_link(outbox()[0], "/subscriptions/confirm"))
    [row] = _subscriptions(db)
    token = digests.unsubscribe_token(row)
    db.session.commit()
    assert client.post(f"/subscriptions/unsubscribe/{token}").status_code == 200
    assert _subscriptions(db) == []
    # The old link still answers, and says there is nothing left.
    assert "receives no digests" in client.get(f"/subscriptions/unsubscribe/{token}").get_data(
        as_text=True
    )


def test_an_expired_or_forged_confirmation_link_saves_nothing(db, client):
    assert client.get("/subscriptions/confirm/not-a-token").status_code == 404
    assert client.post("/subscriptions/confirm/not-a-token").status_code == 404
    assert _subscriptions(db) == []


def test_every_page_footer_offers_the_digests_in_the_pages_language(db, client):
    english = client.get("/events/").get_data(as_text=True)
    assert '<a href="/subscriptions">New events and papers by mail</a>' in english
    french = client.get("/fr/events/").get_data(as_text=True)
    assert (
        '<a href="/fr/subscriptions">Nouveaux événements et publications par e-mail</a>' in french
    )
