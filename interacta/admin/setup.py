"""How the operator console plugs into the app (called by the app factory)."""

from __future__ import annotations

from flask import Flask

from interacta.admin import metrics, periodic
from interacta.core.registry import DemoSeeder, register_demo, register_stylesheet


def init_app(app: Flask) -> None:
    periodic.register(app)
    metrics.install(app)
    register_demo(app, DemoSeeder(60, "operations", seed=periodic.seed_demo))
    register_stylesheet(app, "css/admin.css")
