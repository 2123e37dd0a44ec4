"""Digests by topic: when they go out (08:00 in each subscriber's zone), what they list,
once per period, in the subscriber's language, with one-click unsubscribe headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from interacta.core.models import OutboxMessage, Topic
from interacta.core.registry import erase_member_data, export_member_data
from interacta.network import digests
from interacta.network.digests import Choices
from interacta.network.models import DigestSend, Subscription

#: A Monday.
MONDAY = datetime(2031, 3, 10, tzinfo=UTC)
SINCE = datetime(2031, 2, 1, tzinfo=UTC)
AUCKLAND = "Pacific/Auckland"  # UTC+13 in March (daylight saving time)
HONOLULU = "Pacific/Honolulu"  # UTC-10


def _topic(db, slug=None) -> Topic:
    query = sa.select(Topic).order_by(Topic.position)
    if slug:
        query = query.where(Topic.slug == slug)
    return db.session.scalars(query).first()


@pytest.fixture
def subscribe(db, make_member):
    """subscribe(frequency="weekly", zone=..., language=..., **choices) -> (member, row)."""

    def make(frequency="weekly", zone="Europe/Brussels", language="en", started=SINCE, **kw):
        member = make_member(timezone=zone, language=language)
        choices = Choices(
            frequency=frequency,
            topic_ids=kw.pop("topic_ids", []),
            event_kinds=kw.pop("event_kinds", ["workshop", "conference"]),
            publication_kinds=kw.pop("publication_kinds", ["working_paper"]),
        )
        subscription = digests.save_member_subscription(member, choices, now=started)
        return member, subscription

    return make


@pytest.fixture
def upcoming(make_event):
    """upcoming(**overrides) -> an event published on 1 March 2031, held in May 2031."""

    def make(**overrides):
        starts = datetime(2031, 5, 20, 7, 30, tzinfo=UTC)
        values = {
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "published_at": datetime(2031, 3, 1, tzinfo=UTC),
        }
        values.update(overrides)
        return make_event(**values)

    return make


def _digests(db, to=None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.template == "network/mail/digest")
    if to:
        query = query.where(OutboxMessage.to_addr == to)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _run_hourly(start: datetime, hours: int) -> dict[datetime, int]:
    """What the hourly job sends each hour: {hour (UTC): digests sent}."""
    sent = {}
    for n in range(hours):
        now = start + timedelta(hours=n, minutes=1)
        sent[now.replace(minute=0)] = digests.send_digests(now)[0]
    return sent


def test_weekly_digest_reaches_auckland_and_honolulu_at_monday_0800_local(db, subscribe, upcoming):
    kiwi, _ = subscribe(zone=AUCKLAND)
    hawaii, _ = subscribe(zone=HONOLULU)
    upcoming(title="Negotiating humanitarian access")

    # From Saturday to Wednesday (UTC), the job runs each hour.
    sent = _run_hourly(MONDAY - timedelta(days=2), 24 * 5)

    auckland_0800 = datetime(2031, 3, 9, 19, tzinfo=UTC)  # Monday 08:00 NZDT
    honolulu_0800 = datetime(2031, 3, 10, 18, tzinfo=UTC)  # Monday 08:00 HST
    assert {hour: n for hour, n in sent.items() if n} == {auckland_0800: 1, honolulu_0800: 1}
    assert len(_digests(db, kiwi.email)) == 1
    assert len(_digests(db, hawaii.email)) == 1
    assert "Negotiating humanitarian access" in _digests(db, kiwi.email)[0].text_body


def test_the_hour_that_is_not_0800_for_the_subscriber_sends_nothing(db, subscribe, upcoming):
    subscribe(zone=AUCKLAND)
    upcoming()
    honolulu_0800 = datetime(2031, 3, 10, 18, 1, tzinfo=UTC)  # Tuesday 07:01 in Auckland
    assert digests.send_digests(honolulu_0800) == (0, 0)
    assert _digests(db) == []


def test_monthly_digest_goes_out_on_the_first_at_0800_local(db, subscribe, upcoming):
    kiwi, _ = subscribe(frequency="monthly", zone=AUCKLAND)
    hawaii, _ = subscribe(frequency="monthly", zone=HONOLULU)
    upcoming()

    sent = _run_hourly(datetime(2031, 3, 30, tzinfo=UTC), 24 * 4)

    assert {hour: n for hour, n in sent.items() if n} == {
        datetime(2031, 3, 31, 19, tzinfo=UTC): 1,  # 1 April 08:00 NZDT
        datetime(2031, 4, 1, 18, tzinfo=UTC): 1,  # 1 April 08:00 HST
    }
    assert [m.subject for m in _digests(db, hawaii.email)] == ["Interacta: your monthly digest"]
    # A Monday 08:00 is no time for a monthly digest.
    assert digests.send_digests(MONDAY.replace(hour=18, minute=1)) == (0, 0)


def test_running_the_send_twice_in_the_same_hour_sends_one_digest(db, subscribe, upcoming):
    member, subscription = subscribe(zone=HONOLULU)
    upcoming()
    now = datetime(2031, 3, 10, 18, 5, tzinfo=UTC)
    assert digests.send_digests(now) == (1, 0)
    assert digests.send_digests(now + timedelta(minutes=30)) == (0, 0)
    assert digests.send_digests(now, force=True) == (0, 0)  # --now: still one per period
    assert len(_digests(db, member.email)) == 1
    rows = db.session.scalars(sa.select(DigestSend)).all()
    assert [(r.subscription_id, r.period, r.events) for r in rows] == [
        (subscription.id, "week:2031-03-10", 1)
    ]


def test_a_second_sender_that_lost_the_race_sends_nothing(db, subscribe, upcoming):
    """The unique (subscription, period) row is the claim: a sender that finds it taken
    when it inserts (another worker was faster) queues no mail."""
    member, subscription = subscribe(zone=HONOLULU)
    upcoming()
    now = datetime(2031, 3, 10, 18, 5, tzinfo=UTC)
    # Another worker's row, written after this worker looked but before it inserted.
    real_build = digests.build_digest

    def build_while_another_sends(sub, since, until):
        digest = real_build(sub, since, until)
        db.session.add(
            DigestSend(subscription_id=sub.id, period="week:2031-03-10", since=since, until=until)
        )
        db.session.flush()
        return digest

    digests.build_digest = build_while_another_sends
    try:
        assert digests.send_digest(subscription, now) is False
    finally:
        digests.build_digest = real_build
    assert _digests(db, member.email) == []


def test_nothing_new_sends_no_mail(db, subscribe, upcoming, make_publication):
    member, _ = subscribe(zone=HONOLULU, event_kinds=["course"])
    upcoming(kind="workshop")  # not a kind they chose
    upcoming(published_at=datetime(2031, 1, 5, tzinfo=UTC))  # before they subscribed
    upcoming(status="draft", published_at=None)
    make_publication(kind="report")  # not a kind they chose
    assert digests.send_digests(datetime(2031, 3, 10, 18, 5, tzinfo=UTC)) == (0, 0)
    assert _digests(db) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestSend)) == 0


def test_digest_lists_the_chosen_topics_and_kinds_published_since_the_last_one(
    db, subscribe, upcoming, make_publication
):
    topic = _topic(db)
    other = db.session.scalars(sa.select(Topic).where(Topic.id != topic.id)).first()
    member, _ = subscribe(zone=HONOLULU, topic_ids=[topic.id])
    upcoming(title="On my topic", topics=[topic])
    upcoming(title="On another topic", topics=[other])
    paper = make_publication(kind="working_paper", title="A paper on my topic", topics=[topic.slug])
    paper.published_at = datetime(2031, 3, 2, tzinfo=UTC)
    first_monday = datetime(2031, 3, 10, 18, 5, tzinfo=UTC)
    assert digests.send_digests(first_monday) == (1, 0)
    body = _digests(db, member.email)[0].text_body
    assert "On my topic" in body and "A paper on my topic" in body
    assert "On another topic" not in body

    # The next week lists only what came after the first digest.
    upcoming(
        title="Newer on my topic", topics=[topic], published_at=first_monday + timedelta(days=2)
    )
    assert digests.send_digests(first_monday + timedelta(days=7)) == (1, 0)
    body = _digests(db, member.email)[1].text_body
    assert "Newer on my topic" in body
    assert "On my topic (" not in body and "A paper on my topic" not in body


def test_digest_is_in_the_members_language_with_dates_in_their_zone(db, subscribe, upcoming):
    member, _ = subscribe(zone=AUCKLAND, language="fr")
    upcoming(starts_at=datetime(2031, 5, 20, 7, 30, tzinfo=UTC))  # 19:30 in Auckland
    assert digests.send_digests(datetime(2031, 3, 9, 19, 5, tzinfo=UTC)) == (1, 0)
    mail = _digests(db, member.email)[0]
    assert mail.subject == "Interacta : votre synthèse hebdomadaire"
    assert "19:30" in mail.text_body and "mai 2031" in mail.text_body
    assert "/fr/events/" in mail.text_body


def test_digest_carries_one_click_unsubscribe_headers_and_link(db, subscribe, upcoming, client):
    member, subscription = subscribe(zone=HONOLULU)
    upcoming()
    digests.send_digests(datetime(2031, 3, 10, 18, 5, tzinfo=UTC))
    mail = _digests(db, member.email)[0]
    header = mail.headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    assert "/subscriptions/unsubscribe/" in header
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    assert url in mail.text_body and f'href="{url}"' in mail.html_body
    assert member.email not in url and "@" not in url


def test_digest_skips_unverified_and_erased_accounts(db, subscribe, upcoming):
    unverified, _ = subscribe(zone=HONOLULU)
    unverified.email_verified_at = None
    gone, _ = subscribe(zone=HONOLULU)
    gone.is_active = False
    upcoming()
    assert digests.send_digests(datetime(2031, 3, 10, 18, 5, tzinfo=UTC)) == (0, 0)


def test_turning_the_subscription_off_and_on_starts_a_new_window(db, subscribe, upcoming):
    member, subscription = subscribe(zone=HONOLULU)
    upcoming(title="Before the pause")
    later = datetime(2031, 3, 5, tzinfo=UTC)
    digests.save_member_subscription(member, Choices(frequency="off"), now=later)
    assert subscription.started_at is None
    digests.save_member_subscription(
        member, Choices(frequency="weekly", event_kinds=["workshop"]), now=later
    )
    assert subscription.started_at == later
    assert digests.send_digests(datetime(2031, 3, 10, 18, 5, tzinfo=UTC)) == (0, 0)


def test_a_subscription_that_is_on_needs_a_kind(db, make_member):
    member = make_member()
    with pytest.raises(digests.DomainError) as caught:
        digests.save_member_subscription(member, Choices(frequency="weekly"))
    assert caught.value.field == "event_kinds"


def test_export_and_erasure_cover_the_members_and_their_guest_subscriptions(
    db, subscribe, upcoming
):
    topic = _topic(db)
    member, subscription = subscribe(zone=HONOLULU, topic_ids=[topic.id])
    guest = Subscription(
        email=member.email, frequency="monthly", event_kinds=["course"], language="de"
    )
    db.session.add(guest)
    upcoming(topics=[topic])
    digests.send_digests(datetime(2031, 3, 10, 18, 5, tzinfo=UTC))

    exported = export_member_data(member)["subscriptions"]
    assert [s["frequency"] for s in exported] == ["weekly", "monthly"]
    assert exported[0]["topics"] == [topic.name]
    assert exported[0]["digests_sent"] == [
        {"period": "week:2031-03-10", "events": 1, "publications": 0}
    ]
    assert exported[1]["email"] == member.email

    erase_member_data(member)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestSend)) == 0


def test_flask_digests_send_now_puts_a_digest_in_the_mailbox(db, runner, subscribe, upcoming):
    member, _ = subscribe(zone=HONOLULU, started=datetime(2026, 1, 1, tzinfo=UTC))
    upcoming(published_at=datetime.now(UTC) - timedelta(minutes=5))
    result = runner.invoke(args=["digests", "send", "--now"])
    assert result.exit_code == 0, result.output
    assert "digests sent: 1" in result.output
    [mail] = _digests(db, member.email)
    assert mail.status == "sent" and mail.transport == "devmailbox"
    again = runner.invoke(args=["digests", "send", "--now"])
    assert "digests sent: 0" in again.output


def test_a_long_digest_lists_the_first_items_and_links_to_the_rest(
    db, subscribe, upcoming, monkeypatch
):
    monkeypatch.setattr(digests, "MAX_ITEMS", 2)
    member, _ = subscribe(zone=HONOLULU)
    for n in range(3):
        upcoming(title=f"Workshop number {n}", starts_at=datetime(2031, 5, 1 + n, tzinfo=UTC))
    digests.send_digests(datetime(2031, 3, 10, 18, 5, tzinfo=UTC))
    body = _digests(db, member.email)[0].text_body
    assert "Workshop number 0" in body and "Workshop number 1" in body
    assert "Workshop number 2" not in body
    assert "More new events on the site:" in body and "/events/\n" in body
    assert "More new publications" not in body
