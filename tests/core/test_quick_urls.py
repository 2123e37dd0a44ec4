"""Links built from a rule's shape (core.urls.quick_url) are exactly the links url_for
builds, for every route of the app, in every language, with awkward values."""

from __future__ import annotations

import pytest
from flask import Flask, request, url_for
from werkzeug.routing import IntegerConverter, MapAdapter, UnicodeConverter
from werkzeug.test import EnvironBuilder

from interacta.core.i18n import prefix_for
from interacta.core.urls import external_url, quick_url

SIMPLE = (UnicodeConverter, IntegerConverter)
AWKWARD = ["plain-slug", "été à Ljubljana", "a b", "50%", "a?b#c", "qU0Uq", "x&y=z", "ž/š"]


def _values(rule, text: str) -> dict:
    return {
        name: 41 if isinstance(rule._converters[name], IntegerConverter) else text
        for name in rule.arguments
    }


@pytest.mark.parametrize("prefix", ["", "/fr", "/sl"])
def test_every_route_is_linked_exactly_as_url_for_links_it(app, prefix):
    checked = 0
    # The language middleware moves /fr into SCRIPT_NAME; so does a base URL with a path.
    with app.test_request_context("/", base_url=f"http://localhost{prefix}/"):
        assert request.script_root == prefix
        for rule in app.url_map.iter_rules():
            if not all(type(c) in SIMPLE for c in rule._converters.values()):
                continue  # other converters refuse these values; url_for's own way anyway
            for text in AWKWARD:
                values = _values(rule, text)
                for query in ({}, {"q": text, "page": 2, "empty": None}):
                    given = {**values, **query}
                    slow = Flask.url_for(app, rule.endpoint, **given)
                    fast = quick_url(app, prefix, rule.endpoint, given, Flask.url_for.__get__(app))
                    if fast is not None:
                        assert fast == slow, (rule.rule, given)
                        assert fast.startswith(prefix + "/")
                        checked += 1
                    assert url_for(rule.endpoint, **given) == slow
    # Most routes take the shortcut (the others: static files, several rules per endpoint).
    assert checked > 200


def test_a_link_in_a_french_page_keeps_its_prefix(app):
    with app.test_request_context("/events/", base_url="http://localhost/fr/"):
        link = url_for("events.detail", slug="été")
        assert link == Flask.url_for(app, "events.detail", slug="été")
        assert link == "/fr/events/%C3%A9t%C3%A9"


@pytest.mark.parametrize("language", ["en", "sl"])
def test_every_route_is_linked_absolutely_as_the_url_adapter_links_it(app, language):
    checked = 0
    with app.app_context():
        base = app.config["SERVER_BASE_URL"].rstrip("/") + prefix_for(language)
        adapter = app.url_map.bind_to_environ(
            EnvironBuilder(base_url=base + "/").get_environ(), server_name=None
        )
        for rule in app.url_map.iter_rules():
            if not all(type(c) in SIMPLE for c in rule._converters.values()):
                continue
            for text in AWKWARD:
                values = _values(rule, text)
                for query in ({}, {"q": text, "page": 2, "empty": None}):
                    given = {**values, **query}
                    expected = adapter.build(rule.endpoint, dict(given), force_external=True)
                    assert external_url(rule.endpoint, _language=language, **given) == expected
                    checked += 1
    assert checked > 200


def test_an_absolute_link_is_built_from_the_rule_shape(app, monkeypatch):
    builds = []
    original = MapAdapter.build

    def counting(self, *args, **kwargs):
        builds.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counting)
    with app.app_context():
        first = external_url("events.detail", slug="one")
        builds.clear()
        second = external_url("events.detail", slug="two", _language="fr")
        third = external_url("events.detail", slug="three", _language="fr")
    assert first.endswith("/events/one") and third.endswith("/fr/events/three")
    assert second.endswith("/fr/events/two")
    assert builds.count("events.detail") <= 1  # the French shape, once; then none
