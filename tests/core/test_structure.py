"""The structure holds: importing a model loads no view (routes are imported by the app
factory alone), so a service, a CLI command or a migration can use any model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import interacta

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
