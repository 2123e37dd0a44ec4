"""The operator console (`/admin`, `/admin/mail`), readiness (`/readyz`), Prometheus
metrics (`/metrics`), and the periodic jobs of the blueprints that had a cron command.

Routes live in `interacta/admin/views.py`, which only the app factory imports.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")
