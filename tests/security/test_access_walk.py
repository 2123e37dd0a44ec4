"""Every protected route, found from the URL map, refuses those it is not for.

A partial version of the route x role walk: it checks the refusals (visitor, member,
organizer of another event, non-admin) for every route that needs a sign-in, a role or
ownership. A new route must be classified in RULES, or the first test fails.
"""

from __future__ import annotations

import re

import pytest

# (pattern on the rule, who may use it). Checked in order; the first match wins.
RULES: list[tuple[str, str]] = [
    (r"^/static/", "public"),
    (r"^/dev/mailbox", "dev"),
    (r"^/members/admin", "admin"),
    (r"^/cookies/admin/", "admin"),
    (r"^/events/manage/<int:event_id>/", "event_owner"),
    (r"^/events/manage/", "organizer"),
    (r"^/publications/manage/", "organizer"),
    (r"^/members/me", "member"),
    (r"^/members/$", "member"),
    (r"^/events/my$", "member"),
    (r"^/events/my/feed/renew$", "member"),
    (r"^/members/logout$", "public"),
    (r"^/events/my/<token>\.ics$", "token"),
    (r"^/events/registration/<token>", "token"),
    (r"^/members/(verify|reset|confirm-email)/<token>", "token"),
    (r"^/(members|events|publications|cookies)(/|$)", "public"),
    (r"^/(about|imprint|privacy|healthz)?$", "public"),
]

DENIED = {401, 403, 404, 405}


def _kind(rule: str) -> str | None:
    for pattern, kind in RULES:
        if re.search(pattern, rule):
            return kind
    return None


def _routes(app, kinds):
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if _kind(rule.rule) in kinds
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    assert len(found) >= 3, kinds  # the walk is not vacuous
    return found


def _url(rule, values):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _refused(response, signed_in: bool) -> bool:
    if response.status_code in DENIED:
        return True
    if response.status_code == 302 and not signed_in:
        return "/members/login" in response.headers["Location"]
    return False


def test_every_route_is_classified(app):
    unclassified = [r.rule for r in app.url_map.iter_rules() if _kind(r.rule) is None]
    assert not unclassified, f"classify these routes in RULES: {unclassified}"


@pytest.fixture
def world(db, make_member, make_event, make_publication):
    owner = make_member(role="organizer")
    return {
        "owner": owner,
        "other_organizer": make_member(role="organizer"),
        "member": make_member(),
        "event": make_event(organizer=owner),
        "publication": make_publication(),
    }


def _values(world):
    return {
        "event_id": world["event"].id,
        "pub_id": world["publication"].id,
        "member_id": world["member"].id,
        "message_id": 1,
    }


def _call(client, method, url):
    return client.open(url, method=method, data={})


def test_a_visitor_is_refused_every_protected_route(app, client, world):
    values = _values(world)
    for rule, method in _routes(app, {"admin", "event_owner", "organizer", "member"}):
        response = _call(client, method, _url(rule, values))
        assert _refused(response, signed_in=False), (method, rule.rule, response.status_code)


def test_a_member_is_refused_organizer_and_admin_routes(app, client, auth, world):
    values = _values(world)
    auth.login_as(world["member"])
    for rule, method in _routes(app, {"admin", "event_owner", "organizer"}):
        response = _call(client, method, _url(rule, values))
        assert _refused(response, signed_in=True), (method, rule.rule, response.status_code)


def test_an_organizer_is_refused_another_organizers_event_and_admin_routes(
    app, client, auth, world
):
    values = _values(world)
    auth.login_as(world["other_organizer"])
    for rule, method in _routes(app, {"admin", "event_owner"}):
        response = _call(client, method, _url(rule, values))
        assert _refused(response, signed_in=True), (method, rule.rule, response.status_code)


def test_the_events_organizer_reaches_its_management_pages(app, client, auth, world):
    values = _values(world)
    auth.login_as(world["owner"])
    for rule, method in _routes(app, {"event_owner"}):
        if method != "GET":
            continue
        response = _call(client, method, _url(rule, values))
        assert response.status_code == 200, (rule.rule, response.status_code)
