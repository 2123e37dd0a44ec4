"""The structure holds: importing a model loads no view (routes are imported by the app
factory alone), so a service, a CLI command or a migration can use any model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import interacta
import interacta.events
from config import TestConfig
from interacta import create_app

PACKAGE = Path(interacta.__file__).resolve().parent
MODELS = sorted(f"interacta.{path.parent.name}.models" for path in PACKAGE.glob("*/models.py"))

PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(m for m in sys.modules if m.startswith("interacta"))))
"""


def test_every_blueprint_with_models_is_probed():
    assert "interacta.events.models" in MODELS and "interacta.core.models" in MODELS


@pytest.mark.parametrize("module", MODELS)
def test_importing_models_loads_no_view(module):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        check=True,
        timeout=120,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    views = [name for name in loaded if "views" in name.rsplit(".", 1)[-1]]
    assert module in loaded
    assert views == [], f"importing {module} loaded route modules: {views}"


def test_the_factory_registers_the_routes(app):
    # The routes are there all the same: the factory imported every route module.
    endpoints = set(app.view_functions)
    for endpoint in (
        "core.healthz",
        "pages.home",
        "events.detail",
        "events.register",
        "members.login",
        "publications.index",
        "consent.preferences",
    ):
        assert endpoint in endpoints


def test_the_factory_refuses_an_init_app_left_in_a_package(monkeypatch, tmp_path, database_url):
    # Wiring belongs in `<package>/setup.py`; one left in `__init__.py` would be skipped
    # without a word, so the factory stops instead of starting half-wired.
    monkeypatch.setattr(interacta.events, "init_app", lambda app: None, raising=False)
    with pytest.raises(RuntimeError, match=r"interacta\.events: init_app belongs in its setup\.py"):
        create_app(TestConfig, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url)


# --- core's registries: a blueprint plugs in without editing core ------------------------


def test_the_home_page_is_rebuilt_when_a_model_its_sections_declare_changes(
    app, client, db, make_event, make_member, monkeypatch
):
    from interacta.core import registry
    from interacta.events.models import Event

    loads = []

    def load():
        loads.append(1)
        return {"events": []}

    event = make_event()
    member = make_member()
    # The home page with one section that declares one model: the fingerprint reads it.
    sections = [registry.HomeSection(10, "events/_home.html", load=load, models=(Event,))]
    monkeypatch.setitem(registry._store(app), "home", sections)
    client.get("/")
    client.get("/")
    assert len(loads) == 1  # the second view came from the cache
    event.title = "A new title"
    db.session.flush()
    client.get("/")
    assert len(loads) == 2
    member.name = "Another name"  # a table no section declares: served from the cache
    db.session.flush()
    client.get("/")
    assert len(loads) == 2


def test_a_registered_cache_key_contributor_keeps_cached_pages_apart(app, client, db, monkeypatch):
    from flask import request

    from interacta.core import registry

    loads = []

    def load():
        loads.append(1)
        return {"events": []}

    monkeypatch.setitem(
        registry._store(app), "home", [registry.HomeSection(10, "events/_home.html", load=load)]
    )
    contributor = registry.CacheKeyContributor("test", lambda: request.headers.get("X-Test"))
    monkeypatch.setitem(
        registry._store(app), "cache_key", [*registry._store(app)["cache_key"], contributor]
    )
    for value in ("a", "b", "a", "b"):
        assert client.get("/", headers={"X-Test": value}).status_code == 200
    assert len(loads) == 2  # built once per value, then served from the cache


def test_base_links_the_registered_stylesheets_in_order(client):
    html = client.get("/about").get_data(as_text=True)
    sheets = [
        html.index(f"css/{name}.css")
        for name in ("site", "members", "events", "publications", "consent")
    ]
    assert sheets == sorted(sheets)


def test_the_schema_filters_leave_the_full_text_objects_out_of_autogenerate(app):
    from interacta.core.db import include_name

    with app.app_context():
        assert include_name("publications", "table", {}) is True
        assert include_name("publications_fts", "table", {}) is False
        assert include_name("ix_publications_fulltext", "index", {}) is False
