"""Cookie consent: the cookie registry, banner, policy, Cookie Management, consent log and
the gating helpers (`consent.allows(category)`, also a template global).

The blueprint's wiring is in `setup.py`, its routes in `views.py`; only the app factory
imports those.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consent", __name__, template_folder="templates")

from interacta.consent.gate import allows, preference, remember_preference  # noqa: E402

__all__ = ["allows", "bp", "preference", "remember_preference"]
