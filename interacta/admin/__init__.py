"""The operator console (`/admin`, `/admin/mail`), readiness (`/readyz`), Prometheus
metrics (`/metrics`), and the periodic jobs of the blueprints that had a cron command.

Routes live in `interacta/admin/views.py`, which only the app factory imports.
"""

from __future__ import annotations

from flask import Flask

from interacta.admin import metrics, periodic
from interacta.core.registry import DemoSeeder, register_demo


def init_app(app: Flask) -> None:
    periodic.register(app)
    metrics.install(app)
    register_demo(app, DemoSeeder(60, "operations", seed=periodic.seed_demo))
