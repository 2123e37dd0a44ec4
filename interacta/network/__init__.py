"""The network around the events: partner organisations (records with logos, the events
they co-organise, their members and publications)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("network", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from interacta.core.registry import DemoSeeder, register_demo
    from interacta.network.demo import seed_demo

    register_demo(app, DemoSeeder(50, "partner organisations", seed=seed_demo))
