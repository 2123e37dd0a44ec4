"""The operator console (`/admin`, `/admin/mail`), readiness (`/readyz`), Prometheus
metrics (`/metrics`), and the periodic jobs of the blueprints that had a cron command.

Routes live in `interacta/admin/views.py`, which only the app factory imports.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from interacta.admin import metrics, periodic
    from interacta.core.registry import DemoSeeder, register_demo, register_stylesheet

    periodic.register(app)
    metrics.install(app)
    register_demo(app, DemoSeeder(60, "operations", seed=periodic.seed_demo))
    register_stylesheet(app, "css/admin.css")
