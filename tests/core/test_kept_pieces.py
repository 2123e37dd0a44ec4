"""Every page's frame (main navigation, footer, consent banner) is rendered once per app,
language and what it depends on, and kept (core.templating.kept_piece); static files'
links are built once per URL prefix (InteractaFlask.url_for). A page built with them kept
is the page built without them, for every visitor and language."""

from __future__ import annotations

import re

import interacta

#: Links only the frame makes (footer, navigation, consent banner): none of the pages
#: below links them in its own content.
FRAME_ENDPOINTS = {
    "pages.imprint",
    "pages.privacy",
    "network.subscribe",
    "consent.choose",
    "consent.preferences",
}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _spy(monkeypatch):
    built: list[str] = []
    quick = interacta.quick_url
    strip = interacta.strip_language_prefix

    def spy_quick(app, script_root, endpoint, values, build):
        built.append(endpoint)
        return quick(app, script_root, endpoint, values, build)

    def spy_strip(url, request):
        built.append("static")
        return strip(url, request)

    monkeypatch.setattr(interacta, "quick_url", spy_quick)
    monkeypatch.setattr(interacta, "strip_language_prefix", spy_strip)
    return built


def test_the_frame_and_static_links_are_built_once(client, monkeypatch):
    first = client.get("/about")
    built = _spy(monkeypatch)
    again = client.get("/about")
    assert again.data == first.data
    assert not FRAME_ENDPOINTS & set(built), built
    assert "static" not in built  # the style sheets, scripts and icon: kept links
    assert b'href="/static/css/site.css"' in again.data


def test_pages_built_with_the_frame_kept_are_the_same(app, client, auth, make_member):
    def page(path):
        # A form's token is signed with the second it was made: two pages built across a
        # second's change differ there alone (seen on a slow machine).
        return re.sub(rb'name="csrf_token" value="[^"]*"', b"", client.get(path).data)

    def fresh(path):
        app.extensions.pop("interacta.kept_pieces", None)
        app.extensions.pop("interacta.static_urls", None)
        return page(path)

    # (A signed-in member's first page makes the session's CSRF token: built twice first.)
    for path in ("/about", "/fr/about", "/events/", "/de/publications/", "/privacy"):
        client.get(path)
        assert fresh(path) == page(path), path
    auth.login_as(make_member(role="admin"))
    for path in ("/about", "/sl/events/", "/members/me"):
        client.get(path)
        assert fresh(path) == page(path), path


def test_the_navigation_follows_the_page_language_and_visitor(app, client, auth, make_member):
    assert b'<a href="/events/" aria-current="page">Events</a>' in client.get("/events/").data
    page = client.get("/publications/").data
    assert b'<a href="/events/" >Events</a>' in page
    assert b'<a href="/publications/" aria-current="page">Publications</a>' in page
    assert b"Members / Join" in page
    french = client.get("/fr/publications/").data.decode()
    assert 'href="/fr/events/"' in french and "Members / Join" not in french
    assert 'href="/static/css/site.css"' in french  # static files: no language prefix

    auth.login_as(make_member(role="admin"))
    admin = client.get("/publications/").data
    assert b"Console" in admin and b"Members / Join" not in admin
    auth.login_as(make_member(role="member"))
    plain = client.get("/publications/").data
    assert b"My account" in plain and b"Console" not in plain and b"Manage events" not in plain
    auth.logout()
    assert b"Members / Join" in client.get("/publications/").data


def test_each_member_signs_out_with_their_own_token(app, db, make_member):
    from tests.conftest import Auth

    tokens = []
    for _ in range(2):
        client = app.test_client()
        Auth(client).login_as(make_member())
        page = client.get("/about").data.decode()
        tokens.append(TOKEN.findall(page))
    assert all(len(found) == 1 for found in tokens), tokens
    assert tokens[0] != tokens[1]
